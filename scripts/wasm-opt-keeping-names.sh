#!/usr/bin/env bash
# binaryen's wasm-opt, pinned in e2e/package-lock.json, as worker-build runs it but told to keep
# the wasm's names section (--debuginfo), so that a profile of workerd names the worker's functions
# (scripts/profile-load.sh) whatever wasm-opt's defaults. The pinned binaryen keeps the section
# without being told (the default build carries the names too), so today this changes nothing.
exec "$(dirname "${BASH_SOURCE[0]}")/../e2e/node_modules/.bin/wasm-opt" "$@" --debuginfo
