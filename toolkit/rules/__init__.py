"""The rule catalogue: importing this package registers every rule in ``REGISTRY``."""

from ..findings import REGISTRY
from . import approvals, compliance, licences, logs, numbering, summary, workbook

__all__ = ["REGISTRY", "approvals", "compliance", "licences", "logs", "numbering", "summary", "workbook"]
