"""Rules reported by ``reconcile`` (scans of installed software against the ledger).

``reconcile`` (``toolkit.scans.reconcile``) emits these findings itself, so they are declared
here and not run by ``check``. RZ is 软件日常使用管理规定 (四、督促检查 2: 利用技术手段开展软件使用情况检查).
PZ1.2 is declared with the summary rules and reported from scans too.
"""

from __future__ import annotations

from ..findings import ERROR, REGISTRY, WARNING

REGISTRY.declare(
    "PZ1.2U", ERROR, "安装了未登记的软件",
    "计算机 {computer} 上安装了“{name}”{version}（扫描文件 {scan}），附件7 和附件6 中都没有登记。"
    "请登记（商业软件补录采购信息，免费软件经审批加入附件6），或卸载。",
    "扫描到的软件在附件7 和附件6 中都没有登记（按别名表规范名称后比较产品）。",
)
REGISTRY.declare(
    "TZ2.2S", ERROR, "扫描到的软件未列入该计算机的附件8",
    "计算机 {computer} 上安装了“{name}”{version}（扫描文件 {scan}；台账中登记为 {registered}），"
    "但附件8 中该计算机没有这一软件。请补登附件8 和附件9 的安装记录，或卸载。",
    "扫描到的软件已在台账中登记，但附件8 中这台计算机的软件里没有它。",
)
REGISTRY.declare(
    "TZ2.2M", WARNING, "附件8 登记的软件在扫描中未找到",
    "附件8 登记计算机 {computer} 安装了“{name}”（编号 {no}），扫描文件 {scan} 中没有找到。"
    "若已卸载，请在附件9 登记卸载并更新附件8；若扫描中名称不同，请在别名表中补充对应关系。",
    "附件8 中某台计算机的软件在该计算机的扫描结果中找不到。",
)
REGISTRY.declare(
    "AZ2.1", ERROR, "安装版本高于可使用版本",
    "计算机 {computer} 上安装的“{name}”版本 {installed} 高于附件7 编号 {no} 的可使用版本 {usable}（扫描文件 {scan}）。"
    "升级须经审批，并在附件9 登记旧编号卸载、新编号安装；否则请改装可使用的版本。",
    "扫描到的商业软件版本高于附件7 中该软件的可使用版本（软件安装维护管理规定 二、软件升级）。",
)
REGISTRY.declare(
    "PZ1.1P", ERROR, "使用个人版或家庭版软件",
    "计算机 {computer} 上安装的“{name}”是{edition}（扫描文件 {scan}）。个人或家庭版本不能用于办公，"
    "不属于单位正版序列。请更换为单位授权的版本。",
    "扫描到家庭版、家庭和学生版、个人版等个人或家庭版本（Windows 家庭版、Office 家庭和学生版、WPS 个人版等）。",
)
REGISTRY.declare(
    "RZ4.2N", WARNING, "在用计算机没有扫描结果",
    "在用计算机 {computer}（主机名 {host}）没有对应的扫描文件。请在该计算机上运行采集脚本，或在计算机清单中核对主机名、序列号。",
    "计算机清单（没有时为附件8）中在用的计算机没有任何扫描文件与之对应。",
)
REGISTRY.declare(
    "RZ4.2U", ERROR, "扫描文件对应不到台账中的计算机",
    "扫描文件 {scan} 的计算机（主机名 {host}，序列号 {serial}）在计算机清单和附件8 中都找不到。"
    "请在计算机清单中登记该计算机并填写主机名或序列号，或确认文件来源。",
    "扫描文件的主机名、序列号和计算机编号都对应不到计算机清单或附件8 中的计算机。",
)
REGISTRY.declare(
    "RZ4.2D", WARNING, "同一台计算机有多份扫描",
    "扫描文件 {scan} 与 {other} 都是计算机 {computer} 的扫描，已采用较新的 {used}。请删除多余的文件。",
    "两个或更多扫描文件对应同一台计算机（主机名重复）；只采用采集时间最新的一份。",
)
REGISTRY.declare(
    "RZ4.2F", ERROR, "扫描文件无法使用",
    "扫描文件 {scan} 无法使用：{reason}",
    "扫描文件无法读取：不是软件清单、被截断、编码无法识别、是空的，或格式不符。每个文件一条，其他文件照常核对。",
)
REGISTRY.declare(
    "RZ4.2Q", ERROR, "扫描文件中的中文已丢失",
    "扫描文件 {scan} 无法使用：{reason}",
    "Windows PowerShell 5.1 的 Export-Csv 未加 -Encoding 时按 ASCII 写出，中文名称变成“?”，无法核对。",
)
