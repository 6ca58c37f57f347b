"""The ``zbtz`` command line: parse options, call one library function, render, pick the exit code."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import ToolkitError
from .findings import SEVERITY_ZH, Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DateType(click.ParamType):
    """A YYYY-MM-DD date option."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"“{value}”不是有效日期，应为 YYYY-MM-DD，例如 2026-06-30。", param, ctx)


def as_of_option(fn: Callable) -> Callable:
    return click.option("--as-of", "as_of", type=DateType(), default=None, help="检查（汇总）日期，默认今天。")(fn)


def format_option(fn: Callable) -> Callable:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
    )(fn)


class ZbtzGroup(click.Group):
    """Turns library errors into one Chinese line on stderr (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"错误：{exc}", err=True)
            ctx.exit(EXIT_FINDINGS)


@click.group(cls=ZbtzGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="zbtz %(version)s")
@click.option("--debug", is_flag=True, help="出错时显示完整的调试信息。")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """正版台账工具箱：按《正版软件管理工作指南》检查、汇总软件台账工作簿。

    \b
    示例:
      zbtz check 台账.xlsx
      zbtz check 各单位台账/ --as-of 2026-06-30 --format json
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _progress(total_hint: int):
    """A progress bar on stderr for batches; a no-op for a single file."""
    from contextlib import nullcontext

    if total_hint <= 1:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("检查台账"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )


@main.command("check", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@as_of_option
@format_option
def check_cmd(paths: tuple[str, ...], as_of: dt.date | None, fmt: str) -> None:
    """检查台账工作簿（或文件夹中的全部台账）是否符合指南的各项规定。

    PATHS 为台账文件（.xlsx/.xlsm）或文件夹；文件夹下的所有台账逐一检查，~$ 开头的锁定文件跳过。
    有错误时退出码为 1，只有警告或没有问题时为 0。

    \b
    示例:
      zbtz check 台账.xlsx
      zbtz check 台账.xlsx --as-of 2026-06-30
      zbtz check 各单位台账/ --format json > 结果.json
    """
    from .check import check, expand_paths

    targets = list(expand_paths(paths))
    with _progress(len(targets)) as bar:
        task = bar.add_task("check", total=len(targets)) if bar is not None else None
        report = check(paths, as_of, (lambda _p: bar.advance(task)) if bar is not None else None)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report))
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


def render_text(report: Report) -> str:
    """Findings grouped by workbook and sheet, one line each, then skipped rules and a summary."""
    lines: list[str] = []
    by_book: dict[str, dict[str | None, list]] = {}
    for f in report.findings:
        by_book.setdefault(f.workbook, {}).setdefault(f.sheet, []).append(f)
    for book in report.workbooks:
        sheets = by_book.get(book)
        if not sheets:
            lines.append(f"{book}：未发现问题")
            continue
        lines.append(f"{book}")
        for sheet, items in sheets.items():
            lines.append(f"  [{sheet or '整个工作簿'}]")
            for f in items:
                cell = f.cell or "—"
                lines.append(f"    {cell:<7} {f.rule:<7} {SEVERITY_ZH[f.severity]}  {f.message}")
    skipped = {}
    for s in report.skipped:
        skipped.setdefault((s.rule, s.reason), []).append(s.workbook)
    for (rule, reason), books in skipped.items():
        where = f"（{len(books)} 个台账）" if len(report.workbooks) > 1 else ""
        lines.append(f"未执行 {rule}：{reason}{where}")
    st = report.stats
    verdict = "通过" if report.valid else "未通过"
    lines.append(f"共检查 {st['workbooks']} 个台账：错误 {st['errors']} 个，警告 {st['warnings']} 个 —— {verdict}")
    return "\n".join(lines)


@main.command("rules", context_settings=CONTEXT)
@format_option
def rules_cmd(fmt: str) -> None:
    """列出全部检查规则（编号、级别、名称、说明）。

    \b
    示例:
      zbtz rules
      zbtz rules --format json
    """
    from .check import REGISTRY

    rows = [{"code": r.code, "severity": r.severity, "title": r.title, "description": r.description} for r in REGISTRY]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['code']:<8} {SEVERITY_ZH[r['severity']]}  {r['title']}")


REPORT_SUFFIXES = (".xlsx", ".html")


@main.command("report", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=str))
@click.option(
    "-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=str),
    help="写出的文件：.xlsx（单个台账为附件5，文件夹为汇总表）或 .html（图文报告）；可给多次。",
)
@as_of_option
@format_option
@click.option("-j", "--workers", type=click.IntRange(min=1), default=None, help="汇总文件夹时并行的进程数，默认为 CPU 核数。")
def report_cmd(path: str, outputs: tuple[str, ...], as_of: dt.date | None, fmt: str, workers: int | None) -> None:
    """生成附件5《软件正版化工作信息统计表》，或汇总文件夹中各单位的台账。

    PATH 为一个台账时，-o 附件5.xlsx 写出附件5 及其明细；PATH 为文件夹时，-o 汇总.xlsx 写出主管部门的
    汇总表（每个台账一行、合计行、问题清单、软件汇总、图表）。-o 报告.html 写出可直接用浏览器查看的图文报告。
    软件类别取自附件7，未填时按产品名称推测并注明。无法读取的台账在汇总中占一行并说明原因。

    \b
    示例:
      zbtz report 台账.xlsx -o 附件5.xlsx --as-of 2026-06-30
      zbtz report 台账.xlsx --format json
      zbtz report 各单位台账/ -o 汇总.xlsx -o 汇总.html
      zbtz report 各单位台账/ -o 汇总.xlsx --workers 2
    """
    from pathlib import Path

    from .check import expand_paths
    from .consolidate import consolidate, progress_bar
    from .render_html import write_html
    from .render_text_report import consolidation_text, stats_text
    from .render_xlsx_report import write_attachment5, write_consolidation

    for out in outputs:
        if not out.lower().endswith(REPORT_SUFFIXES):
            raise click.BadParameter(f"“{out}”的扩展名应为 .xlsx 或 .html。", param_hint="-o/--output")
    folder = Path(path).is_dir()
    with progress_bar(len(list(expand_paths([path]))) if folder else 1) as advance:
        cons = consolidate([path], as_of, workers if folder else 1, advance)
    if not folder and not cons.results[0].readable:
        raise ToolkitError(cons.results[0].findings[0].message)
    stats = cons.results[0].stats if not folder else None
    for out in outputs:
        if out.lower().endswith(".html"):
            write_html(cons, out)
        elif stats is not None:
            write_attachment5(stats, out)
        else:
            write_consolidation(cons, out)
        click.echo(f"已写出：{out}", err=True)
    if fmt == "json":
        data = stats.to_dict() if stats is not None else cons.to_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(stats_text(stats) if stats is not None else consolidation_text(cons))
