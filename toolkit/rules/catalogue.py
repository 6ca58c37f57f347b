"""The rule catalogue (code → severity → title → description), generated from the registry."""

from __future__ import annotations

from toolkit.rules.builtin import REGISTRY
from toolkit.rules.registry import SEVERITY_ZH


def catalogue_rows() -> list[dict[str, str]]:
    """Every registered rule, sorted by code family then number."""
    return [
        {"code": r.code, "severity": r.severity, "title": r.title, "description": r.description}
        for r in sorted(REGISTRY, key=lambda r: _sort_key(r.code))
    ]


def _sort_key(code: str) -> tuple:
    family = "".join(ch for ch in code if ch.isalpha() and ch.isupper())[:2]
    order = {"S": 0, "TZ": 1, "AZ": 2, "PZ": 3, "ZR": 4, "RZ": 5}.get(family, 9)
    digits = code[len(family):]
    parts = []
    for piece in digits.split("."):
        num = "".join(ch for ch in piece if ch.isdigit())
        parts.append((int(num) if num else 0, piece))
    return (order, parts)


def catalogue_markdown() -> str:
    """``docs/规则目录.md``: written by ``zbtz rules --format markdown``, checked by a test."""
    lines = [
        "# 规则目录",
        "",
        "本文件由 `zbtz rules --format markdown` 从规则注册表生成，请勿手工修改。",
        "规则编号稳定不变：TZ = 软件台账管理规定，AZ = 软件安装维护管理规定，PZ = 软件配置管理规定，",
        "RZ = 软件日常使用管理规定（技术手段检查，由 zbtz reconcile 报告），S = 工作簿本身。详见 `docs/rules.md` 与《正版软件管理工作指南》。",
        "",
        "| 编号 | 级别 | 名称 | 说明 |",
        "|---|---|---|---|",
    ]
    for r in catalogue_rows():
        desc = " ".join(r["description"].split())
        lines.append(f"| {r['code']} | {SEVERITY_ZH[r['severity']]} | {r['title']} | {desc} |")
    return "\n".join(lines) + "\n"
