"""The ``zbtz`` command line: parse options, call one library function, render, pick the exit code."""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from toolkit import __version__, cli_zh
from toolkit.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, ToolkitError, UsageError
from toolkit.files import shown_path
from toolkit.findings import SEVERITY_ZH, Report
from toolkit.textsafe import terminal_text

cli_zh.install()
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_CODES = """\b
退出码:
  0  成功（check：没有错误，可能有警告）
  1  check 发现错误；report 中有台账无法读取；或命令未能完成（文件无法读取或写入，原因见错误信息）
  2  用法错误（参数有误，或输出文件已存在而未加 --force）
  3  程序内部错误（请将输入文件和错误信息报告给工具维护人员）"""


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of text with escape sequences and control characters removed (a ledger's
    text may carry them; a terminal would act on them)."""
    click.echo(terminal_text(str(message)), err=err, nl=nl)


def with_exit_codes(fn: Callable) -> Callable:
    """Append the exit codes to a command's help text."""
    fn.__doc__ = (fn.__doc__ or "").rstrip() + "\n\n" + EXIT_CODES
    return fn


def force_option(fn: Callable) -> Callable:
    return click.option("--force", is_flag=True, help="输出文件已存在时覆盖它（只读文件仍不覆盖）。")(fn)


_FULL_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")


class DateType(click.ParamType):
    """A date option, in any form the ledger's date cells accept (2026-06-30, 2026年6月30日, 2026.6.30, 2026/6/30)."""

    name = "日期"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        from toolkit.normalize import to_date

        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        day = to_date(text) if _FULL_DATE.fullmatch(text) else None  # a whole day: not 2026.6 or a serial
        if day is None:
            self.fail(f"“{value}”不是有效日期，可写作 2026-06-30、2026年6月30日、2026.6.30 或 2026/6/30。", param, ctx)
        return day


def as_of_option(fn: Callable) -> Callable:
    """--as-of, decided here once: the library is always given a date (today when not given)."""
    return click.option(
        "--as-of",
        "as_of",
        type=DateType(),
        default=None,
        help="检查（汇总）日期，默认今天；可写作 2026-06-30、2026年6月30日、2026.6.30 或 2026/6/30。",
        callback=lambda _ctx, _param, value: value or dt.date.today(),
    )(fn)


def format_option(fn: Callable) -> Callable:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。"
    )(fn)


class ZbtzGroup(click.Group):
    """Turns library errors into one Chinese line on stderr and their exit code (tracebacks only with
    --debug); never a traceback for anything else either (exit 3, asking for a report)."""

    def invoke(self, ctx: click.Context) -> Any:
        # An exception Python can only print ("Exception ignored in …", e.g. a half-written zip
        # closed after its file failed) is not shown with a traceback, unless --debug.
        hook = sys.unraisablehook
        sys.unraisablehook = lambda unraisable: hook(unraisable) if _debug(ctx) else None
        try:
            return self._invoke(ctx)
        finally:
            sys.unraisablehook = hook

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            if _debug(ctx):
                raise
            if isinstance(exc, UsageError):
                message = f"用法错误：{exc}（查看帮助：zbtz {ctx.invoked_subcommand} --help）"
            elif exc.exit_code == 2:
                message = f"用法错误：{exc}"
            else:
                message = f"错误：{exc}"
            code = exc.exit_code
        except OSError as exc:  # a file the library did not expect to fail (a folder turned read-only …)
            if _debug(ctx):
                raise
            where = f"“{shown_path(exc.filename)}”" if exc.filename else ""
            message, code = f"错误：{where}{exc.strerror or exc}。请检查文件、文件夹和权限后重试。", EXIT_FINDINGS
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001  (never a traceback for a person; --debug shows it)
            if _debug(ctx):
                raise
            message = (
                f"错误：程序内部出错（{type(exc).__name__}: {str(exc)[:300]}）。原文件未改动；"
                "请将输入文件和这条信息报告给工具维护人员（加 --debug 可看到详细信息）。"
            )
            code = EXIT_INTERNAL
        gc.collect()  # what the failure left behind goes now, while its noise is silenced
        echo(message, err=True)
        ctx.exit(code)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.obj and ctx.obj.get("debug"))


@click.group(cls=ZbtzGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="zbtz %(version)s")
@click.option("--debug", is_flag=True, help="出错时显示完整的调试信息。")
@click.pass_context
@with_exit_codes
def main(ctx: click.Context, debug: bool) -> None:
    """正版台账工具箱：按《正版软件管理工作指南》检查、汇总软件台账工作簿。

    \b
    使用步骤（详见 docs/工作流程.md）:
      1. zbtz new 台账.xlsx --unit 单位名称     新建台账
      2. 填写附件6 免费软件清单、附件7 汇总表和计算机清单
      3. zbtz number 台账.xlsx --in-place       为附件7 编号，并为每个编号新建附件9
      4. 在各编号的附件9 中登记每次安装、卸载
      5. zbtz rollup 台账.xlsx --in-place       按附件9 重算附件7 的数量、重建附件8 明细
      6. zbtz check 台账.xlsx                   检查；加 --annotate -o 标注.xlsx 把问题标在单元格上
      7. zbtz report 台账.xlsx -o 附件5.xlsx    生成附件5 统计表
      8. zbtz print 台账.xlsx -o 打印/          生成承诺书、附件10/附件11，签字盖章后报送

    \b
    示例:
      zbtz check 台账.xlsx
      zbtz check 各单位台账/ --as-of 2026-06-30 --format json
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def one_ledger_option(fn: Callable) -> Callable:
    return click.option(
        "--one-ledger",
        "one_ledger",
        is_flag=True,
        help="把给出的全部工作簿作为同一个台账（分存在几个文件中的台账）。文件夹中放有“同一台账.txt”时自动如此。",
    )(fn)


def output_options(fn: Callable) -> Callable:
    """-o/--output, --in-place and --force, shared by the commands that write a workbook."""
    fn = force_option(fn)
    fn = click.option("--in-place", "in_place", is_flag=True, help="直接写回原工作簿（先在旁边保存一份备份）。")(fn)
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, path_type=str),
        default=None,
        help="写出到这个新文件（原工作簿不变；文件已存在时需加 --force）。",
    )(fn)


@main.command("check", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@as_of_option
@format_option
@click.option(
    "--annotate",
    is_flag=True,
    help="把检查结果写入工作簿：“校验结果”表、问题单元格的底色和批注。需配合 -o 或 --in-place。",
)
@output_options
@one_ledger_option
@click.option(
    "-j", "--workers", type=click.IntRange(min=1), default=None, help="检查多个台账时并行的进程数，默认为 CPU 核数。"
)
@with_exit_codes
def check_cmd(
    paths: tuple[str, ...],
    as_of: dt.date,
    fmt: str,
    annotate: bool,
    output: str | None,
    in_place: bool,
    force: bool,
    one_ledger: bool,
    workers: int | None,
) -> None:
    """检查台账工作簿（或文件夹中的全部台账）是否符合指南的各项规定。

    PATHS 为台账文件（.xlsx/.xlsm，也可以是 .xls、.xlsb、WPS 的 .et 和 .ods）或文件夹；文件夹下的所有
    台账逐一检查，并列出每个表格文件是已检查还是已跳过（及原因，如 ~$ 开头的锁定文件）；本工具的备份
    （*.bak-日期-时间.xlsx）和本工具写出的汇总表、附件5、打印表不算台账。
    有错误、或文件夹中没有一个能检查的台账时退出码为 1，只有警告或没有问题时为 0。

    --annotate 把结果写入工作簿：新增（或替换）“校验结果”表，每个问题一行并链接到单元格；问题单元格
    加底色（错误红色、警告黄色）和批注。再次标注时先去掉上次加上的底色和批注，其他内容不变。
    -o 写到新文件（只能检查一个台账）；--in-place 写回原文件（先备份），文件夹则逐个写回。

    一个台账分存在几个工作簿中时（如附件7 与附件8 各一个文件），用 --one-ledger 把给出的文件和文件夹合起来
    作为一个台账检查；或在文件夹中放一个名为“同一台账.txt”的文件（内容不限），该文件夹下的工作簿即为一个台账。
    问题仍标在各自的文件和工作表上。

    \b
    示例:
      zbtz check 台账.xlsx
      zbtz check 台账.xlsx --as-of 2026-06-30
      zbtz check 附件7.xlsx 附件8.xlsx 附件9.xlsx --one-ledger
      zbtz check 各单位台账/ --format json > 结果.json
      zbtz check 台账.xlsx --annotate -o 台账-已标注.xlsx
      zbtz check 各单位台账/ --annotate --in-place
    """
    from toolkit.checking import check_targets
    from toolkit.files import fingerprint, scan_paths
    from toolkit.read.ledgerset import files_of
    from toolkit.read.ledgerset import targets as ledger_targets
    from toolkit.render.progress import progress_bar

    found = ledger_targets(paths, one_ledger)
    targets = files_of(found)
    stamps = {shown: fingerprint(path) for path, shown in targets} if annotate else {}
    if annotate and (output is None) == (not in_place):
        raise UsageError("--annotate 需要且只能配合 -o 输出文件 或 --in-place 之一。")
    if not annotate and (output is not None or in_place):
        raise UsageError("-o 和 --in-place 只能与 --annotate 一起使用。")
    if output is not None and len(targets) != 1:
        raise UsageError(f"-o 只能用于一个台账，而这里有 {len(targets)} 个；多个台账请用 --in-place。")
    with progress_bar(len(found), "检查台账") as advance:
        report = check_targets(
            found, as_of, advance, workers, scan_paths(paths) if any(Path(p).is_dir() for p in paths) else None
        )
    if fmt == "json":
        echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from toolkit.render.text import report_text

        echo(report_text(report))
    failed = _annotate_all(targets, report, output, in_place, force, stamps) if annotate else False
    sys.exit(EXIT_OK if report.valid and not failed else EXIT_FINDINGS)


def _annotate_all(
    targets: list, report: Report, output: str | None, in_place: bool, force: bool, stamps: dict[str, Any]
) -> bool:
    """Annotate each checked workbook; a workbook that cannot be written is reported and skipped."""
    from toolkit.write.edit import annotate_file

    unreadable = {f.workbook for f in report.findings if f.rule == "S0"}
    failed = False
    for path, shown in targets:
        if shown in unreadable:
            echo(f"未写入标注：{shown} 无法读取。", err=True)
            failed = True
            continue
        try:
            written = annotate_file(
                path, report, out=output, in_place=in_place, workbook=shown, force=force, expect=stamps.get(shown)
            )
        except ToolkitError as exc:
            if exc.exit_code == 2:  # a usage error (an existing -o without --force …) stops the command
                raise
            echo(f"错误：{shown}：{exc}", err=True)
            failed = True
            continue
        echo(f"已写入标注：{shown_path(written)}", err=True)
        _say_converted(path, written)
    return failed


def _say_converted(src: Any, written: Any) -> None:
    """Tell the user when a ledger in another format (.xls, .ods …) was left alone and a new .xlsx written."""
    from toolkit.write.convert import conversion_note

    note = conversion_note(src, written)
    if note is not None:
        click.echo(note, err=True)


@main.command("rollup", context_settings=CONTEXT)
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=str))
@as_of_option
@output_options
@format_option
@with_exit_codes
def rollup_cmd(ledger: str, as_of: dt.date, output: str | None, in_place: bool, force: bool, fmt: str) -> None:
    """按附件9 安装维护记录重新汇总附件7 和附件8，写入工作簿并列出改动。

    附件7：每个软件编号的安装数量、使用计算机人数、（有计算机清单时）服务器数/台式机数/便携机数、
    填表日期；附件8：按截至日期的安装状态重建明细行（计算机单元格合并，保留原有备注）。
    其余内容（其他工作表、格式、批注、图片、宏等）保持不变。-o 写到新文件；--in-place 写回原文件
    （先在旁边保存备份）。Excel/WPS 正打开该文件时拒绝写入。

    \b
    示例:
      zbtz rollup 台账.xlsx --as-of 2026-06-30 -o 台账-汇总.xlsx
      zbtz rollup 台账.xlsx --in-place
      zbtz rollup 台账.xlsm --in-place --format json
    """
    from toolkit.render.text import rollup_text
    from toolkit.write.edit import rollup_file

    if (output is None) == (not in_place):
        raise UsageError("请用 -o 指定输出文件，或用 --in-place 写回原文件（二者选一）。")
    result = rollup_file(ledger, as_of, out=output, in_place=in_place, force=force)
    _say_converted(ledger, result.written)
    if fmt == "json":
        echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        echo(rollup_text(result))


@main.command("rules", context_settings=CONTEXT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@with_exit_codes
def rules_cmd(fmt: str) -> None:
    """列出全部检查规则（编号、级别、名称、说明、依据）。

    \b
    示例:
      zbtz rules
      zbtz rules --format json
      zbtz rules --format markdown > docs/规则目录.md
    """
    from toolkit.rules.catalogue import catalogue_markdown, catalogue_rows

    rows = catalogue_rows()
    if fmt == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        echo(catalogue_markdown(), nl=False)
    else:
        for r in rows:
            echo(f"{r['code']:<8} {SEVERITY_ZH[r['severity']]}  {r['title']}  （依据：{r['source']}）")


REPORT_SUFFIXES = (".xlsx", ".html")


@main.command("report", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=str))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="写出的文件：.xlsx（单个台账为附件5，文件夹为汇总表）或 .html（图文报告）；可给多次。",
)
@as_of_option
@format_option
@click.option(
    "-j", "--workers", type=click.IntRange(min=1), default=None, help="汇总文件夹时并行的进程数，默认为 CPU 核数。"
)
@one_ledger_option
@force_option
@with_exit_codes
def report_cmd(
    path: str, outputs: tuple[str, ...], as_of: dt.date, fmt: str, workers: int | None, one_ledger: bool, force: bool
) -> None:
    """生成附件5《软件正版化工作信息统计表》，或汇总文件夹中各单位的台账。

    PATH 为一个台账时，-o 附件5.xlsx 写出附件5 及其明细；PATH 为文件夹时，-o 汇总.xlsx 写出主管部门的
    汇总表（每个台账一行、合计行、问题清单、软件汇总、图表）。-o 报告.html 写出可直接用浏览器查看的图文报告。
    软件类别取自附件7，未填时按产品名称推测并注明。无法读取的台账在汇总中占一行并说明原因，退出码为 1。
    文件夹加 --one-ledger（或文件夹中放有“同一台账.txt”）时，其中的工作簿合起来是一个台账，写出附件5；
    汇总文件夹时，放有“同一台账.txt”的子文件夹各算一个单位。
    输出文件不能是输入的台账；已存在的输出文件只在加 --force 时覆盖。

    \b
    示例:
      zbtz report 台账.xlsx -o 附件5.xlsx --as-of 2026-06-30
      zbtz report 台账.xlsx --format json
      zbtz report 各单位台账/ -o 汇总.xlsx -o 汇总.html
      zbtz report 各单位台账/ -o 汇总.xlsx --workers 2
      zbtz report 本单位台账/ --one-ledger -o 附件5.xlsx
    """
    from pathlib import Path

    from toolkit.consolidation import consolidate_targets
    from toolkit.files import claim_output
    from toolkit.read.ledgerset import LedgerFiles, files_of
    from toolkit.read.ledgerset import targets as ledger_targets
    from toolkit.render.html import write_html
    from toolkit.render.progress import progress_bar
    from toolkit.render.text import consolidation_text, stats_text
    from toolkit.render.xlsx import write_attachment5, write_consolidation

    for out in outputs:
        if not out.lower().endswith(REPORT_SUFFIXES):
            raise click.BadParameter(f"“{out}”的扩展名应为 .xlsx 或 .html。", param_hint="-o/--output")
    targets = ledger_targets([path], one_ledger)
    folder = Path(path).is_dir() and not (len(targets) == 1 and isinstance(targets[0], LedgerFiles))
    inputs = [p for p, _ in files_of(targets)]
    for out in outputs:  # every output refused or accepted before the ledgers are read
        claim_output(out, inputs=inputs, force=force)
    with progress_bar(len(targets), "汇总台账") as advance:
        cons = consolidate_targets(targets, as_of, workers if folder else 1, advance)
    if not folder and not cons.results[0].readable:
        raise ToolkitError(cons.results[0].findings[0].message)
    if folder and not any(r.readable for r in cons.results):
        raise ToolkitError(
            f"文件夹“{path}”中没有可汇总的台账（.xlsx/.xlsm/.xls/.xlsb/.et/.ods 均无法读取或不存在）。请用 zb"
            "tz check 查看各文件的情况。"
        )
    stats = cons.results[0].stats if not folder else None
    for out in outputs:
        if out.lower().endswith(".html"):
            write_html(cons, out, inputs=inputs, force=force)
        elif stats is not None:
            write_attachment5(stats, out, inputs=inputs, force=force)
        else:
            write_consolidation(cons, out, inputs=inputs, force=force)
        echo(f"已写出：{shown_path(out)}", err=True)
    if fmt == "json":
        data = stats.to_dict() if stats is not None else cons.to_dict()
        echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        echo(stats_text(stats) if stats is not None else consolidation_text(cons))
    if any(not r.readable for r in cons.results):
        sys.exit(EXIT_FINDINGS)


@main.command("excel-setup", context_settings=CONTEXT)
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="写出的启用宏的工作簿（.xlsm），默认与台账同名、扩展名改为 .xlsm。",
)
@click.option(
    "--vba",
    "vba",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    default=None,
    help="宏模块源文件，默认为本工具的 excel/ZbtzMacros.bas。",
)
@force_option
@with_exit_codes
def excel_setup_cmd(ledger: str, output: str | None, vba: str | None, force: bool) -> None:
    """把台账另存为带“校验”“汇总”按钮的启用宏工作簿（.xlsm），台账数据不变。

    按钮通过 xlwings 加载项调用本机的 Python 和本工具，结果直接写入在 Excel 中打开的工作簿。
    使用前请按 docs/excel.md 安装 xlwings 加载项。原台账不被修改；已存在的 .xlsm 只在加 --force 时覆盖。

    \b
    示例:
      zbtz excel-setup 台账.xlsx
      zbtz excel-setup 台账.xlsx -o 台账（带按钮）.xlsm
    """
    from pathlib import Path

    from toolkit.excel.xlsm import make_xlsm

    out = output or str(Path(ledger).with_suffix(".xlsm"))
    sheet = make_xlsm(ledger, out, vba, force=force)
    echo(f"已写出：{shown_path(out)}（按钮在工作表“{sheet}”上）", err=True)
    _say_converted(ledger, out)


# --- templates, new ledger, numbering, printing --------------------------------------------


@main.command("templates", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
@force_option
@with_exit_codes
def templates_cmd(folder: str, force: bool) -> None:
    """写出全部标准表样：附件1–附件11 与计算机清单，每个表一个 .xlsx。

    表样由 schemas/ 中的表格结构生成（与仓库中 workbooks/ 的文件逐字节相同）：标题、签字行、表头、
    各枚举列的下拉选项、日期和金额格式、冻结表头与打印设置（A4、每页重复表头、按页宽缩放）。
    文件夹中已有同名文件时，只在加 --force 时覆盖。

    \b
    示例:
      zbtz templates 表样/
    """
    from toolkit.forms.templates import write_templates

    for path in write_templates(folder, force=force):
        echo(f"已写出：{shown_path(path)}")


@main.command("new", context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@click.option("--unit", required=True, help="单位名称，写在每张表的签字行上。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖它（只读文件仍不覆盖）。")
@click.option(
    "--rows",
    type=click.IntRange(min=1, max=5000),
    default=None,
    help="每张表预先画好边框的空行数，默认 60；计算机或软件多的单位可加大。",
)
@with_exit_codes
def new_cmd(path: str, unit: str, force: bool, rows: int | None) -> None:
    """新建一个台账工作簿：附件6、附件7、附件8、计算机清单和三张登记表（附件10 申请登记、\
附件11 确认登记、承诺书签署登记），空表待填。

    附件9（每个软件编号一张）由 zbtz number 在附件7 登记软件后自动添加。新台账直接检查不会报错；
    下一步见 zbtz（不带参数）列出的使用步骤。

    \b
    示例:
      zbtz new 台账.xlsx --unit 某市数据资源管理局
      zbtz new 台账.xlsx --unit 某县数据局 --rows 200
    """
    from toolkit.errors import TemplateError
    from toolkit.forms.templates import NEW_LEDGER_ROWS, new_ledger

    if not unit.strip():
        raise click.BadParameter("单位名称不能为空。", param_hint="--unit")
    try:
        new_ledger(path, unit.strip(), overwrite=force, rows=rows or NEW_LEDGER_ROWS)
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from exc
    echo(f"已新建台账：{shown_path(path)}")


@main.command("import", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="新台账（.xlsx）。已存在时不覆盖，除非加 --force。",
)
@click.option("--unit", default="", help="单位名称，写在每张表的签字行上。")
@click.option(
    "--date", "day", type=DateType(), default=None, help="导入日期：附件9 初始登记的日期和填表日期，默认今天。"
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="表头=字段",
    help="指定某个表头对应的字段（表头不认识时用），可给多次，例如 --map 电脑编号=计算机编号。",
)
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它。")
@click.option(
    "--from-scans",
    "from_scans",
    is_flag=True,
    help="PATHS 是各计算机的软件扫描结果（采集脚本的清单文件或其文件夹），由它们生成第一版台账。",
)
@format_option
def import_cmd(
    paths: tuple[str, ...],
    output: str,
    unit: str,
    day: dt.date | None,
    maps: tuple[str, ...],
    force: bool,
    from_scans: bool,
    fmt: str,
) -> None:
    """把其他格式的台账转换为指南格式的新台账（附件6、附件7、附件8、计算机清单和每个编号的附件9）。

    PATHS 为工作簿（.xlsx/.xlsm/.xls/.ods/.et）或文件夹，可给多个，合起来导入为一个台账。能识别：
    计算机×软件明细表（每行一台计算机上的一个软件）；计算机一览表（每台计算机一行，软件为打勾列，
    或“软件+是否授权”列）；自查工具导出的单台计算机软件清单（每台计算机一张表或一个文件，计算机编号
    写在表上方或取工作表名/文件名）；软件资产登记表（授权数量、采购日期、到期时间等）；可使用免费软件
    清单。同名软件按登记表补全许可信息。按指南规则编号；每个安装在附件9 登记一行“初始登记”安装，
    日期为导入日期。未能放入台账的列和行会列出。原文件不变。

    \b
    可用 --map 指定的字段：
      计算机编号 使用人 部门 计算机类型 计算机品牌 状态 软件名称 软件版本 软件类型 是否正版
      授权方式 授权数量 采购时间 采购金额 许可期限 序列号 可使用版本 软件类别 获取方式 软件厂商
      软件来源 使用原因 处置建议 安装数量 备注

    --from-scans：PATHS 为采集脚本（collectors/）生成的扫描文件或文件夹。商业/OEM 软件按产品、版本类别、
    版本各一个编号，免费软件按名称一个编号并列入附件6（标“待审批”）；计算机清单填好主机名、序列号；
    别名表不认识的名称列在附件7、软件类型留空（“待认定”）。不用扫描中的安装日期。此时 --map 的字段为
    扫描文件的字段（软件名称、软件版本、主机名、序列号、发布者等），见 docs/软件采集与核对.md。

    \b
    示例:
      zbtz import --from-scans 扫描/ -o 台账.xlsx --unit 某市数据资源管理局
      zbtz import 软件明细.xls -o 新台账.xlsx --unit 某市数据资源管理局
      zbtz import 自查结果/ 软件资产.xlsx -o 新台账.xlsx --date 2026-06-30
      zbtz import 台账.xlsx -o 新台账.xlsx --map 电脑编号=计算机编号 --map 软件=软件名称
    """
    if from_scans:
        _import_scans(paths, output, unit, day, maps, force, fmt)
        return
    from toolkit.imports import import_ledger, parse_maps
    from toolkit.render.text import import_text

    result = import_ledger(
        paths, output, day=day or dt.date.today(), unit=unit.strip(), maps=parse_maps(maps), force=force
    )
    if fmt == "json":
        echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        echo(import_text(result))


def _import_scans(
    paths: tuple[str, ...], output: str, unit: str, day: dt.date | None, maps: tuple[str, ...], force: bool, fmt: str
) -> None:
    """``import --from-scans``: a first ledger from scan files (docs/软件采集与核对.md)."""
    from toolkit.scans.build import ledger_from_scans
    from toolkit.scans.read import parse_map, scan_fields
    from toolkit.scans.render import build_text

    fields = scan_fields().with_map(parse_map(maps)) if maps else None
    result = ledger_from_scans(paths, output, unit.strip(), day, fields, force=force)
    echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else build_text(result))
    sys.exit(EXIT_FINDINGS if result.failures else EXIT_OK)


@main.command("number", context_settings=CONTEXT)
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=str), help="写出到新文件。")
@click.option("--in-place", is_flag=True, help="直接修改台账（先在旁边保留备份）。")
@click.option("--dry-run", is_flag=True, help="只列出将填写的编号和将新建的附件9，不写文件。")
@click.option(
    "--pattern", default="{prefix}-{n:03d}", show_default=True, help="编号格式：{prefix} 为前缀，{n} 为序号。"
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    metavar="类型=前缀",
    help="某类软件的前缀，可给多次；默认 商业软件=SY、OEM软件=OEM、免费软件=MF。",
)
@as_of_option
@format_option
@force_option
@with_exit_codes
def number_cmd(
    ledger: str,
    out: str | None,
    in_place: bool,
    dry_run: bool,
    pattern: str,
    prefixes: tuple[str, ...],
    as_of: dt.date,
    fmt: str,
    force: bool,
) -> None:
    """为附件7 中空着的软件编号编号，并为没有附件9 的编号新建附件9 工作表。

    按台账管理规定一.2–9：免费软件同名（含新版本）沿用同一编号；商业软件每个采购批次（含受赠、调剂）
    一个新编号；OEM 软件按名称和版本编号。已有的编号一律不改。再次运行不会有任何改动。
    新建的附件9 填表日期为 --as-of 给出的日期（默认今天）。

    \b
    示例:
      zbtz number 台账.xlsx --in-place
      zbtz number 台账.xlsx -o 台账-已编号.xlsx
      zbtz number 台账.xlsx --dry-run --format json
      zbtz number 台账.xlsx --in-place --pattern "{prefix}{n:04d}" --prefix 商业软件=RJ
    """
    from toolkit.plans.number import DEFAULT_PREFIXES, NumberFormat
    from toolkit.write.edit import number

    if not dry_run and (out is None) == (not in_place):
        raise click.UsageError(
            "请用 -o 指定输出文件，或用 --in-place 直接修改台账，二者选一（或用 --dry-run 只查看）。"
        )
    table = dict(DEFAULT_PREFIXES)
    aliases = {"商业": "商业软件", "OEM": "OEM软件", "免费": "免费软件"}
    for item in prefixes:
        kind, sep, prefix = item.partition("=")
        kind = aliases.get(kind.strip(), kind.strip())
        if not sep or kind not in table:
            raise click.BadParameter(
                f"“{item}”应为 类型=前缀，类型为 商业软件、OEM软件 或 免费软件。", param_hint="--prefix"
            )
        table[kind] = prefix.strip()
    result = number(
        ledger, NumberFormat(pattern, table), out=out, in_place=in_place, dry_run=dry_run, day=as_of, force=force
    )
    plan = result.plan
    if fmt == "json":
        data = plan.to_dict()
        if result.edited is not None:
            data["written"] = str(result.edited.target) if result.edited.target else None
            data["backup"] = str(result.edited.backup) if result.edited.backup else None
        echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for f in plan.fills:
        echo(f"{f.sheet}!{f.cell}  {f.software_no:<10} {f.name}（{f.reason}）")
    for f in plan.whitelist_fills:
        echo(f"{f.sheet}!{f.cell}  {f.software_no:<10} {f.name}（{f.reason}）")
    for g in plan.logs:
        echo(f"新建工作表 {g.sheet}")
    for u in plan.unnumbered:
        echo(f"{u.sheet}!{u.cell}  {u.reason}", err=True)
    for note in plan.notes:
        echo(note, err=True)
    if plan.empty:
        echo("没有需要编号的行，所有编号都已有附件9：未做任何改动。")
    else:
        echo(f"编号 {len(plan.fills)} 行，新建附件9 {len(plan.logs)} 张" + ("（未写文件）" if dry_run else "。"))
    if result.edited is not None and result.edited.backup is not None:
        echo(f"原文件已备份为：{shown_path(result.edited.backup)}", err=True)
    if result.edited is not None:
        _say_converted(ledger, result.edited.target)


@main.command("print", context_settings=CONTEXT)
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=str), help="输出文件夹。"
)
@click.option(
    "--form",
    "forms",
    multiple=True,
    type=click.Choice(["附件2", "附件10", "附件11"]),
    help="只打印这些表，可给多次；默认全部。",
)
@click.option("--pdf/--no-pdf", "pdf", default=None, help="是否同时生成 PDF；默认装有 LibreOffice 时生成。")
@format_option
@force_option
@with_exit_codes
def print_cmd(ledger: str, outdir: str, forms: tuple[str, ...], pdf: bool | None, fmt: str, force: bool) -> None:
    """生成待打印签字的表：附件8 中每位工作人员一份承诺书（附件2），附件10/附件11 登记表每行一页。

    每种表写成一个 .xlsx（每页一张工作表）；装有 LibreOffice 时同时写出 PDF。输出文件夹中已有同名文件时，
    只在加 --force 时覆盖。

    \b
    示例:
      zbtz print 台账.xlsx -o 打印/
      zbtz print 台账.xlsx -o 打印/ --form 附件2 --no-pdf
    """
    from toolkit.forms.printing import PRINTABLE, print_forms

    done = print_forms(ledger, outdir, forms or PRINTABLE, pdf=pdf, force=force)
    if fmt == "json":
        echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
        return
    for form, n in done.pages.items():
        echo(f"{form}：{n} 页")
    for form, why in done.skipped.items():
        echo(f"{form}：{why}", err=True)
    for path in done.files:
        echo(f"已写出：{shown_path(path)}")


# --- installed-software scans: reconcile, and a ledger from scans ---------------------------


def map_option(fn: Callable) -> Callable:
    return click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="表头=字段",
        help="扫描文件中本工具不认识的表头对应哪个字段（如 软件名称、软件版本、主机名、序列号、发布者），可给多次。",
    )(fn)


@main.command("reconcile", context_settings=CONTEXT)
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.argument("scans", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@as_of_option
@format_option
@map_option
@click.option(
    "--annotate", is_flag=True, help="把核对问题写入台账（“校验结果”表、底色和批注），需配合 -o 或 --in-place。"
)
@output_options
@with_exit_codes
def reconcile_cmd(
    ledger: str,
    scans: tuple[str, ...],
    as_of: dt.date | None,
    fmt: str,
    maps: tuple[str, ...],
    annotate: bool,
    output: str | None,
    in_place: bool,
    force: bool,
) -> None:
    """把各计算机的软件扫描结果与台账核对：装了什么、登记了什么。

    SCANS 为采集脚本（collectors/）生成的清单文件或其所在文件夹，也接受 osquery、GLPI Agent 的 JSON 和
    带表头的 CSV/XLSX。扫描按计算机清单的主机名、序列号、计算机编号对应到计算机，软件名称按别名表规范后
    与附件7、附件6 和该计算机的附件8 比较。-o 核查结果.xlsx 写出可打印的核查结果（按计算机、按软件、
    问题清单、待认定名称）；--annotate 则把问题写入台账本身（-o 另存，--in-place 写回并先备份）。
    有错误时退出码为 1。详见 docs/软件采集与核对.md。

    \b
    示例:
      zbtz reconcile 台账.xlsx 扫描/
      zbtz reconcile 台账.xlsx 扫描/ -o 核查结果.xlsx
      zbtz reconcile 台账.xlsx PC-017.csv PC-018.json --format json
      zbtz reconcile 台账.xlsx 扫描/ --annotate --in-place
      zbtz reconcile 台账.xlsx 天擎导出.xlsx --map 终端IP=主机名 --map 软件=软件名称
    """
    from toolkit.scans.read import parse_map, scan_fields
    from toolkit.scans.reconcile import reconcile
    from toolkit.scans.render import render_text, write_reconciliation

    if annotate and (output is None) == (not in_place):
        raise UsageError("--annotate 需要且只能配合 -o 输出文件 或 --in-place 之一。")
    if in_place and not annotate:
        raise UsageError("--in-place 只能与 --annotate 一起使用。")
    if output is not None and not annotate and not output.lower().endswith(".xlsx"):
        raise UsageError(f"核查结果应写成 .xlsx 文件，而不是“{output}”。")
    if output is not None and not annotate:  # the 核查结果 file: refused before any reading, like every output
        from toolkit.files import claim_output

        claim_output(output, inputs=[ledger], force=force)
    fields = scan_fields().with_map(parse_map(maps)) if maps else None
    rec = reconcile(ledger, scans, as_of, fields)
    echo(json.dumps(rec.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else render_text(rec))
    if annotate:
        from toolkit.write.edit import annotate_file

        for f in rec.report.findings:
            f.workbook = rec.ledger
        written = annotate_file(ledger, rec.report, out=output, in_place=in_place, workbook=rec.ledger, force=force)
        echo(f"已写入标注：{shown_path(written)}", err=True)
    elif output is not None:
        echo(f"已写出：{shown_path(write_reconciliation(rec, output, inputs=[ledger], force=force))}", err=True)
    sys.exit(EXIT_OK if rec.report.valid else EXIT_FINDINGS)


def run() -> None:
    """The program's entry point (``zbtz``, ``python -m toolkit``): :func:`main`, then a quick exit.

    Once the command has finished, every file it wrote is closed; the process then ends without
    freeing a large ledger object by object (:mod:`toolkit.process`). An exception other than an
    exit (only with ``--debug``) takes the ordinary way out, traceback included.
    """
    from toolkit import process

    process.ends_after_command()
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click always ends with SystemExit in standalone mode
        code = EXIT_OK
    if code is not None and not isinstance(code, int):  # sys.exit("message"): printed, exit 1
        print(code, file=sys.stderr)
        code = 1
    process.quick_exit(code or 0)
