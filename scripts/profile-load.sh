#!/usr/bin/env bash
# Where workerd's CPU goes under the load run, by the worker's functions (issue 18, §2; on
# demand, not in CI). Builds examples/kiloclaw keeping its function names (into build-names,
# with scripts/wasm-opt-keeping-names.sh), runs e2e/load.js on that build with perf recording
# each run's timed requests, and prints for each variant the CPU µs a request spends under the
# outermost frame matching `tallymark`, everything those frames called included, then each
# round's CPU split into garbage collection, compilation, those frames and the rest (load.js
# --profile).
#
#   ./scripts/profile-load.sh                      builds, then one on-null round of the mix
#   ./scripts/profile-load.sh --no-build --rounds 3 --mix alarm --profile-match 'kiloclaw::'
#
# Options after the first are e2e/load.js's; the `off` variants use build-off, which
# scripts/load.sh builds. Needs perf (Debian's linux-perf). The perf files stay in Cargo's target
# directory, under profile-load/. Results: BENCHMARKS.md, "Load".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
if ! command -v perf >/dev/null 2>&1; then
  echo "scripts/profile-load.sh needs perf: apt-get install linux-perf" >&2
  exit 1
fi
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  TALLYMARK_WASM_OPT="$ROOT/scripts/wasm-opt-keeping-names.sh" build_example kiloclaw --out-dir build-names >&2
fi
ensure_e2e_packages
profiles="$(target_dir)/profile-load"
cd "$ROOT/e2e"
exec node load.js --variants on-null --rounds 1 --on-build "$ROOT/examples/kiloclaw/build-names" \
  --profile "$profiles" "$@"
