#!/usr/bin/env bash
# make demo: generate the demo exchange into a fresh workspace, ingest, verify, report.
set -euo pipefail
dir=$1; shift
rm -rf "$dir"
.venv/bin/kansa demo --workspace-dir "$dir" "$@"
.venv/bin/kansa -w "$dir" verify
echo "demo workspace: $dir"
