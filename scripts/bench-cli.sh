#!/usr/bin/env bash
# The tallymark command's speed (BENCHMARKS.md, "The tallymark command"): ingest rate, two
# sampling-correct queries over 1,000,000 points, and `tallymark --help`'s start time.
#
#   ./scripts/bench-cli.sh [points] [runs]     defaults: 1000000 points, 5 runs a figure
#
# Builds tallymark-cli in release, writes the points (10 events, 1,000 users, a duration, sample
# intervals 1 to 4, one a second) as JSON lines into a temporary folder, and prints the median of
# `runs` timings of each step, wall and CPU (ingest into a fresh store each run), and the load
# average. hyperfine is used for --help when installed, else a loop of 100 runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
POINTS="${1:-1000000}"
RUNS="${2:-5}"

log "building tallymark-cli (release)"
cargo build --release -p tallymark-cli --locked
BIN="$(target_dir)/release/tallymark"

DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
log "writing $POINTS points into $DIR/points.jsonl"
node -e '
const n = Number(process.argv[1]);
const out = require("fs").createWriteStream(process.argv[2]);
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const start = Date.UTC(2026, 10, 1);
let buf = "";
for (let i = 0; i < n; i++) {
  const event = `event.${i % 10}`;
  const line = {
    dataset: "bench_events", index: event,
    blobs: [event, `user-${Math.floor(rand() * 1000)}`, "GET /bench/:id"],
    doubles: [Math.round(rand() * 5000) / 10],
    timestamp: start + i * 1000,
    sample_interval: 1 + Math.floor(rand() * 4),
  };
  buf += JSON.stringify(line) + "\n";
  if (buf.length > 1 << 20) { out.write(buf); buf = ""; }
}
out.end(buf);
' "$POINTS" "$DIR/points.jsonl"

# The median of RUNS runs of a command: "<wall seconds> <CPU seconds (user + sys)>". The CPU
# time is the figure to compare on a busy machine: the wall time includes waiting for a core.
median_of() {
  local walls=() cpus=() i
  for ((i = 0; i < RUNS; i++)); do
    [ -z "${BEFORE:-}" ] || eval "$BEFORE"
    /usr/bin/time -o "$DIR/time.txt" -f '%e %U %S' "$@" > "$DIR/out.txt"
    read -r wall user sys < "$DIR/time.txt"
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc -l)")
  done
  printf '%s %s\n' \
    "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}')"
}

log "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
DB="$DIR/points.db"
BEFORE="rm -f '$DB' '$DB-wal' '$DB-shm'"
read -r wall cpu < <(median_of "$BIN" ingest --db "$DB" "$DIR/points.jsonl")
printf 'ingest of %s points: %s s wall, %s points/s; %s s CPU, %s points/s (medians of %s)\n' \
  "$POINTS" "$wall" "$(echo "$POINTS / $wall" | bc)" "$cpu" "$(echo "$POINTS / $cpu" | bc)" "$RUNS"
# The queries read the store the last ingest run left: the points, once each.
unset BEFORE

COUNT="SELECT blob1 AS event, sum(_sample_interval) AS n FROM bench_events GROUP BY event ORDER BY event"
read -r wall cpu < <(median_of "$BIN" query --db "$DB" --format tsv "$COUNT")
printf 'count by event (sum(_sample_interval)): %s s wall, %s s CPU (medians of %s)\n' "$wall" "$cpu" "$RUNS"
head -3 "$DIR/out.txt" | sed 's/^/    /'

P95="SELECT blob1 AS event, quantileExactWeighted(0.95)(double1, _sample_interval) AS p95 FROM bench_events GROUP BY event ORDER BY event"
read -r wall cpu < <(median_of "$BIN" query --db "$DB" --format tsv "$P95")
printf 'quantileExactWeighted(0.95) of the duration by event: %s s wall, %s s CPU (medians of %s)\n' "$wall" "$cpu" "$RUNS"
head -3 "$DIR/out.txt" | sed 's/^/    /'

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 5 --runs 100 "$BIN --help"
else
  start=$(date +%s.%N)
  for ((i = 0; i < 100; i++)); do "$BIN" --help > /dev/null; done
  end=$(date +%s.%N)
  printf 'tallymark --help: %s ms a run (mean of 100, no hyperfine)\n' "$(echo "($end - $start) * 10" | bc -l | xargs printf '%.2f')"
fi
