#!/bin/sh
# 正版台账工具箱 软件采集脚本：银河麒麟、统信 UOS 及其他 Linux 桌面。
#
# 用法：sh zbtz-collect.sh [输出文件夹]        （默认为当前文件夹；不需要 root）
# 输出：<主机名>.csv（UTF-8 带 BOM），列与 Windows 采集脚本相同，交给 zbtz reconcile 核对。
# 只读取软件包数据库和系统文件，不修改系统，不联网。
#
# 内容：操作系统一行（/etc/os-version 的版本类别，其次 /etc/os-release）；dpkg 已安装的软件包
# （没有 dpkg 时用 rpm），带桌面启动项的标为 app、其余（库和系统组件）标为 system；
# 应用商店安装在 /opt/apps/<appid>/ 下的应用，按 info 文件中的显示名称各一行。
set -eu

out_dir=${1:-.}
host=$(hostname 2>/dev/null || cat /etc/hostname)
now=$(date '+%Y-%m-%dT%H:%M:%S')
serial=""
for f in /sys/class/dmi/id/product_serial /sys/class/dmi/id/board_serial; do
    if [ -z "$serial" ] && [ -r "$f" ]; then
        serial=$(tr -d '\n' < "$f" 2>/dev/null || true)
    fi
done
final="$out_dir/$host.csv"
tmp="$out_dir/.$host.csv.$$"
apps="$out_dir/.$host.apps.$$"
trap 'rm -f "$tmp" "$apps"' EXIT

# value of KEY= in an ini-like file (quotes removed)
ini() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1 | tr -d '"'; }

# rows on stdin, tab-separated: Source Name Version Publisher KeyName Scope Arch Status Channel
# -> the collector's CSV columns, every field quoted
to_csv() {
    awk -F '\t' -v host="$host" -v serial="$serial" -v now="$now" '
    function q(s) { gsub(/"/, "\"\"", s); gsub(/[\r\n]/, " ", s); return "\"" s "\"" }
    { printf "%s,%s,%s,%s,%s,%s,\"\",%s,\"\",\"\",\"\",%s,%s,%s,%s,\"\",%s\n",
        q(host), q(serial), q($1), q($2), q($3), q($4), q($5), q($6), q($7), q($8), q($9), q(now) }'
}

{
    printf '\357\273\277'
    echo '"ComputerName","SerialNumber","Source","DisplayName","DisplayVersion","Publisher","InstallDate","KeyName","ParentKeyName","ReleaseType","SystemComponent","Scope","Arch","Status","Channel","PartialKey","CollectedAt"'

    # the operating system: UOS keeps its edition (专业版/家庭版) in /etc/os-version
    os_name=$(ini /etc/os-release PRETTY_NAME)
    os_ver=$(ini /etc/os-release VERSION_ID)
    os_id=$(ini /etc/os-release ID)
    if [ -r /etc/os-version ]; then
        edition=$(ini /etc/os-version 'EditionName\[zh_CN\]')
        [ -n "$edition" ] || edition=$(ini /etc/os-version EditionName)
        major=$(ini /etc/os-version MajorVersion)
        minor=$(ini /etc/os-version MinorVersion)
        [ -z "$edition" ] || os_name="$os_name $edition"
        [ -z "$major" ] || os_ver="$major${minor:+.$minor}"
    fi
    printf 'os\t%s\t%s\t\t%s\tmachine\t%s\t\t\n' "$os_name" "$os_ver" "$os_id" "$(uname -m)" | to_csv

    # packages with a desktop entry are applications; the rest are libraries and system parts
    : > "$apps"
    if command -v dpkg-query >/dev/null 2>&1; then
        for d in /usr/share/applications/*.desktop; do
            [ -e "$d" ] && dpkg-query -S "$d" 2>/dev/null | sed 's/: \/.*//' | tr ',' '\n' | sed 's/^ *//; s/:.*//' >> "$apps"
        done
        dpkg-query -W -f='${binary:Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${Maintainer}\n' |
            awk -F '\t' -v appsfile="$apps" '
                BEGIN { while ((getline a < appsfile) > 0) app[a] = 1 }
                { name = $1; sub(/:.*/, "", name)
                  printf "dpkg\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, $2, $5, name, (name in app ? "app" : "system"), $3, $4 }' |
            to_csv
    elif command -v rpm >/dev/null 2>&1; then
        for d in /usr/share/applications/*.desktop; do
            [ -e "$d" ] && rpm -qf "$d" --queryformat '%{NAME}\n' 2>/dev/null >> "$apps"
        done
        rpm -qa --queryformat '%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{VENDOR}\n' |
            awk -F '\t' -v appsfile="$apps" '
                BEGIN { while ((getline a < appsfile) > 0) app[a] = 1 }
                { printf "rpm\t%s\t%s\t%s\t%s\t%s\t%s\tii\t\n", $1, $2, $4, $1, ($1 in app ? "app" : "system"), $3 }' |
            to_csv
    fi

    # Kylin/UOS app store: /opt/apps/<appid>/info holds the display name
    for info in /opt/apps/*/info; do
        [ -r "$info" ] || continue
        appid=$(basename "$(dirname "$info")")
        name=$(sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$info" | head -n 1)
        ver=$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$info" | head -n 1)
        printf 'store\t%s\t%s\t\t%s\tapp\t\tii\t\n' "${name:-$appid}" "$ver" "$appid" | to_csv
    done
} > "$tmp"

mv "$tmp" "$final"
echo "已写出：$final（$(($(wc -l < "$final") - 1)) 条记录）"
