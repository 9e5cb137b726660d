#!/usr/bin/env bash
# Builds every example worker, each directory under examples/, to wasm (examples/<name>/build/index.js
# and index_bg.wasm), and the quickstart with the feature `dev-print` (build-dev-print/). An example without wrangler.toml is an error, not a skip: a skipped example
# would leave its previous build in place, and the e2e suite would run that stale build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"

shopt -s nullglob
examples=()
for dir in "$ROOT"/examples/*/; do
  examples+=("$(basename "$dir")")
done
if [ "${#examples[@]}" -eq 0 ]; then
  log "no example directories under examples/"
  exit 1
fi

# Every example is checked before any is built, so a missing file fails in seconds.
for example in "${examples[@]}"; do
  if [ ! -f "$ROOT/examples/$example/wrangler.toml" ]; then
    log "examples/$example has no wrangler.toml: every example directory must be a worker (add one, or remove the directory)"
    exit 1
  fi
done

for example in "${examples[@]}"; do
  build_example "$example"
done
# The quickstart again with tallymark's `dev-print`, for e2e/tests/dev-print.test.js.
build_example quickstart --out-dir build-dev-print . --features dev-print
