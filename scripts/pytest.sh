#!/usr/bin/env bash
# Run the whole suite; "no tests collected" (exit 5) is a failure, as is any other non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest -n 2 -p no:cacheprovider "$@"
rc=$?
if [ "$rc" = 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
