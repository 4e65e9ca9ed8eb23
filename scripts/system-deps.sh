#!/usr/bin/env bash
# System packages Kansa and its test suite need: a real PostgreSQL server (started on loopback by
# the tests themselves), headless Chromium with CJK fonts (PDF reports, Japanese glyphs) and
# poppler-utils (pdftotext, used by the report tests), and a Java 17 runtime for the local Spark
# session of the Spark parity tests. Idempotent; quiet when everything is present.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-* >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
[ -n "${need[*]:-}" ] || exit 0
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
