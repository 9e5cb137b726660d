#!/usr/bin/env bash
# The main job: builds examples/kiloclaw, runs it in workerd on 127.0.0.1 with its Analytics Engine
# points captured into .tallymark/points.jsonl, replays a short scenario (HTTP requests, a Durable
# Object lifecycle, reconcile alarms) and prints the captured points by field name.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
build_example kiloclaw
cd "$ROOT" && node e2e/demo.js
