"""The check JSON of a factory-built ledger, with its folder removed so runs compare."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

AS_OF = dt.date(2026, 6, 30)


def check_json(path: Path) -> dict:
    from toolkit import check_file

    text = json.dumps(check_file(path, AS_OF).to_dict(), ensure_ascii=False, sort_keys=True)
    return json.loads(text.replace(str(path.parent), "<TMP>"))
