"""Keep one line per distinct factory ledger in ledgers.jsonl (the last recorded), sorted by its arguments."""

from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).resolve().parent / "ledgers.jsonl"

if __name__ == "__main__":
    seen = {}
    for line in FILE.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        seen[entry["kwargs"]] = entry["report"]
    FILE.write_text(
        "".join(
            json.dumps({"kwargs": k, "report": seen[k]}, ensure_ascii=False, sort_keys=True) + "\n"
            for k in sorted(seen)
        ),
        encoding="utf-8",
    )
