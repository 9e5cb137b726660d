#!/usr/bin/env bash
# The public API of tallymark and tallymark-schema as sorted text, one item per line, from rustdoc's
# JSON output (nightly) turned into lines by scripts/public-api.js. The listings are committed, and
# the `docs` stage of scripts/test.sh checks them, so every change to the public API shows in review.
#
#   scripts/public-api.sh [package]   prints the listing of package (default: tallymark)
#   scripts/public-api.sh --check     regenerates every listing and diffs it with the committed one
#   scripts/public-api.sh --bless     regenerates every listing and writes it over the committed one
#
# tallymark is documented with its default features, `events`, `axum` and `tracing` (not `off`,
# which changes what the macros expand to, not the API), for the host target: items that exist only
# on wasm32 are not listed, items that exist only natively (`ConsoleSink::to_writer`) are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

PACKAGES=(tallymark tallymark-schema)

# The committed listing of each package.
listing_of() {
  case "$1" in
    tallymark) echo runtime/public-api.txt ;;
    tallymark-schema) echo schema/public-api.txt ;;
    *) log "no public API listing for package $1 (known: ${PACKAGES[*]})"; exit 2 ;;
  esac
}

# The cargo features each package is documented with.
features_of() {
  case "$1" in
    tallymark) echo "--features events,axum,tracing" ;;
    *) echo "" ;;
  esac
}

usage() {
  cat <<'EOF'
usage: scripts/public-api.sh [package]   print the public API listing (default: tallymark)
       scripts/public-api.sh --check     diff every listing against the committed one
       scripts/public-api.sh --bless     write every listing over the committed one

packages and their committed listings: tallymark (runtime/public-api.txt),
tallymark-schema (schema/public-api.txt)
EOF
}

# Prints the listing of package $1.
generate() {
  local package="$1" json features
  features="$(features_of "$package")"
  # Flags from the environment would change what rustdoc documents (a `--cfg`, say): the listing
  # depends on the source alone.
  # shellcheck disable=SC2086 # $features is a flag and its value, or nothing
  env -u RUSTDOCFLAGS -u CARGO_ENCODED_RUSTDOCFLAGS \
    cargo +nightly rustdoc -Z unstable-options --output-format json \
    -p "$package" --lib $features --locked
  json="$(target_dir)/doc/${package//-/_}.json"
  if [ ! -f "$json" ]; then
    log "rustdoc wrote no $json"
    exit 1
  fi
  node "$ROOT/scripts/public-api.js" "$json"
}

check() {
  local package file failed=0
  generated="$(mktemp -d)"
  trap 'rm -rf "$generated"' EXIT
  for package in "${PACKAGES[@]}"; do
    file="$(listing_of "$package")"
    log "public API of $package against $file"
    generate "$package" > "$generated/$package.txt"
    if [ ! -f "$file" ]; then
      log "$file is missing"
      failed=1
    elif ! diff -u --label "$file (committed)" --label "$file (generated)" "$file" "$generated/$package.txt"; then
      log "the public API of $package differs from $file (diff above)"
      failed=1
    fi
  done
  if [ "$failed" -ne 0 ]; then
    log "if the change is intended, update the listing with: scripts/public-api.sh --bless (and commit it)"
    return 1
  fi
  log "the public API listings match"
}

bless() {
  local package file
  generated="$(mktemp -d)"
  trap 'rm -rf "$generated"' EXIT
  for package in "${PACKAGES[@]}"; do
    file="$(listing_of "$package")"
    log "writing the public API of $package to $file"
    generate "$package" > "$generated/$package.txt"
    mv "$generated/$package.txt" "$file"
  done
}

main() {
  if [ "$#" -gt 1 ]; then usage >&2; exit 2; fi
  local arg="${1:-tallymark}"
  case "$arg" in
    -h | --help) usage; return ;;
    --check | --bless) ;;
    -*) usage >&2; exit 2 ;;
    *) listing_of "$arg" >/dev/null ;;
  esac
  ensure_node
  ensure_nightly
  case "$arg" in
    --check) check ;;
    --bless) bless ;;
    *) generate "$arg" ;;
  esac
}

main "$@"
