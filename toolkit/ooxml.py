"""OOXML names the toolkit writes and looks for: namespaces, relationship and content types, and
the one sheet of its own (pure constants: importable where lxml is not, as in xlwings Lite)."""

from __future__ import annotations

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"

REL_OFFICE_DOC = R_NS + "/officeDocument"
REL_WORKSHEET = R_NS + "/worksheet"
REL_COMMENTS = R_NS + "/comments"
REL_VML = R_NS + "/vmlDrawing"
REL_CALC_CHAIN = R_NS + "/calcChain"
REL_SHARED_STRINGS = R_NS + "/sharedStrings"
REL_STYLES = R_NS + "/styles"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

# The very hidden sheet in which an annotation records each cell's original fill, so that the
# next run (from the CLI or from the Excel button) can restore it; the reader skips it.
LEDGER_SHEET = "_zbtz_标注记录"
LEDGER_HEADER = ["工作表", "单元格", "原填充", "原applyFill", "标注颜色"]
