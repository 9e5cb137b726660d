#!/usr/bin/env bash
# Builds every example worker to wasm (examples/<name>/build/index.js and index_bg.wasm).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
for example in quickstart kiloclaw; do
  [ -f "$ROOT/examples/$example/wrangler.toml" ] && build_example "$example"
done
