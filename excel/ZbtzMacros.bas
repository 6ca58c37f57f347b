Attribute VB_Name = "ZbtzMacros"
' zbtz (zheng ban tai zhang) buttons: check (jiao yan) -> ZbtzCheck, roll-up (hui zong) -> ZbtzRollup.
' Each macro hands the open workbook to Python through the xlwings add-in (RunPython);
' every rule and every write lives in the toolkit (toolkit/excel.py), none here.
' The source is kept ASCII so that it reads the same under any Windows code page:
' Chinese text is built from Unicode code points by ZbtzText.
Option Explicit

Public Sub ZbtzCheck()
    ZbtzRun "import toolkit.excel; toolkit.excel.run_check()"
End Sub

Public Sub ZbtzRollup()
    ZbtzRun "import toolkit.excel; toolkit.excel.run_rollup()"
End Sub

Private Sub ZbtzRun(ByVal command As String)
    On Error GoTo NoAddin
    Application.Run "xlwings.xlam!RunPython", command
    Exit Sub
NoAddin:
    MsgBox ZbtzText("672A 80FD 8C03 7528 20 78 6C 77 69 6E 67 73 20 52A0 8F7D 9879 3002 8BF7 6309 8BF4 660E FF08 64 6F 63 73 2F 65 78 63 65 6C 2E 6D 64 FF09 5B89 88C5 20 50 79 74 68 6F 6E 3001 6B63 7248 53F0 8D26 5DE5 5177 7BB1 548C 20 78 6C 77 69 6E 67 73 20 52A0 8F7D 9879 FF0C 6216 628A 53F0 8D26 62D6 5230 201C 6821 9A8C 53F0 8D26 2E 63 6D 64 201D 4E0A 68C0 67E5 3002"), vbExclamation, ZbtzText("6B63 7248 53F0 8D26 5DE5 5177 7BB1")
End Sub

Private Function ZbtzText(ByVal codes As String) As String
    Dim parts() As String, i As Long
    parts = Split(codes, " ")
    For i = LBound(parts) To UBound(parts)
        ZbtzText = ZbtzText & ChrW(CLng("&H" & parts(i)))
    Next i
End Function
