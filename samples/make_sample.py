"""Build ``samples/台账示例.xlsx``: the ledger of a fictional unit, 2019 to mid-2026.

Run ``python samples/make_sample.py [OUT]``. The same seed gives the same workbook, byte for
byte. 附件7's 安装数量, 附件8 and the counts are rolled up from the 附件9 logs as of
2026-06-30 the way docs/rollup.md says (the roll-up here is the script's own, not the toolkit's),
and then the few deliberate defects listed in ``samples/README.md`` (and in :data:`DEFECTS`)
are put in. Everything else is meant to pass ``zbtz check --as-of 2026-06-30``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.forms.layout import NA, LedgerData, data_cell, sheet_name, write_ledger  # noqa: E402
from toolkit.schemas import schema  # noqa: E402

SEED = 20260630
AS_OF = dt.date(2026, 6, 30)
UNIT = "某市数据资源管理局"
OUT = Path(__file__).resolve().parent / "台账示例.xlsx"
BARE = "TS-051"
D = dt.date
NO_REQUEST = ("SY-006", D(2025, 9, 5))  # the first Acrobat install has no 附件10 request (AZ1.2)
NO_CONFIRMATION = ("MF-007", D(2026, 3, 16))  # the first browser uninstall has no 附件11 confirmation (AZ1.4)
REGISTERS_SINCE = D(2025, 1, 1)  # the unit keeps the 附件10/附件11 registers since 2025

DEPTS = [
    ("办公室", 12),
    ("综合规划处", 10),
    ("数据资源处", 10),
    ("信息化建设处", 10),
    ("网络安全处", 9),
    ("人事财务处", 11),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉宁斌鹏飞亮晨欣怡博宇浩然思雨佳琪轩晓峰海波丹林云颖"
    "婷雪梅琳凯鑫俊健"
)

# The deliberate defects, each with the rule it triggers; build() finds their cells.
DEFECTS = {
    "installed_off_by_one": ("TZ1.13", "WPS Office 2019 专业版（SY-005）的安装数量比附件9日志汇总结果多 1"),
    "over_deployed": ("PZ1.1", "AutoCAD 2022（SY-007）许可数量 3，日志显示已安装在 4 台计算机上"),
    "free_not_whitelisted": ("TZ1.12", "金山毒霸（MF-006）已登记在附件7，但未列入附件6 可使用免费软件清单"),
    "free_installed_not_whitelisted": ("PZ1.2", "同一问题：金山毒霸已安装（附件8 中该软件的第一行）"),
    "licence_ending": ("PZ1.1W", "Adobe Acrobat DC（SY-006）订阅许可 2026-08-31 到期，在检查日后 90 天内"),
    "oem_amount": ("TZ1.6", "OEM 软件 Microsoft Office 家庭和学生版 2019（OEM-003）填写了采购金额"),
    "uninstall_nothing": ("TZ3.4", "360杀毒（MF-005）在同一台计算机上被重复登记卸载（卸载时已无安装）"),
    "consumer_edition": (
        "PZ1.1H",
        "OEM 软件 Microsoft Office 家庭和学生版 2019（OEM-003）是家庭版，不属于单位正版序列",
    ),
    "unlicensed_upgrade": ("PZ1.1U", "Microsoft Project 专业版（SY-012）装的是 2021，许可的可使用版本是 2019"),
    "downgrade": ("PZ1.1D", "Microsoft Visio 标准版（SY-013）单机许可 2021，装的是 2016，备注没有降级授权（警告）"),
    "oem_moved": ("PZ1.1O", "报废的 TS-012 的 Windows 10 OEM（OEM-001）被“迁移”到便携机 BJ-16 上"),
    "volume_windows": (
        "PZ1.1V",
        "新台式机 TS-051 裸机采购，只装了批量许可的 Windows 10 企业版（SY-014），没有基础 Windows 许可（警告）",
    ),
    "three_software": ("PZ2.3", "服务器 FW-04 没有登记杀毒软件（其余服务器 2026-05 已统一部署，警告）"),
    "no_request": ("AZ1.2", "Adobe Acrobat DC（SY-006）在 2025-09-05 的一次安装没有附件10 申请（警告）"),
    "no_confirmation": ("AZ1.4", "360安全浏览器（MF-007）在 2026-03-16 的一次卸载没有附件11 确认（警告）"),
    "no_pledge": ("ZR3", "一名工作人员没有签署承诺书（警告）"),
}


@dataclass
class Computer:
    code: str
    ctype: str
    brand: str
    model: str
    user: str
    dept: str
    start: dt.date
    status: str = "在用"
    scrap: dt.date | None = None
    remark: str | None = None


def _software() -> list[dict]:
    """附件7 rows before the roll-up: 商业软件, then OEM软件, then 免费软件."""

    def com(no, name, version, category, bought, amount, ltype, count, term, serial, acquisition="采购", usable=None):
        return dict(
            software_no=no,
            name=name,
            version=version,
            sw_type="商业软件",
            category=category,
            acquisition=acquisition,
            purchase_date=bought,
            amount=amount,
            license_type=ltype,
            license_count=count,
            usable_version=usable or version,
            term=term,
            serial=serial,
        )

    def oem(no, name, version, category):
        return dict(software_no=no, name=name, version=version, sw_type="OEM软件", category=category)

    def free(no, name, category):
        return dict(software_no=no, name=name, sw_type="免费软件", category=category)

    return [
        com(
            "SY-001",
            "Windows Server 2019 标准版",
            "2019",
            "操作系统",
            D(2019, 3, 11),
            27600.0,
            "单机许可",
            4,
            "永久",
            "WS19-STD-7Q2K",
        ),
        com(
            "SY-002",
            "Microsoft Office 专业增强版 2016",
            "2016",
            "办公软件",
            D(2018, 11, 20),
            56000.0,
            "批量许可",
            20,
            "永久",
            "OPP16-VL-3M8D",
        ),
        com(
            "SY-003",
            "Microsoft Office 专业增强版 2019",
            "2019",
            "办公软件",
            D(2021, 4, 12),
            96000.0,
            "批量许可",
            30,
            "永久",
            "OPP19-VL-9T4C",
        ),
        com(
            "SY-004",
            "Microsoft Office 专业增强版 2019",
            "2019",
            "办公软件",
            D(2023, 5, 6),
            32000.0,
            "批量许可",
            10,
            "永久",
            "OPP19-VL-2H7W",
        ),
        com(
            "SY-005",
            "WPS Office 2019 专业版",
            "2019",
            "办公软件",
            D(2020, 8, 27),
            36000.0,
            "批量许可",
            40,
            "永久",
            "WPS19-PRO-5R1N",
        ),
        com(
            "SY-006",
            "Adobe Acrobat DC",
            "DC",
            "办公软件",
            D(2025, 9, 1),
            9950.0,
            "订阅许可",
            5,
            "2025-09-01至2026-08-31",
            "ADBE-ACR-8J3P",
        ),
        com("SY-007", "AutoCAD 2022", "2022", "工具软件", D(2022, 4, 15), 46500.0, "单机许可", 3, "5年", "ACAD22-6F4V"),
        com("SY-008", "用友U8+", "V13.0", "业务软件", D(2020, 1, 6), 48000.0, "用户许可", 6, "永久", "UFU8-13-2X9L"),
        com(
            "SY-009",
            "SQL Server 2019 标准版",
            "2019",
            "数据库",
            D(2019, 3, 11),
            31800.0,
            "单机许可",
            2,
            "永久",
            "SQL19-STD-4B6M",
        ),
        com(
            "SY-010",
            "福昕高级PDF编辑器 专业版",
            "12",
            "办公软件",
            NA,
            NA,
            "批量许可",
            10,
            "永久",
            "FXPE12-7C5G",
            acquisition="受赠",
        ),
        com(
            "SY-011",
            "Microsoft Visio 专业版 2019",
            "2019",
            "办公软件",
            D(2021, 4, 12),
            7800.0,
            "单机许可",
            2,
            "永久",
            "VIS19-PRO-1D8S",
        ),
        com(
            "SY-012",
            "Microsoft Project 专业版",
            "2021",
            "办公软件",
            D(2021, 4, 12),
            9600.0,
            "单机许可",
            1,
            "永久",
            "PRJ19-PRO-4N2Q",
            usable="2019",
        ),
        com(
            "SY-013",
            "Microsoft Visio 标准版",
            "2016",
            "办公软件",
            D(2025, 12, 8),
            3900.0,
            "单机许可",
            1,
            "永久",
            "VIS21-STD-6K3R",
            usable="2021",
        ),
        com(
            "SY-014",
            "Windows 10 企业版",
            "10",
            "操作系统",
            D(2026, 6, 1),
            5600.0,
            "批量许可",
            5,
            "永久",
            "W10E-VL-8P5T",
        ),
        oem("OEM-001", "Windows 10 专业版", "10", "操作系统"),
        oem("OEM-002", "Windows 11 专业版", "11", "操作系统"),
        oem("OEM-003", "Microsoft Office 家庭和学生版 2019", "2019", "办公软件"),
        free("MF-001", "7-Zip", "工具软件"),
        free("MF-002", "福昕阅读器", "办公软件"),
        free("MF-003", "搜狗输入法", "工具软件"),
        free("MF-004", "火绒安全", "杀毒软件"),
        free("MF-005", "360杀毒", "杀毒软件"),
        free("MF-006", "金山毒霸", "杀毒软件"),
        free("MF-007", "360安全浏览器", "工具软件"),
        free("MF-008", "Notepad++", "工具软件"),
        free("MF-009", "腾讯会议", "办公软件"),
        free("MF-010", "微信", "其他"),
        free("MF-011", "钉钉", "办公软件"),
    ]


WHITELIST = {  # 软件编号 -> (来源, 厂商, 使用部门, 使用原因); 金山毒霸 (MF-006) is missing on purpose
    "MF-001": ("https://www.7-zip.org", "Igor Pavlov", "全局", "文件压缩与解压"),
    "MF-002": ("https://www.foxitsoftware.cn", "福昕软件", "全局", "阅读 PDF 公文"),
    "MF-003": ("https://pinyin.sogou.com", "搜狗", "全局", "中文输入"),
    "MF-004": ("https://www.huorong.cn", "火绒安全", "全局", "终端防病毒（2022 年起统一使用）"),
    "MF-005": ("https://sd.360.cn", "三六零", "全局", "终端防病毒（2022 年前使用）"),
    "MF-007": ("https://browser.360.cn", "三六零", "全局", "访问政务网站（兼容模式）"),
    "MF-008": ("https://notepad-plus-plus.org", "Don Ho", "信息化建设处、网络安全处", "编辑配置文件与脚本"),
    "MF-009": ("https://meeting.tencent.com", "腾讯", "全局", "视频会议"),
    "MF-010": ("https://weixin.qq.com", "腾讯", "全局", "工作沟通"),
    "MF-011": ("https://www.dingtalk.com", "阿里巴巴", "全局", "与协作单位沟通"),
}

# Free software versions by the date they were installed.
FREE_VERSIONS = {
    "MF-001": [(D(2019, 1, 1), "19.00"), (D(2021, 7, 1), "21.07"), (D(2023, 7, 1), "23.01")],
    "MF-002": [(D(2019, 1, 1), "9.7"), (D(2021, 1, 1), "11.0"), (D(2023, 1, 1), "12.1")],
    "MF-003": [(D(2019, 1, 1), "9.5"), (D(2021, 1, 1), "11.0"), (D(2023, 6, 1), "13.2")],
    "MF-004": [(D(2019, 1, 1), "5.0"), (D(2024, 1, 1), "6.0")],
    "MF-005": [(D(2019, 1, 1), "5.0")],
    "MF-006": [(D(2019, 1, 1), "2024.7")],
    "MF-007": [(D(2019, 1, 1), "10.1"), (D(2022, 1, 1), "13.1"), (D(2024, 1, 1), "15.3")],
    "MF-008": [(D(2019, 1, 1), "7.6"), (D(2021, 1, 1), "8.1"), (D(2024, 1, 1), "8.6")],
    "MF-009": [(D(2019, 1, 1), "2.3"), (D(2022, 1, 1), "3.12"), (D(2024, 1, 1), "3.26")],
    "MF-010": [(D(2019, 1, 1), "2.9"), (D(2022, 1, 1), "3.7"), (D(2024, 1, 1), "3.9")],
    "MF-011": [(D(2019, 1, 1), "6.0"), (D(2023, 1, 1), "7.0")],
}


class Sample:
    """The unit, its computers and the history of installs, built step by step from one seed."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.summary = _software()
        self.sw = {s["software_no"]: s for s in self.summary}
        self.logs: dict[str, list[dict]] = {s["software_no"]: [] for s in self.summary}
        self.installed: dict[tuple[str, str], bool] = {}  # what the history says, as it is built
        self.staff = self._staff()
        self.computers = self._computers()
        self.computers.append(self._bare_desktop())
        self.by_code = {c.code: c for c in self.computers}
        it = [p for p, d in self.staff if d == "信息化建设处"]
        self.operators = it[1:3]

    # --- people and computers ----------------------------------------------------------------

    def _staff(self) -> list[tuple[str, str]]:
        names: list[str] = []
        out = []
        for dept, n in DEPTS:
            for _ in range(n):
                while True:
                    name = self.rng.choice(SURNAMES) + "".join(
                        self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
                    )
                    if name not in names:
                        break
                names.append(name)
                out.append((name, dept))
        return out

    def _computers(self) -> list[Computer]:
        rng = self.rng
        heads = {}
        for name, dept in self.staff:
            heads.setdefault(dept, name)
        dept_of = dict(self.staff)
        # four people without a computer of their own (drivers, a part-time clerk)
        others = [p for p, _ in self.staff if p not in heads.values()]
        without = set(rng.sample(others, 4))
        users = [p for p, _ in self.staff if p not in without]
        rng.shuffle(users)
        admin = next(p for p, d in self.staff if d == "信息化建设处" and p not in heads.values() and p not in without)

        comps: list[Computer] = []
        servers = [
            ("FW-01", "浪潮", "NF5280M5"),
            ("FW-02", "浪潮", "NF5280M5"),
            ("FW-03", "华为", "FusionServer 2288H V5"),
            ("FW-04", "华为", "FusionServer 2288H V5"),
        ]
        for code, brand, model in servers:
            comps.append(Computer(code, "服务器", brand, model, admin, "信息化建设处", D(2019, 3, 18), remark="机房"))

        batches = [
            (1, 20, "联想", "启天M420", D(2019, 4, 8)),
            (21, 35, "联想", "启天M430", D(2020, 9, 14)),
            (36, 50, "华为", "擎云W515x", D(2022, 6, 20)),
        ]
        desk_codes = [
            (f"TS-{i:03d}", brand, model, day) for a, b, brand, model, day in batches for i in range(a, b + 1)
        ]
        # TS-005 was replaced by TS-036 for the same person (停用); TS-012 was scrapped in 2025 and
        # its user works on the laptop BJ-10 since 2023.
        own = [c for c in desk_codes if c[0] not in ("TS-005", "TS-012")]
        people = iter(users)
        owner: dict[str, str] = {}
        for code, *_ in own:
            owner[code] = next(people)
        laptop_batches = [
            (1, 8, "联想", "ThinkPad E14", D(2021, 5, 10)),
            (9, 16, "华为", "MateBook 14", D(2023, 10, 16)),
        ]
        lap_codes = [
            (f"BJ-{i:02d}", brand, model, day) for a, b, brand, model, day in laptop_batches for i in range(a, b + 1)
        ]
        for code in ("BJ-01", "BJ-02", "BJ-03", "BJ-04", "BJ-05", "BJ-06", "BJ-07", "BJ-08", "BJ-09", "BJ-10"):
            owner[code] = next(people)
        for code, head in zip(("BJ-11", "BJ-12", "BJ-13", "BJ-14", "BJ-15", "BJ-16"), heads.values(), strict=True):
            owner[code] = head  # department heads: a laptop besides their desktop
        assert next(people, None) is None, "every user has a computer"
        owner["TS-005"] = owner["TS-036"]
        owner["TS-012"] = owner["BJ-10"]
        for code, brand, model, day in desk_codes:
            c = Computer(
                code, "台式机", brand, model, owner[code], dept_of[owner[code]], day + dt.timedelta(rng.randrange(3))
            )
            if code == "TS-005":
                c.status, c.remark = "停用", "2022年6月由 TS-036 替换，待处置"
            if code == "TS-012":
                c.status, c.scrap, c.remark = "报废", D(2025, 11, 20), "主板损坏，已报废"
            comps.append(c)
        for code, brand, model, day in lap_codes:
            comps.append(
                Computer(
                    code,
                    "便携机",
                    brand,
                    model,
                    owner[code],
                    dept_of[owner[code]],
                    day + dt.timedelta(rng.randrange(3)),
                )
            )
        return comps

    def _bare_desktop(self) -> Computer:
        """DEFECT PZ1.1V: TS-051, for a clerk who had no computer, bought without Windows in 2026."""
        users = {c.user for c in self.computers}
        person, dept = next((p, d) for p, d in self.staff if p not in users)
        return Computer(BARE, "台式机", "华为", "擎云W515x", person, dept, D(2026, 6, 15), remark="裸机采购")

    # --- the history ---------------------------------------------------------------------------

    def version(self, no: str, day: dt.date) -> str:
        if no in FREE_VERSIONS:
            return [v for since, v in FREE_VERSIONS[no] if since <= day][-1]
        return self.sw[no]["version"]

    def log(
        self,
        op: str,
        no: str,
        code: str,
        day: dt.date,
        version: str | None = None,
        remark: str | None = None,
        force: bool = False,
    ) -> None:
        """One 附件9 row; the history must make sense unless ``force`` (a deliberate defect)."""
        c = self.by_code[code]
        key = (code, no)
        if not force:
            assert self.installed.get(key, False) == (op == "卸载"), (op, no, code, day)
        self.installed[key] = op == "安装"
        self.logs[no].append(
            dict(
                op=op,
                computer=code,
                brand=c.brand,
                user=c.user,
                dept=c.dept,
                version=version or self.version(no, day),
                date=day,
                qty=1,
                operator=self.operators[self.rng.randrange(2)],
                remark=remark,
            )
        )

    def has(self, code: str, no: str) -> bool:
        return self.installed.get((code, no), False)

    def clients(self, before: dt.date) -> list[Computer]:
        return [c for c in self.computers if c.ctype != "服务器" and c.start < before]

    def build_history(self) -> None:
        """Every event in date order, so that what is installed is always known."""
        events: list[tuple[dt.date, int, Callable[[], None]]] = []

        def at(day: dt.date, fn: Callable[[], None]) -> None:
            events.append((day, len(events), fn))

        for c in self.computers:
            setup = (
                self.bare_desktop if c.code == BARE else self.setup_server if c.ctype == "服务器" else self.setup_client
            )
            at(c.start, partial(setup, c))
        finance = [
            c
            for c in sorted(self.computers, key=lambda c: (c.start, c.code))
            if c.dept == "人事财务处" and c.ctype != "服务器" and c.status == "在用"
        ][:4]
        at(D(2020, 1, 10), partial(self.log, "安装", "SY-008", "FW-04", D(2020, 1, 10), remark="财务系统服务端"))
        for c in finance:
            day = max(c.start, D(2020, 1, 10))
            at(day, partial(self.log, "安装", "SY-008", c.code, day, remark="财务系统客户端"))
        for day, fn in (
            (D(2020, 2, 10), self.meetings),
            (D(2021, 4, 20), self.office_2019),
            (D(2022, 3, 15), self.antivirus),
            (D(2022, 4, 20), self.autocad),
            (D(2022, 6, 22), self.replace_ts005),
            (D(2023, 5, 10), self.office_2019_lot2),
            (D(2023, 11, 6), self.no_wechat),
            (D(2024, 3, 18), self.update_7zip),
            (D(2024, 5, 20), self.donated_pdf),
            (D(2024, 7, 8), self.kingsoft),
            (D(2025, 3, 10), self.autocad_fourth),
            (D(2025, 9, 5), self.acrobat),
            (D(2025, 11, 20), self.scrap_ts012),
            (D(2026, 3, 16), self.no_browser),
            (D(2026, 5, 11), self.meetings_again),
            (D(2026, 5, 18), self.server_antivirus),
            (D(2026, 5, 25), self.project),
            (D(2026, 6, 1), self.visio_standard),
            (D(2026, 6, 8), self.oem_moved),
        ):
            at(day, partial(fn, day))
        for _, _, fn in sorted(events, key=lambda e: e[:2]):
            fn()

    def bare_desktop(self, c: Computer) -> None:
        """TS-051, bought without an operating system: only the volume Windows 10 企业版 (SY-014)."""
        for no in ("SY-014", "SY-005", "MF-004", "MF-002"):
            self.log("安装", no, c.code, c.start, remark="统一部署（新机配置）")

    def setup_server(self, c: Computer) -> None:
        for no in ("SY-001", "MF-001", "MF-008"):
            self.log("安装", no, c.code, c.start)
        if c.code in ("FW-02", "FW-03"):
            self.log("安装", "SY-009", c.code, c.start)

    def setup_client(self, c: Computer) -> None:
        rng, day = self.rng, c.start
        if c.code.startswith("BJ-") and c.start.year >= 2023:
            self.log("安装", "OEM-002", c.code, day)
            self.log("安装", "OEM-003", c.code, day)
        else:
            self.log("安装", "OEM-001", c.code, day)
        if c.start.year == 2019:
            self.log("安装", "SY-002", c.code, day)
        elif c.code.startswith("BJ-") and c.start.year == 2021:
            self.log("安装", "SY-003", c.code, day)
        elif c.code.startswith("TS-"):
            self.log("安装", "SY-005", c.code, day)
        self.log("安装", "MF-005" if day < D(2022, 3, 15) else "MF-004", c.code, day)
        self.log("安装", "MF-002", c.code, day)
        if rng.random() < 0.8:
            self.log("安装", "MF-001", c.code, day)
        if rng.random() < 0.85:
            self.log("安装", "MF-003", c.code, day)
        if rng.random() < 0.6:
            self.log("安装", "MF-007", c.code, day)
        if day >= D(2020, 2, 10):
            self.log("安装", "MF-009", c.code, day)
        if rng.random() < 0.5:
            self.log("安装", "MF-010", c.code, day)
        if day >= D(2021, 1, 1) and rng.random() < 0.2:
            self.log("安装", "MF-011", c.code, day)
        if c.dept in ("信息化建设处", "网络安全处"):
            self.log("安装", "MF-008", c.code, day)

    def meetings(self, day: dt.date) -> None:
        """腾讯会议 for everyone already there."""
        for c in self.clients(day):
            if not self.has(c.code, "MF-009"):
                self.log("安装", "MF-009", c.code, day, remark="统一部署")

    def office_2019(self, day: dt.date) -> None:
        """The upgrade: 卸载 Office 2016 (SY-002), 安装 Office 2019 (SY-003) on 15 desktops; Visio."""
        candidates = [c.code for c in self.clients(day) if self.has(c.code, "SY-002") and c.code != "TS-005"]
        for code in sorted(self.rng.sample(candidates, 15)):
            self.log("卸载", "SY-002", code, day, remark="升级至 Office 2019（SY-003）")
            self.log("安装", "SY-003", code, day, remark="由 Office 2016（SY-002）升级")
        for code in [c.code for c in self.clients(day) if c.dept == "信息化建设处" and c.code.startswith("TS-")][:2]:
            self.log("安装", "SY-011", code, day)

    def antivirus(self, day: dt.date) -> None:
        """360杀毒 gives way to 火绒安全 everywhere."""
        switched = []
        for c in self.clients(day):
            if self.has(c.code, "MF-005"):
                self.log("卸载", "MF-005", c.code, day, remark="统一更换为火绒安全")
                self.log("安装", "MF-004", c.code, day, remark="统一部署")
                switched.append(c.code)
        # DEFECT TZ3.4: the same uninstall entered again the next day
        self.log("卸载", "MF-005", switched[7], day + dt.timedelta(days=1), force=True)

    def planners(self) -> list[str]:
        return [c.code for c in self.clients(D(2022, 4, 20)) if c.dept == "综合规划处" and c.status == "在用"]

    def autocad(self, day: dt.date) -> None:
        for code in self.planners()[:3]:  # 3 licences
            self.log("安装", "SY-007", code, day)

    def autocad_fourth(self, day: dt.date) -> None:
        # DEFECT PZ1.1: a fourth AutoCAD on 3 licences
        self.log("安装", "SY-007", self.planners()[3], day)

    def replace_ts005(self, day: dt.date) -> None:
        """TS-036 replaced TS-005: everything but the pre-installed Windows comes off the old one."""
        for no in self.logs:
            if no != "OEM-001" and self.has("TS-005", no):
                self.log("卸载", no, "TS-005", day, remark="更换计算机")

    def office_2019_lot2(self, day: dt.date) -> None:
        """The second lot of Office 2019 (SY-004): the last Office 2016 desktops but one, and 4 more."""
        left = [c.code for c in self.clients(day) if self.has(c.code, "SY-002")]
        for code in left[:-1]:
            self.log("卸载", "SY-002", code, day, remark="升级至 Office 2019（SY-004）")
            self.log("安装", "SY-004", code, day, remark="由 Office 2016（SY-002）升级")
        extra = [c.code for c in self.clients(day) if c.start.year == 2022 and not self.has(c.code, "SY-004")]
        for code in extra[:4]:
            self.log("安装", "SY-004", code, day)

    def no_wechat(self, day: dt.date) -> None:
        for c in self.clients(day):
            if c.dept == "网络安全处" and self.has(c.code, "MF-010"):
                self.log("卸载", "MF-010", c.code, day, remark="按安全要求卸载")

    def update_7zip(self, day: dt.date) -> None:
        """A free software's new version keeps its number: 卸载 the old, 安装 the new."""
        for c in self.clients(day):
            if c.dept == "信息化建设处" and self.has(c.code, "MF-001"):
                old = [r for r in self.logs["MF-001"] if r["computer"] == c.code][-1]["version"]
                if old != self.version("MF-001", day):
                    self.log("卸载", "MF-001", c.code, day, version=old, remark="升级")
                    self.log("安装", "MF-001", c.code, day, remark="升级")

    def donated_pdf(self, day: dt.date) -> None:
        donees = [c.code for c in self.clients(day) if c.status == "在用"]
        for code in sorted(self.rng.sample(donees, 6)):
            self.log("安装", "SY-010", code, day, remark="上级单位赠送")

    def kingsoft(self, day: dt.date) -> None:
        """Two laptop users replaced 火绒安全 by 金山毒霸 (which never made it onto 附件6)."""
        for code in ("BJ-03", "BJ-04"):
            self.log("卸载", "MF-004", code, day)
            self.log("安装", "MF-006", code, day)

    def acrobat(self, day: dt.date) -> None:
        office = [c.code for c in self.clients(day) if c.dept == "办公室" and c.status == "在用"]
        for code in office[:4]:
            self.log("安装", "SY-006", code, day)

    def scrap_ts012(self, day: dt.date) -> None:
        for no in self.logs:
            if self.has("TS-012", no):
                self.log("卸载", no, "TS-012", day, remark="计算机报废")

    def no_browser(self, day: dt.date) -> None:
        for c in self.clients(day):
            if c.dept == "网络安全处" and self.has(c.code, "MF-007"):
                self.log("卸载", "MF-007", c.code, day, remark="按安全要求卸载")

    def meetings_again(self, day: dt.date) -> None:
        for c in self.clients(day):
            if c.status == "在用" and not self.has(c.code, "MF-009"):
                self.log("安装", "MF-009", c.code, day, remark="统一部署")

    def server_antivirus(self, day: dt.date) -> None:
        """火绒安全 on the servers; DEFECT PZ2.3: FW-04 (the finance server) is left out."""
        for code in ("FW-01", "FW-02", "FW-03"):
            self.log("安装", "MF-004", code, day, remark="统一部署")

    def planner(self) -> str:
        return [c for c in self.planners() if not self.has(c, "SY-007")][0]

    def project(self, day: dt.date) -> None:
        # DEFECT PZ1.1U: Project 2021 on a licence for 2019
        self.log("安装", "SY-012", self.planner(), day)

    def visio_standard(self, day: dt.date) -> None:
        # DEFECT PZ1.1D: Visio 2016 on a retail 2021 licence, no downgrade right recorded
        self.log("安装", "SY-013", self.planner(), day)

    def oem_moved(self, day: dt.date) -> None:
        # DEFECT PZ1.1O: the scrapped TS-012's Windows 10 OEM "moved" onto the laptop BJ-16
        self.log("卸载", "OEM-002", "BJ-16", day, remark="改装 Windows 10")
        self.log("安装", "OEM-001", "BJ-16", day, remark="由报废的 TS-012 迁移")


# --- the roll-up (docs/rollup.md), done here independently of the toolkit -------------------------


def roll_up(sample: Sample, as_of: dt.date) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], dt.date]]:
    """State per (computer, number) and the date each state last went from 0 to above 0."""
    rows = []
    for sheet, (no, entries) in enumerate(sample.logs.items()):
        for i, e in enumerate(entries):
            if e["date"] <= as_of:
                rows.append((e["date"], sheet, i, no, e))
    rows.sort(key=lambda t: t[:3])
    state: dict[tuple[str, str], int] = {}
    since: dict[tuple[str, str], dt.date] = {}
    for day, _, _, no, e in rows:
        key = (e["computer"], no)
        cur = state.get(key, 0)
        if e["op"] == "安装":
            if cur == 0:
                since[key] = day
            state[key] = cur + e["qty"]
        else:
            state[key] = max(cur - e["qty"], 0)
    return state, since


def build(seed: int = SEED) -> tuple[LedgerData, list[tuple[str, str, str, str]]]:
    """The sample ledger and its deliberate defects as (rules, sheet, cell, description)."""
    s = Sample(seed)
    s.build_history()
    for entries in s.logs.values():
        entries.sort(key=lambda e: e["date"])  # stable: rows of one day keep their order
    state, since = roll_up(s, AS_OF)
    order = [r["software_no"] for r in s.summary]
    dept_rank = {d: i for i, (d, _) in enumerate(DEPTS)}

    installed = {no: 0 for no in order}
    for (_, no), n in state.items():
        installed[no] += n
    details = []
    for c in sorted(s.computers, key=lambda c: (dept_rank[c.dept], c.user, c.code)):
        nos = [no for no in order if state.get((c.code, no), 0) > 0]
        if not nos and c.status == "在用":
            details.append(dict(dept=c.dept, person=c.user, computer=c.code, brand=c.brand))
        for no in nos:
            sw = s.sw[no]
            details.append(
                dict(
                    dept=c.dept,
                    person=c.user,
                    computer=c.code,
                    brand=c.brand,
                    software_no=no,
                    name=sw["name"],
                    version=sw.get("version"),
                    term=sw.get("term"),
                    sw_type=sw["sw_type"],
                    install_date=since[(c.code, no)],
                )
            )
    staff_using = len({(d["dept"], d["person"]) for d in details})
    in_use = [c for c in s.computers if c.status == "在用"]

    # licences hold except where a defect says otherwise
    for sw in s.summary:
        if sw["sw_type"] == "商业软件" and sw["software_no"] != "SY-007":
            holders = {
                c if sw["license_type"] != "用户许可" else s.by_code[c].user
                for (c, no), n in state.items()
                if no == sw["software_no"] and n > 0
            }
            assert len(holders) <= sw["license_count"], sw["software_no"]

    summary = []
    for sw in s.summary:
        row = dict(sw, installed=installed[sw["software_no"]])
        summary.append(row)
    by_no = {r["software_no"]: r for r in summary}
    # DEFECT TZ1.13: WPS counted one too many; DEFECT TZ1.6: an OEM row with an amount
    by_no["SY-005"]["installed"] += 1
    by_no["OEM-003"]["amount"] = 1288.0
    whitelist = []
    for no, (source, vendor, dept, reason) in WHITELIST.items():
        whitelist.append(
            dict(software_no=no, name=s.sw[no]["name"], source=source, vendor=vendor, dept=dept, reason=reason)
        )

    info_keys = ("name", "version", "sw_type", "license_count", "usable_version", "term")
    logs = {no: ({k: by_no[no].get(k) for k in info_keys}, s.logs[no]) for no in order}
    computers = [
        dict(
            computer=c.code,
            ctype=c.ctype,
            brand=c.brand,
            model=c.model,
            user=c.user,
            dept=c.dept,
            status=c.status,
            start_date=c.start,
            scrap_date=c.scrap,
            remark=c.remark,
        )
        for c in s.computers
    ]
    data = LedgerData(
        unit=UNIT,
        fill_date=AS_OF,
        counts=dict(
            total_staff=len(s.staff),
            staff_using=staff_using,
            servers=sum(c.ctype == "服务器" for c in in_use),
            desktops=sum(c.ctype == "台式机" for c in in_use),
            laptops=sum(c.ctype == "便携机" for c in in_use),
        ),
        whitelist=whitelist,
        summary=summary,
        details=details,
        logs=logs,
        computers=computers,
        registers=_registers(s, details),
    )
    return data, _defect_cells(s, order, details)


def _registers(s: Sample, details: list[dict]) -> dict[str, list[dict]]:
    """附件10 requests (every log row since 2025 not marked 统一部署), 附件11 confirmations (every log row
    since 2025), pledges (everyone on 附件8), each with one deliberate gap: NO_REQUEST, NO_CONFIRMATION
    and TS-051's user."""
    rows = sorted(
        (
            (e["date"], no, i, e)
            for no, entries in s.logs.items()
            for i, e in enumerate(entries)
            if e["date"] >= REGISTERS_SINCE
        ),
        key=lambda t: t[:3],
    )
    requests, confirmations = [], []
    gap_request = gap_confirmation = True  # leave out the first row of each planted gap
    for day, no, _, e in rows:
        sw, op = s.sw[no], e["op"]
        if "统一部署" not in (e["remark"] or ""):
            if gap_request and (no, day) == NO_REQUEST and op == "安装":
                gap_request = False
            else:
                requests.append(
                    dict(
                        date=day - dt.timedelta(days=2),
                        dept=e["dept"],
                        applicant=e["user"],
                        computer=e["computer"],
                        item=op,
                        name=sw["name"],
                        version=e["version"],
                        old_no=no if op == "卸载" else None,
                        new_no=no if op == "安装" else None,
                        reason="工作需要",
                        dept_opinion="同意",
                        it_opinion="同意",
                    )
                )
        if gap_confirmation and (no, day) == NO_CONFIRMATION and op == "卸载":
            gap_confirmation = False
            continue
        confirmations.append(
            dict(
                date=day,
                computer=e["computer"],
                user=e["user"],
                op=op,
                software_no=no,
                name=sw["name"],
                version=e["version"],
                operator=e["operator"],
                confirmed="已确认",
            )
        )
    unsigned = s.by_code[BARE].user
    pledges = []
    for dept, person in dict.fromkeys((d["dept"], d["person"]) for d in details):
        if person != unsigned:
            pledges.append(dict(dept=dept, person=person, date=D(2019, 3, 1)))
    return {"附件10": requests, "附件11": confirmations, "承诺书签署登记": pledges}


def _defect_cells(s: Sample, order: list[str], details: list[dict]) -> list[tuple[str, str, str, str]]:
    """Where each defect shows in the canonical layout: (rule, sheet, cell, description)."""
    f7, f8, f9, fc = schema("附件7"), schema("附件8"), schema("附件9"), schema("计算机清单")
    at = {no: i for i, no in enumerate(order)}

    def log_row(no: str, day: dt.date, op: str, computer: str | None = None) -> int:
        return next(
            i
            for i, e in enumerate(s.logs[no])
            if e["date"] == day and e["op"] == op and computer in (None, e["computer"])
        )

    unsigned = s.by_code[BARE].user
    log_index = next(i for i, e in enumerate(s.logs["MF-005"]) if e["date"] == D(2022, 3, 16) and e["op"] == "卸载")
    first_mf6 = next(i for i, d in enumerate(details) if d.get("software_no") == "MF-006")
    cells = {
        "installed_off_by_one": (f7, "", data_cell(f7, "installed", at["SY-005"])),
        "over_deployed": (f7, "", data_cell(f7, "license_count", at["SY-007"])),
        "free_not_whitelisted": (f7, "", data_cell(f7, "name", at["MF-006"])),
        "free_installed_not_whitelisted": (f8, "", data_cell(f8, "software_no", first_mf6)),
        "licence_ending": (f7, "", data_cell(f7, "term", at["SY-006"])),
        "oem_amount": (f7, "", data_cell(f7, "amount", at["OEM-003"])),
        "uninstall_nothing": (f9, "MF-005", data_cell(f9, "op", log_index)),
        "consumer_edition": (f7, "", data_cell(f7, "name", at["OEM-003"])),
        "unlicensed_upgrade": (f7, "", data_cell(f7, "version", at["SY-012"])),
        "downgrade": (f7, "", data_cell(f7, "version", at["SY-013"])),
        "oem_moved": (f9, "OEM-001", data_cell(f9, "computer", log_row("OEM-001", D(2026, 6, 8), "安装", "BJ-16"))),
        "volume_windows": (f9, "SY-014", data_cell(f9, "computer", log_row("SY-014", D(2026, 6, 15), "安装", BARE))),
        "three_software": (
            fc,
            "",
            data_cell(fc, "computer", next(i for i, c in enumerate(s.computers) if c.code == "FW-04")),
        ),
        "no_request": (f9, NO_REQUEST[0], data_cell(f9, "date", log_row(NO_REQUEST[0], NO_REQUEST[1], "安装"))),
        "no_confirmation": (
            f9,
            NO_CONFIRMATION[0],
            data_cell(f9, "date", log_row(NO_CONFIRMATION[0], NO_CONFIRMATION[1], "卸载")),
        ),
        "no_pledge": (
            f8,
            "",
            data_cell(f8, "person", next(i for i, d in enumerate(details) if d["person"] == unsigned)),
        ),
    }
    return [(DEFECTS[k][0], sheet_name(form, no), cell, DEFECTS[k][1]) for k, (form, no, cell) in cells.items()]


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    data, defects = build()
    write_ledger(out, data, reproducible=True)
    n_logs = sum(len(rows) for _, rows in data.logs.values())
    print(
        f"已生成 {out}：{len(data.computers or [])} 台计算机，{len(data.summary)} 个软件编号，"
        f"附件8 {len(data.details)} 行，附件9 {n_logs} 行。"
    )
    print("故意设置的问题：")
    for rules, sheet, cell, text in defects:
        print(f"  {rules:<7} {sheet} {cell}  {text}")


if __name__ == "__main__":
    main(sys.argv[1:])
