"""Test helpers: ledgers built in code (factory), a fake xlwings book, preservation checks."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "台账示例.xlsx"
