"""Generate a large, consistent ledger for benchmarks, through the layout's fast path.

    python benchmarks/make_large.py [OUT] [--computers 5000] [--numbers 300] [--logs 100000] [--installed 0.7]

Defaults: 5,000 computers, 300 software numbers, exactly 100,000 附件9 log rows, and an
附件8 that is what those logs roll up to as of 2026-06-30 (so ``zbtz check`` on it should find
nothing about the roll-up); ``--installed`` is the share of the log rows that are a single
install still in place (附件8 has about that many rows; 0.57 gives the ~57,000 of the guide-shaped
ledger that benchmarks/bench_whole.py measures). Every number has its own 附件9 sheet, as the guide
prescribes. OUT defaults to ``benchmarks/out/large.xlsx`` (git-ignored).
The history is built pair by pair: each (computer, number) gets an alternating run of
安装/卸载 rows on increasing dates, installed at the end when the run is odd.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.forms.layout import LedgerData, write_ledger  # noqa: E402

AS_OF = dt.date(2026, 6, 30)
FIRST_DAY = dt.date(2019, 1, 1)
OUT = Path(__file__).resolve().parent / "out" / "large.xlsx"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉宁斌鹏飞亮晨欣怡博宇浩然思雨佳琪轩晓峰海波丹林云颖"
    "婷雪梅琳凯鑫俊健"
)
DEPT_WORDS = "办公综合规划发展改革财务人事法规政策宣传督查审计信息网络安全数据资源应急后勤机关党委监察统计档案科技"
BRANDS = [
    ("联想", "启天M430"),
    ("华为", "擎云W515x"),
    ("同方", "超翔TL630"),
    ("戴尔", "OptiPlex 7090"),
    ("惠普", "ProDesk 400"),
]
LAPTOPS = [("联想", "ThinkPad E14"), ("华为", "MateBook 14"), ("惠普", "ProBook 440")]
SERVERS = [("浪潮", "NF5280M6"), ("华为", "FusionServer 2288H V6"), ("曙光", "I620-G30")]
CATEGORIES = ["操作系统", "办公软件", "杀毒软件", "数据库", "业务软件", "工具软件", "其他"]


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name in seen:
            name += str(sum(1 for o in out if o.startswith(name)) + 2)  # 张伟2: people do share names
        seen.add(name)
        out.append(name)
    return out


def _software(rng: random.Random, n: int) -> list[dict]:
    n_com, n_oem = n // 3, max(n // 15, 1)
    rows = []
    for i in range(n):
        if i < n_com:
            no, typ = f"SY-{i + 1:04d}", "商业软件"
        elif i < n_com + n_oem:
            no, typ = f"OEM-{i - n_com + 1:03d}", "OEM软件"
        else:
            no, typ = f"MF-{i - n_com - n_oem + 1:04d}", "免费软件"
        category = "操作系统" if typ == "OEM软件" and i == n_com else rng.choice(CATEGORIES)
        row = dict(
            software_no=no,
            name=f"示例软件{i + 1:03d}",
            version=f"{rng.randrange(1, 13)}.0",
            sw_type=typ,
            category=category,
        )
        if typ == "商业软件":
            row.update(
                acquisition="采购",
                purchase_date=FIRST_DAY + dt.timedelta(rng.randrange(365)),
                amount=float(rng.randrange(10, 500) * 100),
                license_type="批量许可",
                usable_version=row["version"],
                term="永久",
                serial=f"SN-{rng.randrange(16**8):08X}",
            )
        if typ == "免费软件":
            del row["version"]
        rows.append(row)
    return rows


def build(
    computers: int = 5000, numbers: int = 300, logs: int = 100_000, seed: int = 1, installed: float = 0.7
) -> LedgerData:
    """A ledger with exactly ``logs`` 附件9 rows and 附件7/附件8 rolled up from them."""
    rng = random.Random(seed)
    depts = sorted({rng.choice(DEPT_WORDS) + rng.choice(DEPT_WORDS) + "处" for _ in range(60)})[:40]
    people = _names(rng, int(computers * 0.95) or 1)
    person_dept = {p: depts[i % len(depts)] for i, p in enumerate(people)}
    span = (AS_OF - FIRST_DAY).days

    comps = []
    for i in range(computers):
        kind = "服务器" if i % 50 == 0 else ("便携机" if i % 10 < 3 else "台式机")
        brand, model = rng.choice(SERVERS if kind == "服务器" else LAPTOPS if kind == "便携机" else BRANDS)
        user = people[i % len(people)]
        status = "停用" if i % 200 == 199 else "在用"
        comps.append(
            dict(
                computer=f"JSJ-{i + 1:05d}",
                ctype=kind,
                brand=brand,
                model=model,
                user=user,
                dept=person_dept[user],
                status=status,
                start_date=FIRST_DAY + dt.timedelta(rng.randrange(365)),
            )
        )

    summary = _software(rng, numbers)
    nos = [s["software_no"] for s in summary]
    oem = [s["software_no"] for s in summary if s["sw_type"] == "OEM软件"]
    others = [no for no in nos if no not in oem]

    # runs[(computer index, number)] = rows in its history; odd = installed at the end
    runs: dict[tuple[int, str], int] = {}
    per_computer = max(1, min(len(others), int(logs * installed / max(computers, 1))))
    for ci in range(computers):
        runs[(ci, oem[ci % len(oem)])] = 1
        for no in rng.sample(others, min(len(others), max(0, per_computer - 1 + rng.randrange(-3, 4)))):
            runs[(ci, no)] = 1
    keys = list(runs)
    while sum(runs.values()) > logs and keys:  # tiny benchmarks: fewer installs
        del runs[keys.pop()]
    extra = logs - sum(runs.values())
    if extra % 2:  # one more single install where there is none yet, else one fewer
        free_pair = next(((ci, no) for ci in range(computers) for no in nos if (ci, no) not in runs), None)
        if free_pair is not None:
            runs[free_pair] = 1
            extra -= 1
        else:
            del runs[next(k for k, n in runs.items() if n == 1)]
            extra += 1
    while extra > 1:
        ci, no = rng.randrange(computers), rng.choice(nos)
        if runs.get((ci, no), 0) + 2 > span:
            continue
        runs[(ci, no)] = runs.get((ci, no), 0) + 2  # a removed one (even), or removed and put back
        extra -= 2

    by_no: dict[str, list[tuple[dt.date, str, int, dict]]] = {no: [] for no in nos}
    since: dict[tuple[int, str], dt.date] = {}
    operators = people[:3]
    version = {s["software_no"]: s.get("version") or "1.0" for s in summary}
    for (ci, no), n in runs.items():
        c = comps[ci]
        days = sorted(rng.sample(range(span + 1), n))
        for k, d in enumerate(days):
            day = FIRST_DAY + dt.timedelta(d)
            op = "安装" if k % 2 == 0 else "卸载"
            by_no[no].append(
                (
                    day,
                    c["computer"],
                    k,
                    dict(
                        op=op,
                        computer=c["computer"],
                        brand=c["brand"],
                        user=c["user"],
                        dept=c["dept"],
                        version=version[no],
                        date=day,
                        qty=1,
                        operator=operators[k % len(operators)],
                    ),
                )
            )
        if n % 2:
            since[(ci, no)] = FIRST_DAY + dt.timedelta(days[-1])

    installed = dict.fromkeys(nos, 0)
    for _ci, no in since:
        installed[no] += 1
    order = {no: i for i, no in enumerate(nos)}
    info_keys = ("name", "version", "sw_type", "license_count", "usable_version", "term")
    for s in summary:
        s["installed"] = installed[s["software_no"]]
        if s["sw_type"] == "商业软件":
            s["license_count"] = installed[s["software_no"]] + rng.randrange(0, 20)

    held: dict[int, list[str]] = {}
    for ci, no in since:
        held.setdefault(ci, []).append(no)
    details = []
    for ci in sorted(range(computers), key=lambda i: (comps[i]["dept"], comps[i]["user"], comps[i]["computer"])):
        c = comps[ci]
        base = dict(dept=c["dept"], person=c["user"], computer=c["computer"], brand=c["brand"])
        mine = sorted(held.get(ci, ()), key=order.__getitem__)
        if not mine and c["status"] == "在用":
            details.append(base)
        for no in mine:
            s = summary[order[no]]
            details.append(
                dict(
                    base,
                    software_no=no,
                    name=s["name"],
                    version=s.get("version"),
                    term=s.get("term"),
                    sw_type=s["sw_type"],
                    install_date=since[(ci, no)],
                )
            )

    in_use = [c for c in comps if c["status"] == "在用"]
    return LedgerData(
        unit="某省大数据中心（基准测试）",
        fill_date=AS_OF,
        counts=dict(
            total_staff=len(people),
            staff_using=len({(d["dept"], d["person"]) for d in details}),
            servers=sum(c["ctype"] == "服务器" for c in in_use),
            desktops=sum(c["ctype"] == "台式机" for c in in_use),
            laptops=sum(c["ctype"] == "便携机" for c in in_use),
        ),
        whitelist=[
            dict(
                software_no=s["software_no"],
                name=s["name"],
                source="官网",
                vendor="示例厂商",
                dept="全局",
                reason="日常办公",
            )
            for s in summary
            if s["sw_type"] == "免费软件"
        ],
        summary=summary,
        details=details,
        logs={
            no: (
                {k: summary[order[no]].get(k) for k in info_keys},
                [row for *_, row in sorted(by_no[no], key=lambda t: t[:3])],
            )
            for no in nos
        },
        computers=comps,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成用于基准测试的大型台账（快速写出路径）。")
    ap.add_argument("out", nargs="?", default=str(OUT), help="输出文件（默认 benchmarks/out/large.xlsx）")
    ap.add_argument("--computers", type=int, default=5000)
    ap.add_argument("--numbers", type=int, default=300)
    ap.add_argument("--logs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--installed", type=float, default=0.7, help="仍安装着的单次安装占记录行的比例")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    data = build(args.computers, args.numbers, args.logs, args.seed, args.installed)
    t1 = time.perf_counter()
    write_ledger(args.out, data, fast=True)
    t2 = time.perf_counter()
    n_logs = sum(len(rows) for _, rows in data.logs.values())
    size = Path(args.out).stat().st_size
    print(
        f"{args.out}: {len(data.computers or [])} 台计算机，{len(data.summary)} 个软件编号，"
        f"附件9 {n_logs} 行，附件8 {len(data.details)} 行，{size / 2**20:.1f} MB"
    )
    print(f"生成数据 {t1 - t0:.1f} 秒，写出工作簿 {t2 - t1:.1f} 秒，共 {t2 - t0:.1f} 秒")


if __name__ == "__main__":
    main()
