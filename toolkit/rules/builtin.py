"""Importing this module registers every built-in check, in the order they run."""

from toolkit.rules import approvals, compliance, computers, licences, logs, numbering, summary, workbook
from toolkit.rules.registry import REGISTRY

__all__ = ["REGISTRY", "approvals", "compliance", "computers", "licences", "logs", "numbering", "summary", "workbook"]
