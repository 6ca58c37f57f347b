"""The rule catalogue: importing this package registers every rule in ``REGISTRY``."""

from ..findings import REGISTRY
from . import compliance, foreign, logs, numbering, summary, workbook

__all__ = ["REGISTRY", "compliance", "foreign", "logs", "numbering", "summary", "workbook"]
