#!/usr/bin/env bash
# What tallymark adds to a user's build (issue 18, §5), on demand, not in CI: examples/quickstart
# against the same worker written by hand (benches/compile/by-hand: the same route and point with
# workers-rs's AnalyticsEngineDataPointBuilder), each a crate of its own in a scratch directory
# with the workspace's Cargo.lock.
#
# For each variant and each command (`cargo build --release` and `cargo check`, both for
# wasm32-unknown-unknown, the compile step of worker-build) it times a clean build (an empty
# target directory: every dependency compiled) and an incremental one (the handler's response
# text changed, then rebuilt). It records the wall time and the CPU time (of cargo and every
# compiler it ran; other processes on the machine move it less), to the millisecond with `perf
# stat` where the machine has it (an incremental `cargo check` takes about 0.15 s), else to the
# hundredth with `/usr/bin/time`; or, with --instructions, counts the instructions instead. Rounds
# alternate the variants; the tables give each figure's median and range, and the ratios
# tallymark / by hand. Results: BENCHMARKS.md, "Compile time".
#
#   ./scripts/bench-compile.sh [--profile workspace|cargo|size] [--tallymark-units N]
#                              [--dependency path|registry] [--own-type]
#                              [--own-type-derives TRAITS]
#                              [--without instrumented|layout|scope]... [--check-only]
#                              [--incremental | --instructions] [rounds]
#
#   --profile workspace   the workspace's `[profile.release]` (the default): thin LTO, and its
#                         `[profile.release.package.tallymark]` for the tallymark crate (one
#                         codegen unit, as the README advises)
#   --profile cargo       Cargo's default release profile (no LTO), which a crate made from
#                         workers-rs's hello-world and axum templates has
#   --profile size        the size profile of workers-rs's leptos template: `opt-level = "s"`,
#                         fat LTO (`lto = true`), `strip = true`, `codegen-units = 1`
#   --tallymark-units N   the tallymark crate's manifest sets
#                         `[profile.release.package.tallymark] codegen-units = N`, in place of
#                         the profile's own (the README advises 1 for a Worker built with thin LTO)
#   --tallymark-units rustc
#                         no such line: tallymark in as many units as rustc makes of it
#   --dependency path     tallymark by path, this repository's crates (the default)
#   --dependency registry tallymark as crates.io serves it: this repository's crates packaged
#                         (`cargo package`) into a directory that stands in for crates.io, beside
#                         every other dependency of both crates (vendored from Cargo's cache,
#                         fetched first where missing), so Cargo treats tallymark as any
#                         published crate (no modification time of its sources read at each
#                         build)
#   --own-type            both crates also declare a type of their own that derives `Debug` and
#                         `Clone`, as most crates do: what tallymark adds to such a crate (its point
#                         builder's derives no longer pay alone for checking those traits' impls)
#   --own-type-derives TRAITS
#                         as --own-type, but the type derives TRAITS (`Debug`, `Clone`, or
#                         `Debug, Clone`): what each trait's first impl in a crate costs
#   --without PART        the quickstart without one of its uses of tallymark, to measure what
#                         each costs (repeat the option to drop several): `instrumented` drops
#                         `#[instrumented]` and `record!` (the handler runs as written),
#                         `layout` drops `#[tallymark::layout]` and its field attributes (the
#                         struct stays; needs `instrumented` dropped too), `scope` drops the
#                         `Scope` (the router runs alone). tallymark stays a dependency
#   --check-only          `cargo check` alone, no `cargo build --release`
#   --incremental         incremental builds only: one untimed build of each variant and
#                         command, then rounds of 8 incremental builds
#   --instructions        as --incremental, but counts the instructions of each build (valgrind's
#                         cachegrind: cargo, rustc and the macros it loads, LLVM, the linker)
#                         instead of timing it. The count is the same run after run, so one round
#                         settles a ratio that this VM's timings move by ±0.1; a build under
#                         valgrind takes about 30 times as long
#   rounds                default 3 (1 with --instructions); a round is 4 clean and 8
#                         incremental builds
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
PROFILE=workspace
TALLYMARK_UNITS=""
DEPENDENCY=path
OWN_TYPE=0
OWN_TYPE_DERIVES="Debug, Clone"
WITHOUT=()
COMMANDS=(build check)
INCREMENTAL_ONLY=0
INSTRUCTIONS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE="${2:-}"; shift; [ $# -gt 0 ] && shift ;;
    --tallymark-units) TALLYMARK_UNITS="${2:-}"; shift; [ $# -gt 0 ] && shift ;;
    --dependency) DEPENDENCY="${2:-}"; shift; [ $# -gt 0 ] && shift ;;
    --own-type) OWN_TYPE=1; shift ;;
    --own-type-derives) OWN_TYPE=1; OWN_TYPE_DERIVES="${2:-}"; shift; [ $# -gt 0 ] && shift ;;
    --without) WITHOUT+=("${2:-}"); shift; [ $# -gt 0 ] && shift ;;
    --check-only) COMMANDS=(check); shift ;;
    --incremental) INCREMENTAL_ONLY=1; shift ;;
    --instructions) INCREMENTAL_ONLY=1; INSTRUCTIONS=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) log "unknown option: $1 (see --help)"; exit 2 ;;
    *) break ;;
  esac
done
DEFAULT_ROUNDS=3
MEASURE=seconds # the function that measures a build: `seconds` or `instructions`
if [ "$INSTRUCTIONS" = 1 ]; then DEFAULT_ROUNDS=1; MEASURE=instructions; fi
ROUNDS="${1:-$DEFAULT_ROUNDS}"
[ $# -le 1 ] || { log "options go before the rounds (see --help)"; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { log "rounds is a number of rounds, not '$ROUNDS' (see --help)"; exit 2; }
# The lines of one table of the workspace's manifest, `[NAME]`, without its header.
profile_table() {
  awk -v header="[$1]" '$0 == header { on = 1; next } /^\[/ { on = 0 } on && NF && !/^#/' "$ROOT/Cargo.toml"
}
case "$PROFILE" in
  workspace)
    RELEASE_PROFILE="$(profile_table 'profile.release')"
    WORKSPACE_UNITS="$(profile_table 'profile.release.package.tallymark' | awk -F' *= *' '$1 == "codegen-units" { print $2 }')"
    : "${TALLYMARK_UNITS:=${WORKSPACE_UNITS:-rustc}}" ;;
  cargo) RELEASE_PROFILE="" ;;
  size) RELEASE_PROFILE="$(printf '%s\n' 'opt-level = "s"' 'lto = true' 'strip = true' 'codegen-units = 1')" ;;
  *) log "--profile takes workspace, cargo or size, not '$PROFILE'"; exit 2 ;;
esac
# The profile override of the tallymark crate alone (the by-hand crate has no tallymark package
# for it to name, and Cargo would warn).
TALLYMARK_PROFILE=""
[ "$TALLYMARK_UNITS" != rustc ] || TALLYMARK_UNITS=""
if [ -n "$TALLYMARK_UNITS" ]; then
  [[ "$TALLYMARK_UNITS" =~ ^[1-9][0-9]*$ ]] ||
    { log "--tallymark-units takes a number of codegen units or rustc, not '$TALLYMARK_UNITS'"; exit 2; }
  TALLYMARK_PROFILE="$(printf '%s\n' '[profile.release.package.tallymark]' "codegen-units = $TALLYMARK_UNITS")"
fi
[[ "$OWN_TYPE_DERIVES" =~ ^(Debug|Clone|Debug,\ *Clone|Clone,\ *Debug)$ ]] ||
  { log "--own-type-derives takes Debug, Clone or both (\"Debug, Clone\"), not '$OWN_TYPE_DERIVES'"; exit 2; }
case "$DEPENDENCY" in
  path | registry) ;;
  *) log "--dependency takes path or registry, not '$DEPENDENCY'"; exit 2 ;;
esac
for part in ${WITHOUT[@]+"${WITHOUT[@]}"}; do
  case "$part" in
    instrumented | scope) ;;
    layout) [[ " ${WITHOUT[*]} " == *" instrumented "* ]] ||
      { log "--without layout needs --without instrumented (the handler's point is the layout's)"; exit 2; } ;;
    *) log "--without takes instrumented, layout or scope, not '$part'"; exit 2 ;;
  esac
done
ensure_wasm_target
# With RUST_BACKTRACE set, Cargo captures a backtrace for errors it makes and discards within a
# build (about 24 M instructions an invocation, on both sides of each ratio): builds are measured
# without it, as most users build.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
if [ "$INSTRUCTIONS" = 1 ] && ! command -v valgrind >/dev/null; then
  log "--instructions needs valgrind (Debian's package valgrind)"; exit 2
fi

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tallymark-compile.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

# A standalone copy of a worker crate: its sources, a manifest with DEPS (tallymark by path on
# this repository's crates), the workspace's lock, the chosen release profile and OVERRIDES
# (more profile tables, or nothing).
make_crate() {
  local name="$1" src="$2" deps="$3" overrides="$4"
  mkdir -p "$SCRATCH/$name"
  cp -r "$src" "$SCRATCH/$name/src"
  cp "$ROOT/Cargo.lock" "$SCRATCH/$name/Cargo.lock"
  cat > "$SCRATCH/$name/Cargo.toml" <<TOML
[package]
name = "quickstart-$name"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
$deps

[profile.release]
$RELEASE_PROFILE

$overrides

[workspace]
TOML
}

WORKER_DEP="worker = \"$(awk -F'"' '/^worker = / { print $2 }' "$ROOT/Cargo.toml")\""
make_crate tallymark "$ROOT/examples/quickstart/src" "tallymark = { path = \"$ROOT/runtime\" }
$WORKER_DEP" "$TALLYMARK_PROFILE"
make_crate by-hand "$ROOT/benches/compile/by-hand/src" "$WORKER_DEP" ""

# Both crates' dependencies from a directory that replaces crates.io: every crate of the lock,
# vendored from Cargo's cache (fetched first where missing), and tallymark's crates as `cargo
# package` makes them for publishing; the tallymark crate then depends on tallymark by version.
use_registry() {
  local vendor="$SCRATCH/vendor" packaged="$SCRATCH/package" version crates crate checksum
  (cd "$SCRATCH/tallymark" && cargo fetch --quiet && cargo vendor --offline --quiet "$vendor" >/dev/null)
  crates="$(cd "$ROOT" && cargo tree --offline -p tallymark --target all -e normal,build --prefix none |
    awk '$1 ~ /^tallymark/ { print $1 }' | sort -u)"
  [ -n "$crates" ] || { log "cargo tree listed no tallymark crate to package"; exit 1; }
  # shellcheck disable=SC2086 # one -p per crate
  (cd "$ROOT" && CARGO_TARGET_DIR="$packaged" cargo package --offline --quiet --no-verify \
    --allow-dirty $(printf -- '-p %s ' $crates))
  for crate in "$packaged"/package/*.crate; do
    tar xzf "$crate" -C "$vendor"
    # No file list: the directory is the packaged crate, unpacked here, and trusted as it is.
    checksum="$(sha256sum "$crate" | cut -d' ' -f1)"
    printf '{"files":{},"package":"%s"}' "$checksum" \
      > "$vendor/$(basename "$crate" .crate)/.cargo-checksum.json"
  done
  # The version of the runtime's package, from its file name: tallymark-<version>.crate.
  version="$(basename "$packaged"/package/tallymark-[0-9]*.crate .crate)"
  version="${version#tallymark-}"
  sed -i "s|^tallymark = .*|tallymark = \"$version\"|" "$SCRATCH/tallymark/Cargo.toml"
  grep -qx "tallymark = \"$version\"" "$SCRATCH/tallymark/Cargo.toml" ||
    { log "could not make the tallymark crate depend on tallymark $version"; exit 1; }
  for variant in tallymark by-hand; do
    mkdir -p "$SCRATCH/$variant/.cargo"
    cat > "$SCRATCH/$variant/.cargo/config.toml" <<TOML
[source.crates-io]
replace-with = "packaged"

[source.packaged]
directory = "$vendor"
TOML
  done
}
if [ "$DEPENDENCY" = registry ]; then use_registry; fi

# A type of the user's own, deriving what most crates' types derive.
if [ "$OWN_TYPE" = 1 ]; then
  for variant in tallymark by-hand; do
    cat >> "$SCRATCH/$variant/src/lib.rs" <<RUST

/// A type of the crate's own (\`--own-type\`).
#[derive($OWN_TYPE_DERIVES)]
pub struct Greeting {
    /// Its text.
    pub text: String,
}
RUST
  done
fi

# The quickstart without PART (see --without). Each edit must change the source: a quickstart
# whose text no longer matches stops the script rather than measure the wrong crate.
without() {
  local file="$SCRATCH/tallymark/src/lib.rs" before
  before="$(cat "$file")"
  case "$1" in
    instrumented) sed -i -E '/^#\[tallymark::instrumented\(/d; /^ *tallymark::record!\(/d' "$file" ;;
    layout) sed -i -E 's/^#\[tallymark::layout\(.*$/#[allow(dead_code)]/; /^ *#\[(index|blob\([0-9]+\)|double\([0-9]+\))\]$/d' "$file" ;;
    scope) sed -i -E '/tallymark::Scope::from_env/d; s/telemetry\.run\((router\.run\(req, env\))\)/\1/' "$file" ;;
  esac
  [ "$(cat "$file")" != "$before" ] || { log "--without $1 found nothing to drop in the quickstart"; exit 1; }
}
for part in ${WITHOUT[@]+"${WITHOUT[@]}"}; do without "$part"; done
if grep -q "tallymark::" "$SCRATCH/tallymark/src/lib.rs" && [ ${#WITHOUT[@]} -eq 3 ]; then
  log "the quickstart still uses tallymark without all three parts"; exit 1
fi

# Whether `perf stat` can count this machine's CPU time (it needs the kernel's permission).
PERF=0
if perf stat -x, -e task-clock true >/dev/null 2>&1; then PERF=1; fi

# The millions of instructions a command and the processes it started ran (each program they
# exec, as valgrind reports it), twice, in place of "WALL CPU". A failed command shows valgrind's
# logs and is run again with its output shown; either stops the script, as does a count of none.
instructions() {
  local counts="$SCRATCH/cachegrind"
  rm -f "$counts".*
  if ! valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    --trace-children=yes --log-file="$counts.%p" "$@" >/dev/null 2>&1; then
    log "failed under valgrind: $*"; cat "$counts".* >&2; "$@"; exit 1
  fi
  cat "$counts".* | awk '/I *refs:/ { gsub(",", "", $NF); total += $NF }
    END { if (total == 0) exit 1; printf "%.1f %.1f\n", total / 1e6, total / 1e6 }' ||
    { log "valgrind counted no instructions: $*"; exit 1; }
}

# The wall and CPU seconds a command took, as "WALL CPU"; a failed command is run again with its
# output shown, and stops the script.
seconds() {
  local times="$SCRATCH/time" started
  if [ "$PERF" = 1 ]; then
    started="$(date +%s.%N)"
    perf stat -x, -e task-clock -o "$times" "$@" >/dev/null 2>&1 || { log "failed: $*"; "$@"; exit 1; }
    awk -F, -v started="$started" -v ended="$(date +%s.%N)" \
      '$3 == "task-clock" { printf "%.3f %.3f\n", ended - started, $1 / 1000 }' "$times"
  else
    /usr/bin/time -o "$times" -f '%e %U %S' "$@" >/dev/null 2>&1 || { log "failed: $*"; "$@"; exit 1; }
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$times"
  fi
}

# Changes the handler's response text (a different text each time), as a user editing it would.
touch_handler() {
  local file="$SCRATCH/$1/src/lib.rs"
  sed -i -E 's/format!\("hello[^,]*, \{name\}"\)/format!("hello'"$2"', {name}")/' "$file"
  grep -q "hello$2, {name}" "$file" || { log "could not change the handler of $1"; exit 1; }
}

# Every edit below keeps the handler's text the same length (rounds 1 to 99): an edit that changes
# it moves the position of all that follows, and the incremental build after it does more work.
for variant in tallymark by-hand; do touch_handler "$variant" "-00-0"; done

RESULTS="$SCRATCH/results.tsv"

# Runs cargo COMMAND (build or check) for wasm32 in VARIANT's crate; a build is a release build.
cargo_in() {
  local variant="$1" command="$2"; shift 2
  local args=("$command" --target wasm32-unknown-unknown --quiet)
  if [ "$command" = build ]; then args+=(--release); fi
  (cd "$SCRATCH/$variant" && CARGO_TARGET_DIR="$SCRATCH/target-$variant" "$@" cargo "${args[@]}")
}

# Times (or counts) one build of VARIANT with COMMAND and records it as KIND; prints what it
# measured.
timed_build() {
  local variant="$1" command="$2" kind="$3" wall cpu
  # In `$(..)`, where `set -e` does not reach, a failed build must still stop the script.
  read -r wall cpu < <(cargo_in "$variant" "$command" "$MEASURE") || return 1
  printf '%s\t%s\t%s\t%s\t%s\n' "$variant" "$command" "$kind" "$wall" "$cpu" >> "$RESULTS"
  if [ "$INSTRUCTIONS" = 1 ]; then echo "$cpu M instructions"; else echo "$wall s wall, $cpu s CPU"; fi
}

if [ "$INCREMENTAL_ONLY" = 1 ]; then
  for variant in tallymark by-hand; do
    for command in "${COMMANDS[@]}"; do
      log "untimed first $command of $variant"
      cargo_in "$variant" "$command"
    done
  done
fi

for round in $(seq 1 "$ROUNDS"); do
  variants=(tallymark by-hand)
  [ $((round % 2)) -eq 0 ] && variants=(by-hand tallymark)
  for variant in "${variants[@]}"; do
    for command in "${COMMANDS[@]}"; do
      clean="not timed"
      if [ "$INCREMENTAL_ONLY" = 0 ]; then
        rm -rf "$SCRATCH/target-$variant"
        clean="$(timed_build "$variant" "$command" clean)"
      fi
      for edit in 1 2; do
        touch_handler "$variant" "-$(printf %02d "$round")-$edit"
        incremental="$(timed_build "$variant" "$command" incremental)"
      done
      log "round $round: $variant $command: clean $clean; incremental $incremental"
    done
  done
done

# One table per measure (column 4: wall, 5: CPU), in UNIT: "s" or "M" (millions of instructions).
table() {
  awk -F'\t' -v column="$1" -v measure="$2" -v unit="$3" '
    { key = $2 "\t" $3; values[$1, key] = values[$1, key] " " $column }
    # Seconds to the millisecond under one second, else to the hundredth; instructions to 0.1 M.
    function s(x) { return sprintf(unit == "M" ? "%.1f" : x < 1 ? "%.3f" : "%.2f", x) }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      lo = a[1]; hi = a[n]
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      printf "| %s (wasm32) | build | by hand, %s (range) | tallymark, %s (range) | tallymark / by hand |\n|---|---|---|---|---|\n", measure, unit, unit
      split("build\tclean|build\tincremental|check\tclean|check\tincremental", order, "|")
      for (k = 1; k <= 4; k++) {
        key = order[k]; split(key, parts, "\t")
        if (!(("by-hand", key) in values)) continue
        hand = median(values["by-hand", key]); hlo = lo; hhi = hi
        tally = median(values["tallymark", key]); tlo = lo; thi = hi
        # Instruction counts repeat to 0.05%, so their ratio has a third decimal.
        printf "| cargo %s%s | %s | %s (%s–%s) | %s (%s–%s) | " (unit == "M" ? "%.3f" : "%.2f") " |\n", parts[1], parts[1] == "build" ? " --release" : "", parts[2], s(hand), s(hlo), s(hhi), s(tally), s(tlo), s(thi), tally / hand
      }
    }' "$RESULTS"
}
if [ "$INSTRUCTIONS" = 1 ]; then
  table 5 "instructions" M
else
  table 4 "wall time" s
  echo
  table 5 "CPU time" s
fi
printf '\n%s rounds; release profile: %s%s; tallymark by %s%s%s; incremental: the handler changed, twice a round\n' \
  "$ROUNDS" "$PROFILE" "$([ -n "$TALLYMARK_UNITS" ] && echo ", tallymark in $TALLYMARK_UNITS codegen units" || echo ", tallymark's codegen units as the profile sets them")" \
  "$DEPENDENCY" "$([ "$OWN_TYPE" = 1 ] && echo '; with a type of their own')" \
  "$([ ${#WITHOUT[@]} -gt 0 ] && echo "; the quickstart without: ${WITHOUT[*]}")"
