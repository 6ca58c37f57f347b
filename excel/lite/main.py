"""正版台账工具箱 · xlwings Lite 脚本（粘贴到 xlwings Lite 任务窗格的 main.py 标签页）。

The 校验 script of the toolkit for xlwings Lite (Python in Excel's add-in, via Pyodide). It holds
no rule logic: it installs the toolkit's wheel without its native dependencies (python-calamine
is not needed: the workbook is read through xlwings) and calls the same adapter as the
RunPython button, ``toolkit.excel.check_workbook``, in degraded mode: a rule whose package does
not import in Pyodide is listed as not run instead of failing the check.

Set ZBTZ_WHEEL_URL to where your unit serves the toolkit's wheel (HTTPS, with CORS allowed), and
SHEET_BUTTON to the cell under the button shape on your first sheet (docs/excel.md, 第 3 节).
"""

import xlwings as xw
from xlwings import script

ZBTZ_WHEEL_URL = "https://example.invalid/wheels/zbtz-0.1.0-py3-none-any.whl"  # 改成本单位存放 wheel 的地址
SHEET_BUTTON = "[xlwings_button]附件6 免费软件清单!Z2"  # 改成第一个工作表上按钮下方的单元格


async def _toolkit():
    try:
        import toolkit.excel
    except ImportError:
        import micropip

        await micropip.install(ZBTZ_WHEEL_URL, deps=False)
        import toolkit.excel
    return toolkit.excel


@script(button=SHEET_BUTTON, show_taskpane=True)
async def zbtz_check(book: xw.Book):
    """校验：检查当前工作簿，写入“校验结果”表、问题单元格底色和批注。"""
    excel = await _toolkit()
    outcome = excel.check_workbook(book, degrade=True)
    print(outcome.message)
