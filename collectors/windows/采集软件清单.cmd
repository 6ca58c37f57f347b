@echo off
chcp 65001 >nul
rem 正版台账工具箱：双击运行，把本机已安装的软件写到本文件夹下“软件清单”文件夹中的 <计算机名>.csv。
rem 以管理员身份运行（右键“以管理员身份运行”）时，也能读到没有登录的其他用户按用户安装的软件。
setlocal
set "OUT=%~dp0软件清单"
"%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "%~dp0zbtz-collect.ps1" -OutDir "%OUT%"
if errorlevel 1 (
  echo 采集失败，请把上面的信息发给信息化部门。
) else (
  echo 完成。请把“软件清单”文件夹中的文件交给信息化部门。
)
pause
