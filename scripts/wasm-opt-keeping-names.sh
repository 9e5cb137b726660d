#!/usr/bin/env bash
# binaryen's wasm-opt, pinned in e2e/package-lock.json, as worker-build runs it but keeping the
# wasm's name section, so that a profile of workerd names the worker's functions
# (scripts/profile-load.sh). A Worker ships without it: the names are most of the file.
exec "$(dirname "${BASH_SOURCE[0]}")/../e2e/node_modules/.bin/wasm-opt" "$@" --debuginfo
