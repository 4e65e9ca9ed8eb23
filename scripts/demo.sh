#!/usr/bin/env bash
# make demo: generate the demo exchange into a fresh workspace, ingest it, run every control,
# verify the evidence and write the report.
set -euo pipefail
dir=$1; shift
k=.venv/bin/kansa
rm -rf "$dir"
$k demo --workspace-dir "$dir" "$@"
$k -w "$dir" run
$k -w "$dir" verify
$k -w "$dir" report --out "$dir/reports/report.html"
$k -w "$dir" users add admin --role admin
echo
echo "demo workspace: $dir"
echo "report:         $dir/reports/report.html"
echo "web app:        $k -w $dir serve   (then open http://127.0.0.1:8080/ and sign in as admin"
echo "                with the one-time password above; you must change it at first sign-in)"
