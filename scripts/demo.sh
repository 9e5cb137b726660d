#!/usr/bin/env bash
# The main job: builds examples/kiloclaw, runs it in workerd on 127.0.0.1 with its Analytics Engine
# points captured into .tallymark/points.jsonl, replays a short scenario (HTTP requests, a Durable
# Object lifecycle, reconcile alarms) and prints the captured points by field name; then loads them
# into the local store (.tallymark/points.db) and summarises them with a sampling-correct
# `tallymark query`, by field name from examples/kiloclaw/tallymark.lock.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
build_example kiloclaw
cd "$ROOT" && node e2e/demo.js

log "building the tallymark command (cli/; about a minute the first time)"
cargo build --quiet --locked -p tallymark-cli
tallymark() { cargo run --quiet --locked -p tallymark-cli -- "$@"; }
log "the captured points, loaded into the local store and queried by name"
rm -f .tallymark/points.db
tallymark ingest --db .tallymark/points.db .tallymark/points.jsonl
# Rows may be sampled in production: a count is sum(_sample_interval), a quantile is weighted by it.
tallymark query --db .tallymark/points.db --lock examples/kiloclaw/tallymark.lock --format table "
  SELECT event,
         sum(_sample_interval) AS points,
         quantileExactWeighted(0.5)(duration_ms, _sample_interval) AS p50_ms,
         quantileExactWeighted(0.95)(duration_ms, _sample_interval) AS p95_ms
  FROM kiloclaw_events
  GROUP BY event
  ORDER BY points DESC, event"
