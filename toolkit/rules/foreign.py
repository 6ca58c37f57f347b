"""S1I: a workbook in another layout that ``zbtz import`` can convert (found by :mod:`toolkit.imports`)."""

from __future__ import annotations

from ..findings import ERROR, REGISTRY

REGISTRY.declare(
    "S1I",
    ERROR,
    "不是指南格式的台账（可导入）",
    "工作簿中没有指南格式的软件使用情况汇总表（附件7），{what}。请先用 zbtz import {file} -o 新台账.xlsx 转换为指南格式，再检查新台账。",
    "工作簿中没有指南的附件7，但有可以导入的其他格式的表（计算机×软件明细、计算机一览、自查工具导出、软件资产登记）：代替逐表的 S1。",
)
