#!/usr/bin/env bash
# Runs the overhead benchmarks (benches/benches/overhead.rs) in several rounds and reports each
# round's medians and ratios, then the median of each over the rounds. Ratios always compare
# figures of the same round; the rounds temper the noise of a shared machine. Then runs the
# handler variants interleaved (benches/benches/interleaved.rs), once per round, each run in its
# own process. Then, when valgrind is installed, counts the instructions of one call of each
# handler variant, which do not vary from run to run (benches/examples/instructions.rs).
#
#   ./scripts/bench.sh [rounds] [filter]   (default 3 rounds, about 1 minute each; a filter, a
#                                          criterion regex such as 'handler/(2|3 |4)', runs
#                                          only those benchmarks and skips the interleaved runs
#                                          and the instruction counts)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
rounds="${1:-3}"
filter="${2:-}"
criterion="$(target_dir)/criterion"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  since="$(date +%s%3N)"
  (cd "$ROOT" && cargo bench -p tallymark-benches --bench overhead --locked -- \
    --warm-up-time 1 --measurement-time 3 --noplot ${filter:+"$filter"} >/dev/null)
  node "$ROOT/scripts/bench-report.js" record "$criterion" "$since" >>"$results"
done
node "$ROOT/scripts/bench-report.js" summary "$results"

[ -z "$filter" ] || exit 0

: >"$results"
for run in $(seq 1 "$rounds"); do
  echo "interleaved run $run of $rounds" >&2
  (cd "$ROOT" && cargo bench -p tallymark-benches --bench interleaved --locked -- --json) >>"$results"
done
echo
node "$ROOT/scripts/bench-report.js" interleaved "$results"

command -v valgrind >/dev/null || { echo "(valgrind not found: no instruction counts)"; exit 0; }
(cd "$ROOT" && cargo build --release -p tallymark-benches --example instructions --locked >&2)
driver="$(dirname "$criterion")/release/examples/instructions"
# Instructions of a whole run of `n` calls, as callgrind counts them.
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$driver" "$1" "$2" 2>&1 |
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
printf '\n## Instructions per call (callgrind: runs of 11,000 calls minus runs of 1,000)\n\n'
printf '| variant | instructions | against hand-written |\n|---|---|---|\n'
baseline=""
for variant in hand-written instrumented hand-written-in-scope instrumented-in-scope \
  instrumented-scope-per-call tracing-collecting; do
  per_call=$(( ($(count "$variant" 11000) - $(count "$variant" 1000)) / 10000 ))
  baseline="${baseline:-$per_call}"
  awk -v v="$variant" -v n="$per_call" -v b="$baseline" 'BEGIN { printf "| %s | %d | %.2f |\n", v, n, n / b }'
done
