"""zbtz（正版台账工具箱）: check, roll up and annotate a unit's genuine-software ledger workbooks."""

__version__ = "0.1.0"
