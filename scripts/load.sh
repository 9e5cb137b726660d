#!/usr/bin/env bash
# The load run (issue 18, §2), on demand (the e2e stage runs a small one, e2e/tests/load.test.js):
# examples/kiloclaw in workerd on 127.0.0.1, 20,000 requests 64 at a time (instrumented routes,
# platform routes, reconcile alarms), against a build with the `off` feature in the same run; every
# expected point is counted at a capture server in its own process and compared, by event, user and
# route, with what was sent.
#
#   ./scripts/load.sh                      builds both variants, then 3 interleaved rounds
#   ./scripts/load.sh --no-build [...]     uses the builds already there
#   ./scripts/load.sh --rounds 1 --requests 5000 --concurrency 32 --mix status --keep-alive-ms 5000
#   ./scripts/load.sh --no-build --variants off,on-null --mix platform-status,alarm
#   ./scripts/load.sh --no-build --variants off-null,on-null --interleave 1000 --rounds 5
#   ./scripts/load.sh --variants off-null,on-null --interleave 1000 --rounds 21   (the figures of record)
#   ./scripts/load.sh --no-build --variants off-null,on-null --console pipe        (lines through a pipe)
#
# Options after the first are e2e/load.js's (see its header). Exits 1 when a point or a console
# line is missing or extra, tallymark counted a loss, a request failed, or workerd's output shows
# a panic or a failed forwarding. Results: BENCHMARKS.md, "Load".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  build_example kiloclaw --out-dir build >&2
  build_example kiloclaw --out-dir build-off . --features off >&2
fi
ensure_e2e_packages
cd "$ROOT/e2e"
exec node load.js --rounds 3 "$@"
