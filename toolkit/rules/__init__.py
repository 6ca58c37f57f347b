"""The rule catalogue: importing this package registers every rule in ``REGISTRY``."""

from ..findings import REGISTRY
from . import compliance, logs, numbering, scans, summary, workbook

__all__ = ["REGISTRY", "compliance", "logs", "numbering", "scans", "summary", "workbook"]
