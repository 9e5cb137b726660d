#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo fuzz: libFuzzer, on the nightly toolchain), each for a
# bounded time, one after another (each uses one core):
#
#   ./scripts/fuzz.sh                    every target for 60 seconds
#   ./scripts/fuzz.sh 600                every target for 10 minutes (the run FUZZING.md records)
#   ./scripts/fuzz.sh 20 macros sql_check   only these targets
#   ./scripts/fuzz.sh --scratch 20       what the `fuzz` stage of test.sh runs: the inputs found go
#                                        to a scratch corpus, the committed one stays as it is
#
# Each target starts from its committed corpus, fuzz/corpus/<target>, and replays the inputs of
# the failures fixed so far, fuzz/crashes/<target>; without --scratch, the new inputs it finds are
# added to the corpus: minimize it before committing with
# `cargo +nightly fuzz cmin --sanitizer none --target-dir "$CARGO_TARGET_DIR/fuzz" <target>`.
# A crash, a panic, a failed assertion, an input that runs over 10 s or over 2 GB: the input is
# saved under fuzz/artifacts/<target>/, the remaining targets still run, and the script exits 1.
# Reproduce one with `cargo +nightly fuzz run --sanitizer none --target-dir "$CARGO_TARGET_DIR/fuzz"
# <target> fuzz/artifacts/<target>/<file>`; once fixed, keep it in fuzz/crashes/<target>/.
#
# Prints one line per target: runs, libFuzzer's coverage (cov: code edges, ft: features), the
# corpus size. The builds go to $CARGO_TARGET_DIR/fuzz (target/fuzz without it), so a rerun
# rebuilds nothing; libFuzzer's output is kept beside them, in logs/<target>.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

TARGETS=(data_point macros sql_check ingest_line)

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

scratch=false
seconds=60
chosen=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --scratch) scratch=true ;;
    *[!0-9]*) chosen+=("$arg") ;;
    *) seconds="$arg" ;;
  esac
done
for target in "${chosen[@]}"; do
  if ! printf '%s\n' "${TARGETS[@]}" | grep -qx "$target"; then
    log "unknown fuzz target: $target (targets: ${TARGETS[*]})"
    exit 2
  fi
done
[ "${#chosen[@]}" -gt 0 ] || chosen=("${TARGETS[@]}")

ensure_cargo_fuzz
BUILD_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
mkdir -p "$BUILD_DIR/logs"
# The instrumentation checks Rust code without `unsafe` (none in tallymark's crates): no sanitizer,
# which halves the build and doubles the runs. Debug assertions and overflow checks are on.
FUZZ_FLAGS=(--sanitizer none --target-dir "$BUILD_DIR")

# fuzz/ is a workspace of its own; like every cargo command of the scripts, it builds from its
# committed lock, never an updated one.
if ! cargo +nightly metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null; then
  log "fuzz/Cargo.lock is out of date; update it with: (cd fuzz && cargo +nightly update --workspace)"
  exit 1
fi
log "building the fuzz targets (nightly, release with debug assertions)"
cargo +nightly fuzz build "${FUZZ_FLAGS[@]}"

failed=()
for target in "${chosen[@]}"; do
  corpus="fuzz/corpus/$target"
  # libFuzzer writes new inputs to the first corpus directory and only reads the others.
  corpora=("$corpus")
  if "$scratch"; then
    rm -rf "$BUILD_DIR/scratch/$target"
    mkdir -p "$BUILD_DIR/scratch/$target"
    corpora=("$BUILD_DIR/scratch/$target" "$corpus")
  fi
  # The inputs of the failures fixed so far, replayed by every run.
  if [ -d "fuzz/crashes/$target" ]; then corpora+=("fuzz/crashes/$target"); fi
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  logfile="$BUILD_DIR/logs/$target.log"
  log "fuzzing $target for ${seconds}s"
  status=0
  cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" "${corpora[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$logfile" 2>&1 || status=$?
  # libFuzzer's last status line: `#RUNS DONE cov: N ft: N corp: N/SIZE ...` (NEW, REDUCE or
  # pulse when it stopped on a failure).
  done_line="$(grep -E '^#[0-9]+[[:space:]].* cov: ' "$logfile" | tail -n 1 || true)"
  runs="$(awk '/stat::number_of_executed_units:/ { print $2 }' "$logfile" | tail -n 1)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")"
  corp="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$done_line")"
  if [ "$status" -eq 0 ]; then
    verdict="no crash"
  else
    verdict="FAILED (exit $status): see $logfile; the input is in fuzz/artifacts/$target/"
    failed+=("$target")
  fi
  printf '%-12s runs %s in %ss, cov %s, ft %s, corpus %s (inputs/size), %s\n' \
    "$target" "${runs:-?}" "$seconds" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$verdict"
done

if [ "${#failed[@]}" -gt 0 ]; then
  log "fuzz targets failed: ${failed[*]}"
  tail -n 30 "$BUILD_DIR/logs/${failed[0]}.log" >&2
  exit 1
fi
log "no fuzz target failed: ${chosen[*]}"
