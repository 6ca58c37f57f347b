"""Time ``reconcile`` of 5,000 scans × 150 entries (750,000 scan rows) against the large ledger.

    python benchmarks/bench_reconcile.py [LEDGER] [--entries 150]

LEDGER defaults to ``benchmarks/out/large.xlsx`` (made by ``benchmarks/make_large.py`` when
missing). The scans are written once to ``benchmarks/out/scans-<computers>x<entries>/`` in the
collectors' CSV format (UTF-8 with BOM), one file per computer of the ledger's 计算机清单: the
computer's own 附件8 software (by its registered name), then common government-desktop entries
(an OS row, Office, 搜狗, 7-Zip …), patches, runtimes and drivers (the noise), and a few names
the 别名表 does not know, up to ``--entries`` rows. Each phase runs in a fresh process so its
peak memory is its own:

- ``read``: read every scan file (``toolkit.scans.read.read_scan``) and nothing else;
- ``ledger``: read the ledger with its 别名表 sheet and index it;
- ``reconcile``: the whole ``reconcile`` (ledger, scans, comparison), as ``zbtz reconcile`` runs it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent / "out"
LARGE = OUT / "large.xlsx"

COMMON = [
    ("Microsoft Office 专业增强版 2016 ", "16.0.4266.1001", "Microsoft Corporation", "Office16.PROPLUS"),
    ("搜狗输入法 13.4.0正式版", "13.4.0.7202", "Sogou.com", "Sogou Input"),
    ("7-Zip 23.01 (x64)", "23.01", "Igor Pavlov", "7-Zip"),
    (
        "Adobe Acrobat DC (64-bit)",
        "21.001.20135",
        "Adobe Systems Incorporated",
        "{AC76BA86-1033-FFFF-7760-BC15014EA700}",
    ),
    ("WPS Office", "11.8.2.1132", "Kingsoft Corp.", "Kingsoft Office"),
    ("钉钉", "7.5.0", "Alibaba", "DingTalk"),
    ("腾讯会议", "3.20.1", "Tencent", "WeMeet"),
    ("福昕PDF阅读器", "12.1.2", "Foxit Software Inc.", "Foxit Reader"),
    ("火绒安全软件", "5.0.73", "Huorong", "HuorongSysdiag"),
    ("Google Chrome", "120.0.6099.130", "Google LLC", "Google Chrome"),
]


def _noise(i: int) -> tuple[str, ...]:
    kind = i % 5
    if kind == 0:
        return (
            f"Security Update for Windows (KB50{i:05d})",
            "",
            "Microsoft",
            f"KB50{i:05d}",
            "",
            "Security Update",
            "",
        )
    if kind == 1:
        return (
            f"Microsoft Visual C++ 20{10 + i % 13} Redistributable (x64) - 14.{i}",
            f"14.{i}",
            "Microsoft Corporation",
            f"{{VC-{i}}}",
            "",
            "",
            "",
        )
    if kind == 2:
        return (
            f"Update for Microsoft Office 2016 (KB4{i:06d}) 64-Bit Edition",
            "",
            "Microsoft",
            f"{{UPD-{i}}}",
            "Office16.PROPLUS",
            "",
            "",
        )
    if kind == 3:
        return (f"Intel(R) Serial IO Driver {i}", f"30.{i}", "Intel", f"{{DRV-{i}}}", "", "", "")
    return (f"Microsoft Edge WebView2 Runtime {i}", f"1{i}.0", "Microsoft", f"{{WV-{i}}}", "", "", "1")


def make_scans(ledger: Path, folder: Path, entries: int) -> int:
    """One collector CSV per computer of the ledger; returns the number of rows written."""
    from toolkit.scans.read import scan_fields
    from toolkit.scans.reconcile import index_ledger, load_ledger

    led, table = load_ledger(ledger, str(ledger))
    ix = index_ledger(led, table)
    cols = scan_fields().collector
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    total = 0
    for n, m in enumerate(ix.machines):
        host = m.computer
        own = []
        for rows in m.detail.values():
            d = rows[0]
            own.append(
                (d.raw.get("name") or "", d.raw.get("version") or "", "示例厂商", d.raw.get("software_no") or "")
            )
        body: list[tuple[str, ...]] = [
            ("Microsoft Windows 10 专业版", "10.0.19045", "Microsoft Corporation", "Professional", "", "", "", "os")
        ]
        body += [(*x, "", "", "", "registry") for x in own]
        body += [(*x, "", "", "", "registry") for x in COMMON]
        body += [(f"内部工具{rng.randrange(40)} 1.{n % 7}", "1.0", "本单位", f"tool-{n % 40}", "", "", "", "registry")]
        i = 0
        while len(body) < entries:
            body.append((*_noise(i + n % 50), "registry"))
            i += 1
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(cols)
        for name, version, publisher, key, parent, release, system, source in body[:entries]:
            values = {
                "ComputerName": host,
                "SerialNumber": f"SN{n:06d}",
                "Source": source,
                "DisplayName": name,
                "DisplayVersion": version,
                "Publisher": publisher,
                "KeyName": key,
                "ParentKeyName": parent,
                "ReleaseType": release,
                "SystemComponent": system,
                "Scope": "machine",
                "Arch": "64",
                "CollectedAt": "2026-06-01T09:00:00",
            }
            w.writerow([values.get(c, "") for c in cols])
            total += 1
        (folder / f"{host}.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    return total


def phase(name: str, ledger: Path, folder: Path) -> dict:
    """Run one phase in this process and report its time and this process's peak memory."""
    from toolkit.scans.read import iter_scan_paths, read_scan
    from toolkit.scans.reconcile import index_ledger, load_ledger, reconcile

    t = time.perf_counter()
    extra: dict = {}
    if name == "read":
        rows = files = 0
        for path, shown in iter_scan_paths([folder]):
            files += 1
            rows += sum(len(s.entries) for s in read_scan(path, shown))
        extra = {"files": files, "rows": rows}
    elif name == "ledger":
        led, table = load_ledger(ledger, str(ledger))
        extra = {"computers": len(index_ledger(led, table).machines)}
    else:
        rec = reconcile(ledger, [folder])
        extra = {
            "findings": len(rec.report.findings),
            "scanned": rec.scanned_computers,
            "unknown": len(rec.unknown),
            "codes": sorted({f.rule for f in rec.report.findings}),
        }
    seconds = time.perf_counter() - t
    return {
        "phase": name,
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ledger", nargs="?", type=Path, default=LARGE)
    ap.add_argument("--entries", type=int, default=150)
    ap.add_argument("--phase", choices=["read", "ledger", "reconcile"])
    ap.add_argument("--scans", type=Path)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.ledger, args.scans)))
        return
    if not args.ledger.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("make_large.py")), str(args.ledger)], check=True)
    folder = OUT / f"scans-{args.ledger.stem}-{args.entries}"
    if not folder.exists():
        t = time.perf_counter()
        rows = make_scans(args.ledger, folder, args.entries)
        print(f"scan files written   {rows:,} rows in {time.perf_counter() - t:.1f} s → {folder}")
    results = {}
    for name in ("read", "ledger", "reconcile"):
        run = subprocess.run(
            [sys.executable, __file__, str(args.ledger), "--phase", name, "--scans", str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(run.stdout)
    r, led, rec = results["read"], results["ledger"], results["reconcile"]
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"scans                {r['files']:,} files, {r['rows']:,} rows, {size:.0f} MB")
    print(f"read scans only      {r['seconds']:6.2f} s   peak {r['peak_mb']:5.0f} MB")
    print(
        f"read ledger + index  {led['seconds']:6.2f} s   peak {led['peak_mb']:5.0f} MB  ({led['computers']:,}"
        " computers)"
    )
    print(
        f"reconcile (all)      {rec['seconds']:6.2f} s   peak {rec['peak_mb']:5.0f} MB  "
        f"({rec['scanned']:,} computers scanned, {rec['findings']:,} findings {rec['codes']}, "
        f"{rec['unknown']} unknown names)"
    )
    print(
        f"reconcile − ledger   {rec['seconds'] - led['seconds']:6.2f} s   vs read scans only: "
        f"{(rec['seconds'] - led['seconds']) / r['seconds']:.2f}×  (target: peak < 1024 MB)"
    )


if __name__ == "__main__":
    main()
