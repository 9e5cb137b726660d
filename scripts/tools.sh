#!/usr/bin/env bash
# Installs the pinned tools the build and tests need, each only when the right version is missing,
# so a warm machine reruns fast and a fresh one still gets everything. Sourced by the other scripts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKER_BUILD_VERSION="0.8.7"
CARGO_FUZZ_VERSION="0.13.2"
# wasm-bindgen-cli must equal the wasm-bindgen version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' "$ROOT/Cargo.lock")"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  # rustup's list is read whole before grep sees it: piped into `grep -q`, which exits at the first
  # match, rustup could fail writing the rest, and pipefail would count the pipeline as failed.
  if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed)"; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $NF}')" != "$WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Not --locked: its lockfile pins a dependency version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

ensure_worker_build() {
  if [ "$(worker-build --version 2>/dev/null | awk '{print $NF}')" != "$WORKER_BUILD_VERSION" ]; then
    log "installing worker-build $WORKER_BUILD_VERSION (a few minutes, once)"
    cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked --force
  fi
}

# Node runs the wasm tests and the e2e suite. It is a system package, and the scripts install none:
# a missing node or npm stops the script with the command that installs it.
ensure_node() {
  local missing=() tool
  for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "missing: ${missing[*]} (Node.js and npm are needed); install them with:"
    printf '    apt-get install -y nodejs npm\n' >&2
    exit 1
  fi
}

# A rustup component of the default toolchain (clippy, rustfmt), added once.
ensure_component() {
  if ! grep -q "^$1" <<<"$(rustup component list --installed)"; then
    log "adding the $1 component"
    rustup component add "$1"
  fi
}

# Miri, which checks the runtime's `unsafe` code, runs on the machine's nightly toolchain (the only
# one besides stable); its components are added once.
ensure_miri() {
  if ! cargo +nightly miri --version >/dev/null 2>&1; then
    log "adding miri to the nightly toolchain (once)"
    rustup +nightly component add miri rust-src
  fi
}

# The nightly toolchain, whose rustdoc writes the JSON the public API listing is made from
# (scripts/public-api.sh). Installed only when the machine has none; the listing script checks that
# the JSON's format is one it supports.
ensure_nightly() {
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    log "installing the nightly toolchain (once)"
    rustup toolchain install nightly --profile minimal
  fi
}

# cargo-fuzz, which builds and runs the fuzz targets of fuzz/ (scripts/fuzz.sh) on the nightly
# toolchain.
ensure_cargo_fuzz() {
  ensure_nightly
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_FUZZ_VERSION" ]; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION (a few minutes, once)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
  fi
}

# The e2e harness's npm packages (workerd, binaryen's wasm-opt), exactly as package-lock.json pins.
ensure_e2e_packages() {
  ensure_node
  local stamp="$ROOT/e2e/node_modules/.tallymark-lock-sha256"
  local want
  want="$(sha256sum "$ROOT/e2e/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing the e2e packages (npm ci)"
    (cd "$ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

# Builds the worker crate in DIR (relative to the repository) with worker-build, into DIR/build
# unless `--out-dir` says otherwise, using the pinned wasm-bindgen and binaryen's wasm-opt
# (worker-build's own downloads are not reachable here), or the wasm-opt command that
# TALLYMARK_WASM_OPT names (scripts/wasm-opt-keeping-names.sh).
build_worker() {
  local dir="$1"; shift
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_worker_build
  ensure_e2e_packages
  log "building $dir with worker-build $*"
  (cd "$ROOT/$dir" &&
    WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" \
    WASM_OPT_BIN="${TALLYMARK_WASM_OPT:-$ROOT/e2e/node_modules/.bin/wasm-opt}" \
    worker-build --release "$@")
}

# Cargo's target directory, wherever `CARGO_TARGET_DIR` or `build.target-dir` puts it.
target_dir() {
  (cd "$ROOT" && cargo metadata --format-version 1 --no-deps --locked) |
    node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory'
}

# Builds an example worker into examples/<name>/build (see build_worker).
build_example() {
  local name="$1"; shift
  build_worker "examples/$name" "$@"
}
