#!/usr/bin/env bash
# Runs every test of tallymark: formatting and lints, native unit/integration/UI/doc tests, Miri on
# the code paths with `unsafe`, the `off` feature, the wasm suite in Node, and the end-to-end suite
# (the example workers built with worker-build, run in workerd). Installs what it needs first
# (pinned, only when missing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

ensure_rust_tools
ensure_node

log "formatting"
cargo fmt --all --check

log "clippy (native and wasm32)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p tallymark --all-targets --target wasm32-unknown-unknown --locked -- -D warnings

log "native tests: unit, integration, UI (trybuild) and doc tests"
cargo test --workspace --locked

log "unsafe code under Miri: the runtime's unit tests, scopes and the global sink"
ensure_miri
cargo +nightly miri test -p tallymark --lib --locked
cargo +nightly miri test -p tallymark-tests --test scope --test global_sink --locked

log "the off switch"
cargo test -p tallymark --features off --test off --locked

log "wasm tests in Node (wasm-bindgen-test)"
cargo test -p tallymark --target wasm32-unknown-unknown --locked

log "benchmarks compile (run them with: cargo bench -p tallymark-benches)"
cargo bench --workspace --no-run --locked

log "end to end: the example workers in workerd, points captured"
"$ROOT/scripts/build-examples.sh"
(cd "$ROOT/e2e" && node --test --test-concurrency=1 tests/)

log "all tests passed"
