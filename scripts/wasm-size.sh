#!/usr/bin/env bash
# The release size of examples/kiloclaw's wasm (raw and gzip -9), with instrumentation and with the
# `off` switch, built as deployed (worker-build: wasm-bindgen, then wasm-opt).
set -euo pipefail
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
