#!/usr/bin/env bash
# The Debian packages Zhifa needs beside Python: LibreOffice (DOCX → PDF
# instruments), CJK fonts, poppler (pdftotext/pdfinfo for page counts and
# tests), ffmpeg (duration and poster frames of audio-video records) and
# Chromium (the portal's browser tests, driven by Playwright).
# Installs only what is missing; safe to run again.
set -euo pipefail

need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v ffprobe >/dev/null || need+=(ffmpeg)
# The portal's browser tests drive this Chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || need+=(chromium)
# grep reads all of fc-list's output: with -q it would stop early and, under pipefail,
# fc-list's SIGPIPE would count as fonts missing.
fc-list :lang=zh 2>/dev/null | grep "Noto Serif CJK" >/dev/null || need+=(fonts-noto-cjk fonts-noto-cjk-extra)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "安装系统依赖：${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        SUDO=sudo
    else
        echo "需要 root 权限安装：${need[*]}（请以 root 运行 scripts/system-deps.sh）" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
