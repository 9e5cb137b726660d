#!/usr/bin/env bash
# The workerd benchmark (issue 18, §1), on demand (its `--check` runs in the e2e stage): what a
# point costs inside workerd.
# Builds benches/workerd three times (no telemetry, the hand-written builder, tallymark), then
# e2e/bench-workerd.js checks that they (and the JavaScript floor) write the same points and times
# them in interleaved rounds. Results: BENCHMARKS.md, "Inside workerd".
#
#   ./scripts/bench-workerd.sh                    builds, then 7 rounds of 4,000 requests each
#   ./scripts/bench-workerd.sh --no-build [...]   uses the builds already there
#   ./scripts/bench-workerd.sh --rounds 3 --requests 1000 --concurrency 8 --counts 1,50 [--vary]
#   ./scripts/bench-workerd.sh --calls           each point written by an invocation of its own
#   ./scripts/bench-workerd.sh --no-build --compare before=DIR   also times the build in DIR
#   ./scripts/bench-workerd.sh --check            builds, then only checks that the variants write
#                                                 the same points (the test script's e2e stage)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  # The check compares the variants that write points; `none` is built for the timed runs.
  [ "${1:-}" = "--check" ] || build_worker benches/workerd --out-dir build-none >&2
  build_worker benches/workerd --out-dir build-builder . --features builder >&2
  build_worker benches/workerd --out-dir build-tallymark . --features tallymark >&2
fi
ensure_e2e_packages
cd "$ROOT/e2e"
exec node bench-workerd.js "$@"
