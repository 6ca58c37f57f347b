"""Licence rules: the right kind of licence for a government office (PZ1.1H/U/D/O/V), and the three
general-purpose software on every computer in use (PZ2.3). The judgement lives in
:mod:`toolkit.entitlements` (附件5 counts from the same flags); this module only reports it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..entitlements import ANTIVIRUS, category_of, licence_flags
from ..findings import ERROR, REGISTRY, WARNING, CheckContext, Finding
from ..normalize import norm_key
from ..rollup import IN_USE
from .numbering import by_number

_MS_BRIEF = "微软批量许可说明《Downgrade rights for Microsoft Commercial Licensing, OEM, and FPP licenses》"

REGISTRY.declare(
    "PZ1.1H", ERROR, "家庭版或个人版用于办公",
    "软件编号 {no}“{name}”是 {edition}，面向家庭和个人，不属于单位正版序列。请卸载，改用单位版本（专业版、企业版、批量许可等），并更新台账。",
    "附件7 登记的（或附件8 中安装的）软件是家庭版、个人版：Windows 家庭版/家庭中文版，Office 家庭和学生版、个人版，Microsoft 365 家庭版，WPS 个人版，统信 UOS 家庭版（按 schemas/products.toml 识别）。",
    source="宜章县软件正版化自查登记表说明“家庭版不属于单位正版序列”；Office 家庭和学生版不得用于商业用途（微软）；WPS 个人版与机构版许可协议分立",
)
REGISTRY.declare(
    "PZ1.1U", ERROR, "未授权升级",
    "软件编号 {no} 安装的版本“{version}”高于可使用版本“{usable}”：许可不包括这一版本。请卸载后安装许可范围内的版本，或采购新版本许可并在附件7 另行编号登记。",
    "附件7 的软件版本、或附件9 安装记录的安装版本，高于该编号的可使用版本（按主版本号比较）。",
    source="《正版软件管理工作指南》软件安装维护管理规定 二（不得私自升级商业软件）；许可只授权可使用版本",
)
REGISTRY.declare(
    "PZ1.1D", WARNING, "降级使用未登记",
    "软件编号 {no}（{licence}）安装的版本“{version}”低于可使用版本“{usable}”。批量许可可在同一版本系列内降级；其他许可须有降级授权：请在附件7 备注中写明降级授权（含“降级”二字）并保存授权书，或安装可使用版本。",
    "安装版本低于可使用版本，而许可不是批量/场地许可（或本单位设置要求一律登记），且附件7 或附件9 的备注没有记录降级授权。按本单位设置“降级须登记”决定是否检查。",
    source=f"{_MS_BRIEF}：批量许可有降级权，OEM 应用与零售版没有，降级限同一版本系列",
)
REGISTRY.declare(
    "PZ1.1O", ERROR, "OEM 软件不随原计算机使用",
    "OEM 软件 {no} 于 {date} 安装到计算机 {computer}（{why}）：OEM 许可随原计算机，不能移到别的计算机或替换计算机上。请卸载，为该计算机采购许可，并更正附件9。",
    "OEM（随机预装）软件只能在随其出厂的计算机上使用：一台计算机投入使用（首次登记安装）超过宽限天数后才首次安装某 OEM 编号，且替换了同类别软件或同时从另一台计算机卸载了该编号；或安装记录的备注写明迁移、移机。宽限天数见本单位设置。",
    source="国办发〔2013〕88号、财行〔2013〕98号（操作系统随计算机预装）；微软 OEM 许可随设备、不得转移",
)
REGISTRY.declare(
    "PZ1.1V", WARNING, "批量许可 Windows 缺少基础许可",
    "计算机 {computer} 安装了批量许可的 {name}（{no}），但台账中该计算机没有 OEM 或零售的 Windows：批量许可的 Windows 只是升级许可。请在附件7/附件9 登记该计算机的基础 Windows 许可，或为其采购完整许可。",
    "批量许可（或场地许可）的桌面 Windows 安装在一台按附件9 和附件8 从未有过 OEM 或单机许可 Windows 的计算机上。",
    source="微软《Initial Operating System, Transfer of License, and Reassignment》：桌面 Windows 批量许可只授予升级许可；国办发〔2013〕88号（计算机预装正版操作系统）",
)


@REGISTRY.checker("PZ1.1H", "PZ1.1U", "PZ1.1D", "PZ1.1O", "PZ1.1V")
def licences(ctx: CheckContext) -> Iterator[Finding]:
    """Consumer editions, installs above or below the licensed version, OEM moved, volume Windows without a base."""
    if ctx.ledger.form("附件7") is None:
        return
    for f in licence_flags(ctx.ledger, ctx.rollup, ctx.settings):
        yield ctx.finding(f.code, f.row.sheet, f.row.cell(f.column), f.row.row, **f.values)


_NEEDED = {"服务器": ("操作系统", ANTIVIRUS), "台式机": ("操作系统", "办公软件", ANTIVIRUS), "便携机": ("操作系统", "办公软件", ANTIVIRUS)}


@REGISTRY.rule(
    "PZ2.3", WARNING, "三类通用软件不全",
    "计算机 {computer}（{ctype}，在用）没有登记{missing}。每台计算机应配备操作系统、办公软件和杀毒软件的正版许可（服务器为操作系统和杀毒软件）：请补充采购、安装并在附件9 登记，或在计算机清单中更正其状态。",
    "计算机清单中在用的台式机、便携机按附件9 没有装操作系统、办公软件或杀毒软件（服务器：操作系统、杀毒软件），按附件7 的软件类别判断。附件7 没有软件类别列、没有计算机清单、或该计算机装有类别不明的软件时不检查；本单位设置可关闭。",
    source="国办发〔2013〕88号 第二条（操作系统、办公、杀毒三类通用软件）；财行〔2013〕98号（每台计算机配备 1 个操作系统、1 个办公软件、1 个防病毒软件授权）",
)
def three_software(ctx: CheckContext) -> Iterator[Finding]:
    """A computer in use without an operating system, an office suite or antivirus software registered."""
    summary = ctx.ledger.form("附件7")
    if summary is None or not ctx.settings.three_software:
        return
    if not summary.has("category"):
        ctx.skip("PZ2.3", "附件7 没有“软件类别”列，无法核对每台计算机的三类通用软件")
        return
    if not ctx.ledger.has_computer_list:
        ctx.skip("PZ2.3", "没有计算机清单，无法确定哪些计算机在用")
        return
    numbers = by_number(ctx)
    category = {nk: category_of(rows[0]) for nk, rows in numbers.items()}
    on: dict[str, set[str | None]] = {}
    for (ck, nk), s in ctx.rollup.state.items():
        if s > 0:
            on.setdefault(ck, set()).add(category.get(nk))
    for c in ctx.ledger.computers:
        needed = _NEEDED.get(c.ctype or "")
        if c.status != IN_USE or needed is None or not c.computer:
            continue
        have = on.get(norm_key(c.computer), set())
        if None in have:
            continue  # software of unknown category might be the missing one
        missing = [n for n in needed if n not in have]
        if missing:
            yield ctx.finding("PZ2.3", c.sheet, c.cell("computer"), c.row, computer=c.computer, ctype=c.ctype, missing="、".join(missing))
