@echo off
chcp 65001 >nul
rem 校验台账：把台账工作簿拖到本文件上，在旁边写出带标注的副本“<原名>_校验.xlsx”并打开它。
rem 需要已安装 Python 和正版台账工具箱（见 docs\离线安装.md）。本文件以 UTF-8 保存，故第一步切换代码页。
setlocal
if "%~1"=="" (
  echo 请把台账工作簿（.xlsx 或 .xlsm）拖到本文件的图标上。
  pause
  exit /b 2
)
set "PY=python"
if exist "%~dp0python\python.exe" set "PY=%~dp0python\python.exe"
set "OUT=%~dpn1_校验%~x1"
if exist "%OUT%" del "%OUT%" 2>nul
"%PY%" -m toolkit check --annotate -o "%OUT%" "%~1"
set "RC=%ERRORLEVEL%"
if not exist "%OUT%" (
  echo.
  echo 未能写出标注副本，请查看上面的提示。
  pause
  exit /b %RC%
)
start "" "%OUT%"
exit /b 0
