"""The rule catalogue (code → severity → title → description), generated from the registry."""

from __future__ import annotations

from toolkit.rules.builtin import REGISTRY
from toolkit.rules.registry import SEVERITY_ZH

_GUIDE = "《正版软件管理工作指南》"
_SECTIONS = {
    "TZ": "软件台账管理规定",
    "AZ": "软件安装维护管理规定",
    "PZ": "软件配置管理规定",
    "ZR": "软件正版化工作责任制度",
}
_NUMERALS = "〇一二三四五六七八九十"


def source_of(code: str, extra: str = "") -> str:
    """What a rule rests on: the guide's clause its code names, then the rule's own ``source``."""
    family = "".join(ch for ch in code if ch.isalpha() and ch.isupper())[:2]
    parts = [p for p in code[len(family) :].rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").split(".") if p.isdigit()]
    base = ""
    if family == "S":
        base = "台账表样（docs/forms.md）"
    elif family in _SECTIONS and parts:
        section = int(parts[0])
        if family == "ZR":
            base = f"{_GUIDE}{_SECTIONS[family]} {_NUMERALS[section]}"
        elif len(parts) > 1 and int(parts[1]) > 0:
            base = f"{_GUIDE}{_SECTIONS[family]} {_NUMERALS[section]}、{int(parts[1])}"
        else:
            base = f"{_GUIDE}{_SECTIONS[family]} {_NUMERALS[section]}"
    return "；".join(p for p in (base, extra) if p)


def catalogue_rows() -> list[dict[str, str]]:
    """Every registered rule, sorted by code family then number."""
    return [
        {
            "code": r.code,
            "severity": r.severity,
            "title": r.title,
            "description": r.description,
            "source": source_of(r.code, r.source),
        }
        for r in sorted(REGISTRY, key=lambda r: _sort_key(r.code))
    ]


def _sort_key(code: str) -> tuple:
    family = "".join(ch for ch in code if ch.isalpha() and ch.isupper())[:2]
    order = {"S": 0, "TZ": 1, "AZ": 2, "PZ": 3, "ZR": 4, "RZ": 5}.get(family, 9)
    digits = code[len(family) :]
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
        (
            "RZ = 软件日常使用管理规定（技术手段检查，由 zbtz reconcile 报告），S = 工作簿本身。详见 `docs/rules."
            "md` 与《正版软件管理工作指南》。"
        ),
        "“依据”列出规则编号所指的《指南》条款，以及规则另外依据的文件；取决于本单位政策的选项见 `docs/本单位设置.md`。",
        "",
        "| 编号 | 级别 | 名称 | 说明 | 依据 |",
        "|---|---|---|---|---|",
    ]
    for r in catalogue_rows():
        desc = " ".join(r["description"].split())
        lines.append(f"| {r['code']} | {SEVERITY_ZH[r['severity']]} | {r['title']} | {desc} | {r['source']} |")
    return "\n".join(lines) + "\n"
