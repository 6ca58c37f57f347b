<#
.SYNOPSIS
  正版台账工具箱 软件采集脚本（Windows）：把本机已安装的软件写成一个 CSV 文件，交给 zbtz reconcile 核对。

.DESCRIPTION
  只读取，不修改系统，不联网，不安装任何代理程序。适用于 Windows PowerShell 5.1 和 PowerShell 7。
  读取内容：
    1. 三处“卸载信息”（控制面板“程序和功能”的来源）：HKLM、HKLM\WOW6432Node（32 位程序）、
       每个用户的 HKU（WPS 个人版等按用户安装的软件只在这里）。已登录用户的配置单元直接读取；
       未登录用户的 NTUSER.DAT 在以管理员运行时临时加载、读完卸载。
    2. 操作系统名称、版本类别（EditionID）和版本号；Windows 许可渠道（OEM/Retail/Volume）及
       产品密钥的最后 5 位（只有这 5 位，不读取完整密钥）。
    3. BIOS 序列号、计算机名。
    4. Office 即点即用（Click-to-Run）的产品 ID（如 ProPlus2021Volume、HomeStudent2019Retail）。
  不使用 Win32_Product（它会触发所有 MSI 产品的一致性检查和修复）。
  输出：<计算机名>.csv，UTF-8（带 BOM），列固定，先写临时文件再改名。

.PARAMETER OutDir
  输出文件夹，默认为当前文件夹；可以是共享文件夹（\\服务器\共享\软件清单）。

.EXAMPLE
  powershell -NoProfile -ExecutionPolicy Bypass -File zbtz-collect.ps1 -OutDir D:\软件清单
#>
[CmdletBinding()]
param([string]$OutDir = (Get-Location).Path)

$columns = 'ComputerName', 'SerialNumber', 'Source', 'DisplayName', 'DisplayVersion', 'Publisher', 'InstallDate',
           'KeyName', 'ParentKeyName', 'ReleaseType', 'SystemComponent', 'Scope', 'Arch', 'Status', 'Channel',
           'PartialKey', 'CollectedAt'
$computer = $env:COMPUTERNAME
$now = Get-Date -Format 'yyyy-MM-ddTHH:mm:ss'
$bios = Get-CimInstance Win32_BIOS -ErrorAction SilentlyContinue
$serial = if ($bios) { "$($bios.SerialNumber)".Trim() } else { '' }
$arch = if ([Environment]::Is64BitOperatingSystem) { '64' } else { '32' }
$rows = New-Object System.Collections.Generic.List[object]

function Add-Row([hashtable]$Values) {
    $row = [ordered]@{}
    foreach ($c in $columns) { $row[$c] = '' }
    $row.ComputerName = $computer
    $row.SerialNumber = $serial
    $row.CollectedAt = $now
    foreach ($k in $Values.Keys) { $row[$k] = "$($Values[$k])" -replace '[\x00-\x1f]', ' ' }
    $rows.Add([pscustomobject]$row)
}

# --- 1. operating system and licence channel (last 5 characters of the key at most) ---
$os = Get-CimInstance Win32_OperatingSystem -ErrorAction SilentlyContinue
$edition = (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -ErrorAction SilentlyContinue).EditionID
$lic = Get-CimInstance SoftwareLicensingProduct -ErrorAction SilentlyContinue `
    -Filter "ApplicationID='55c92734-d682-4d71-983e-d6ec3f16059f' AND PartialProductKey IS NOT NULL" |
    Select-Object -First 1
$channel = ''
$partial = ''
if ($lic) {
    $text = "$($lic.ProductKeyChannel) $($lic.Description)"
    if ($text -match 'OEM') { $channel = 'OEM' }
    elseif ($text -match 'VOLUME') { $channel = 'Volume' }
    elseif ($text -match 'RETAIL') { $channel = 'Retail' }
    $partial = "$($lic.PartialProductKey)"
    if ($partial.Length -gt 5) { $partial = $partial.Substring($partial.Length - 5) }
}
if ($os) {
    Add-Row @{ Source = 'os'; DisplayName = $os.Caption; DisplayVersion = $os.Version; Publisher = 'Microsoft Corporation'
               KeyName = $edition; Scope = 'machine'; Arch = $arch; Channel = $channel; PartialKey = $partial }
}

# --- 2. the Uninstall keys: HKLM, WOW6432Node, every user's hive ---
$uninstall = 'Software\Microsoft\Windows\CurrentVersion\Uninstall'
$sources = @(
    @{ Path = "Registry::HKEY_LOCAL_MACHINE\$uninstall"; Scope = 'machine'; Arch = $arch },
    @{ Path = "Registry::HKEY_LOCAL_MACHINE\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall"; Scope = 'machine'; Arch = '32' }
)
$userSid = '^S-1-5-21-[\d-]+$'
$loaded = @(Get-ChildItem Registry::HKEY_USERS -ErrorAction SilentlyContinue |
    Where-Object { $_.PSChildName -match $userSid } | ForEach-Object { $_.PSChildName })
foreach ($sid in $loaded) { $sources += @{ Path = "Registry::HKEY_USERS\$sid\$uninstall"; Scope = 'user'; Arch = '' } }
$mounted = @()
Get-ChildItem 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList' -ErrorAction SilentlyContinue |
    Where-Object { $_.PSChildName -match $userSid -and $loaded -notcontains $_.PSChildName } | ForEach-Object {
        $hive = Join-Path "$((Get-ItemProperty $_.PSPath).ProfileImagePath)" 'NTUSER.DAT'
        $name = "zbtz_$($_.PSChildName)"
        if (Test-Path -LiteralPath $hive) {
            & reg.exe load "HKU\$name" "$hive" > $null 2>&1   # needs administrator rights; skipped otherwise
            if ($LASTEXITCODE -eq 0) {
                $script:mounted += $name
                $script:sources += @{ Path = "Registry::HKEY_USERS\$name\$uninstall"; Scope = 'user'; Arch = '' }
            }
        }
    }
try {
    foreach ($s in $sources) {
        foreach ($key in @(Get-ChildItem -Path $s.Path -ErrorAction SilentlyContinue)) {
            $p = Get-ItemProperty -LiteralPath $key.PSPath -ErrorAction SilentlyContinue
            if (-not $p -or -not $p.DisplayName) { continue }
            Add-Row @{ Source = 'registry'; DisplayName = $p.DisplayName; DisplayVersion = $p.DisplayVersion
                       Publisher = $p.Publisher; InstallDate = $p.InstallDate; KeyName = $key.PSChildName
                       ParentKeyName = $p.ParentKeyName; ReleaseType = $p.ReleaseType
                       SystemComponent = $p.SystemComponent; Scope = $s.Scope; Arch = $s.Arch }
        }
    }
}
finally {
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    foreach ($name in $mounted) { & reg.exe unload "HKU\$name" > $null 2>&1 }
}

# --- 3. Office Click-to-Run product IDs (edition and channel: ProPlus2021Volume, HomeStudent2019Retail ...) ---
$c2r = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction SilentlyContinue
if ($c2r -and $c2r.ProductReleaseIds) {
    foreach ($id in ("$($c2r.ProductReleaseIds)" -split ',')) {
        if (-not $id.Trim()) { continue }
        Add-Row @{ Source = 'c2r'; DisplayName = "Microsoft Office ($($id.Trim()))"; DisplayVersion = $c2r.VersionToReport
                   Publisher = 'Microsoft Corporation'; KeyName = $id.Trim(); Scope = 'machine'; Arch = $c2r.Platform }
    }
}

# --- write: UTF-8 with BOM in both PowerShell 5.1 and 7, to a temporary file, then rename ---
if (-not (Test-Path -LiteralPath $OutDir)) { New-Item -ItemType Directory -Path $OutDir -Force | Out-Null }
$file = Join-Path $OutDir "$computer.csv"
$tmp = "$file.tmp"
$lines = @($rows | Select-Object -Property $columns | ConvertTo-Csv -NoTypeInformation)
[System.IO.File]::WriteAllLines($tmp, [string[]]$lines, (New-Object System.Text.UTF8Encoding($true)))
Move-Item -LiteralPath $tmp -Destination $file -Force
Write-Host "已写出：$file（$($rows.Count) 条记录）"
