#!/usr/bin/env bash
# Runs the tests of tallymark in stages:
#
#   ./scripts/test.sh             every stage, in the order below
#   ./scripts/test.sh ui miri     only these stages, in the order given
#   ./scripts/test.sh --help      the stages
#
# Installs the Rust tools it needs first (pinned, only when missing). Node and npm, needed by the
# wasm, docs and e2e stages, are system packages: when missing, the script stops and says how to
# install them.
set -euo pipefail
# With TRYBUILD=overwrite, trybuild rewrites the expected ui/fail/*.stderr files instead of comparing
# them, so the UI tests would pass whatever the compiler says. An inherited value must not turn a
# test run into that; to bless new output, run `TRYBUILD=overwrite cargo test -p tallymark-tests --test ui`
# by hand and review the diff.
unset TRYBUILD
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

# The canonical order: quick checks first, the slow builds last.
STAGES=(lint native ui miri wasm docs bench fuzz e2e)

usage() {
  cat <<'EOF'
usage: scripts/test.sh [stage...]

Runs the named stages in the order given, or every stage in this order when none is named:

  lint    cargo fmt --check; clippy, native and wasm32 (-D warnings), and the workerd
          benchmark's worker in each variant
  native  the workspace's unit, integration, UI (trybuild) and doc tests; tallymark with
          --no-default-features, and with --features off (the off test); the compile errors
          with the off switch and without the hashed feature
  ui      the UI tests (trybuild) alone; skipped when native runs too, since it includes them
  miri    the runtime's unit tests (with the hashed feature), scopes and the global sink under
          Miri (nightly)
  wasm    tallymark's wasm tests in Node (wasm-bindgen-test), with the hashed feature
  docs    cargo doc for the workspace with RUSTDOCFLAGS="-D warnings"; the public API listings
          (runtime/public-api.txt, schema/public-api.txt) match the code (scripts/public-api.sh
          --check, nightly rustdoc JSON; update them with scripts/public-api.sh --bless)
  bench   the benchmarks compile (cargo bench --no-run); the wasm size that instrumentation adds
          to examples/kiloclaw stays within its limit (scripts/wasm-size.sh --check)
  fuzz    each fuzz target of fuzz/ for 20 s from its committed corpus (scripts/fuzz.sh --scratch
          20: nightly, cargo-fuzz; the corpus stays untouched); run longer with scripts/fuzz.sh
  e2e     the example workers built with worker-build, run in workerd (node --test); the
          tallymark command's dev and tail run on the quickstart worker; the workerd benchmark's
          variants write the same points (scripts/bench-workerd.sh --check)
EOF
}

stage_lint() {
  ensure_component rustfmt
  ensure_component clippy
  ensure_wasm_target
  log "formatting"
  cargo fmt --all --check
  cargo fmt --manifest-path fuzz/Cargo.toml --check # a workspace of its own
  log "clippy (native and wasm32)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  cargo clippy -p tallymark --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
  cargo clippy -p tallymark --features dev-print,tracing,hashed --all-targets \
    --target wasm32-unknown-unknown --locked -- -D warnings
  log "clippy: the workerd benchmark's worker, each variant (wasm32)"
  for variant in builder tallymark; do
    cargo clippy -p tallymark-bench-worker --features "$variant" --target wasm32-unknown-unknown --locked -- -D warnings
  done
}

stage_native() {
  log "native tests: unit, integration, UI (trybuild) and doc tests"
  cargo test --workspace --locked
  log "tallymark without default features, and with dev-print"
  cargo test -p tallymark --no-default-features --locked
  cargo test -p tallymark --features dev-print --lib --locked
  log "the off switch"
  cargo test -p tallymark --features off,events --test off --locked
  log "compile errors with the off switch, and without the hashed feature (trybuild)"
  cargo test -p tallymark-tests --no-default-features --features off \
    --test ui_off --test ui_without_hashed --locked
  log "the examples with instrumentation compiled out, without a warning"
  cargo clippy -p kiloclaw -p quickstart -p links --features tallymark/off --all-targets --locked -- -D warnings
}

stage_ui() {
  log "UI tests (trybuild): compile errors against ui/fail/*.stderr"
  cargo test -p tallymark-tests --test ui --locked
}

stage_miri() {
  ensure_miri
  log "Miri: the runtime's unit tests (with hashed), scopes and the global sink"
  cargo +nightly miri test -p tallymark --lib --features hashed --locked
  cargo +nightly miri test -p tallymark-tests --test scope --test global_sink --locked
}

stage_wasm() {
  ensure_node
  ensure_wasm_target
  ensure_wasm_bindgen # its wasm-bindgen-test-runner is the wasm32 runner (.cargo/config.toml)
  log "wasm tests in Node (wasm-bindgen-test)"
  cargo test -p tallymark --features hashed --target wasm32-unknown-unknown --locked
}

stage_docs() {
  ensure_node # scripts/public-api.js
  log "docs build without warnings"
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
  # A public API change fails here with its diff until the committed listing is updated, so it
  # shows in review.
  "$ROOT/scripts/public-api.sh" --check
}

stage_bench() {
  log "benchmarks compile (run them with: ./scripts/bench.sh)"
  # The bench targets are all in benches/; `--workspace` would also build every other crate's
  # library and binaries with the release profile (LTO), for nothing.
  cargo bench -p tallymark-benches --no-run --locked
  ensure_node # wasm-opt, from the e2e packages
  log "wasm size: what instrumentation adds to examples/kiloclaw, against the committed limit"
  "$ROOT/scripts/wasm-size.sh" --check
}

stage_fuzz() {
  # Built under $CARGO_TARGET_DIR/fuzz, kept between runs: a warm rerun only fuzzes. FUZZING.md
  # has what each target asserts and the last long run.
  ensure_cargo_fuzz
  if ! cargo +nightly clippy --version >/dev/null 2>&1; then
    log "adding clippy to the nightly toolchain (once)"
    rustup +nightly component add clippy
  fi
  log "clippy for the fuzz targets (nightly, a workspace of their own)"
  cargo +nightly clippy --manifest-path fuzz/Cargo.toml --all-targets --locked \
    --target-dir "${CARGO_TARGET_DIR:-$ROOT/target}/fuzz" -- -D warnings
  log "fuzzing: each target for 20 s (scripts/fuzz.sh)"
  "$ROOT/scripts/fuzz.sh" --scratch 20
}

stage_e2e() {
  ensure_node
  log "end to end: the example workers in workerd, points captured"
  "$ROOT/scripts/build-examples.sh"
  # e2e/tests/dev.test.js runs `tallymark dev` and `tallymark tail` (target/debug/tallymark, or
  # under $CARGO_TARGET_DIR).
  log "the tallymark command, for its e2e tests"
  cargo build -p tallymark-cli --locked
  (cd "$ROOT/e2e" && node --test --test-concurrency=1 tests/)
  log "the workerd benchmark's variants write the same points (scripts/bench-workerd.sh --check)"
  "$ROOT/scripts/bench-workerd.sh" --check
}

is_stage() {
  local stage
  for stage in "${STAGES[@]}"; do [ "$stage" = "$1" ] && return 0; done
  return 1
}

contains() {
  local want="$1" item; shift
  for item in "$@"; do [ "$item" = "$want" ] && return 0; done
  return 1
}

main() {
  local stage
  for stage in "$@"; do
    case "$stage" in
      -h | --help) usage; exit 0 ;;
    esac
  done
  # Every name is checked before any stage runs: a typo fails now, not after an hour of tests.
  for stage in "$@"; do
    if ! is_stage "$stage"; then
      log "unknown stage: $stage (valid stages: ${STAGES[*]})"
      exit 2
    fi
  done
  [ "$#" -gt 0 ] || set -- "${STAGES[@]}"

  # A missing Node stops the run now rather than after the stages before the first that needs it.
  if contains wasm "$@" || contains docs "$@" || contains bench "$@" || contains e2e "$@"; then ensure_node; fi

  local ran=() note=""
  trap 'status=$?; [ "$status" -eq 0 ] || [ -z "${current:-}" ] || log "stage $current failed (exit $status)"' EXIT
  for stage in "$@"; do
    # `native` runs every test of the workspace, the UI test among them. `ui` exists to run that
    # test alone; asked for together with `native` (as in the full run) it is skipped, so the
    # slow trybuild compiles run once.
    if [ "$stage" = ui ] && contains native "$@"; then
      note=" (ui: run within native)"
      continue
    fi
    current="$stage"
    "stage_$stage"
    ran+=("$stage")
  done
  current=""
  log "all stages passed: ${ran[*]}$note"
}

main "$@"
