#!/usr/bin/env bash
# Run the whole suite; "no tests collected" (exit 5) is a failure, as is any other non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
# --dist loadgroup: the Spark tests (xdist_group "spark") share one worker and one JVM
.venv/bin/pytest -n 2 --dist loadgroup -p no:cacheprovider "$@"
rc=$?
if [ "$rc" = 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
