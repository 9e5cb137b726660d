#!/usr/bin/env bash
# The release size of examples/kiloclaw's wasm (raw and gzip -9), with instrumentation and with the
# `off` switch, built as deployed (worker-build: wasm-bindgen, then wasm-opt).
#
#   ./scripts/wasm-size.sh           prints the table
#   ./scripts/wasm-size.sh --check   also fails when instrumentation adds more than MAX_OVERHEAD_PERCENT
#                                    to the raw size (the test script's bench stage runs this)
set -euo pipefail
# What instrumentation may add to the example's raw wasm, in percent (BENCHMARKS.md's target).
MAX_OVERHEAD_PERCENT=10
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
build_example kiloclaw --out-dir build >&2
build_example kiloclaw --out-dir build-off . --features off >&2
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
on="$ROOT/examples/kiloclaw/build/index_bg.wasm"
off="$ROOT/examples/kiloclaw/build-off/index_bg.wasm"
printf '| build | raw bytes | gzip -9 bytes |\n|---|---|---|\n'
printf '| instrumented | %s | %s |\n' "$(size "$on")" "$(gz "$on")"
printf '| `--features off` | %s | %s |\n' "$(size "$off")" "$(gz "$off")"
awk -v a="$(size "$on")" -v b="$(size "$off")" -v c="$(gz "$on")" -v d="$(gz "$off")" \
  'BEGIN { printf "\ninstrumentation adds %.1f%% raw, %.1f%% gzip\n", (a / b - 1) * 100, (c / d - 1) * 100 }'

if [ "${1:-}" = "--check" ]; then
  awk -v a="$(size "$on")" -v b="$(size "$off")" -v max="$MAX_OVERHEAD_PERCENT" \
    'BEGIN { over = (a / b - 1) * 100; if (over > max) { printf "instrumentation adds %.1f%% > %s%%\n", over, max; exit 1 } }'
fi
