// The load run (scripts/load.sh; on demand, and small in the e2e stage: tests/load.test.js):
// examples/kiloclaw in workerd on 127.0.0.1, sent a mix of instrumented routes, platform routes and
// alarms, a bounded number at a time, with a build made with the `off` feature as the baseline,
// each round running every variant. Every point the requests should write is counted at a capture
// server in a process of its own (lib/capture-server.js) and compared, by dataset, event, user and
// route, with what was sent; the worker's own /__tallymark/stats says how many points tallymark
// handed to writeDataPoint, and workerd runs with --verbose so that a point it fails to forward
// shows in its log. The worker's console lines go to a file (not a pipe to this process, which
// would wake it at each line; `--console pipe` sends them through one, as before) and are counted
// too, by kind and user, against what was sent. Each run reports the throughput, the latencies
// and workerd's CPU time per request while the requests ran; the summary compares each variant with its baseline, by the ratio
// of their medians and paired round by round (lib/load-summary.js).
//
//   node e2e/load.js [--requests 20000] [--concurrency 64] [--rounds 1] [--variants off,on]
//                    [--capture process|inprocess] [--keep-alive-ms N] [--deadline-s 300]
//                    [--mix all|KIND[,KIND...]] [--on-build DIR] [--interleave N]
//                    [--profile DIR [--profile-match REGEX]] [--console file|pipe]
//
// --interleave N starts every variant of a round at once (each its own workerd and capture) and
// sends them N requests in turn until each has had its --requests: the variants then share the
// host's good and bad moments, which separate rounds do not. A variant's throughput is its
// requests over the time spent sending its own batches; its CPU, workerd's from its first batch
// to its last (an idle workerd spends next to none).
//
// --on-build takes the instrumented variants from another build of the worker. --profile records
// each run's timed requests with perf into DIR and gives workerd's CPU on its JavaScript thread to
// the outermost frame matching REGEX (default `tallymark`), per variant over its rounds, and
// then, round by round, to garbage collection, compilation, frames matching REGEX or the rest
// (lib/perf-profile.js; scripts/profile-load.sh builds the worker so that its functions have names).
//
// Variants: `off` (the build with the `off` feature), `on` (instrumented, each point forwarded
// by workerd to the capture), `on-null` (instrumented, the datasets bound to a no-op
// writeDataPoint), `off-null` (the `off` build with the same bindings as `on-null`: the pair
// differs only in the build).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import fs from 'node:fs';
import { cpuNs, root, startWorker, workers } from './lib/workerd.js';
import { option } from './lib/options.js';
import {
  ISOLATE_GROUPS, PERF_V8_FLAGS, addAttribution, attribute, attributionTable, groupsTable, startPerf,
} from './lib/perf-profile.js';
import { summaryTables } from './lib/load-summary.js';

const REQUESTS = Number(option('requests', 20_000));
const CONCURRENCY = Number(option('concurrency', 64));
const ROUNDS = Number(option('rounds', 1));
const VARIANTS = option('variants', 'off,on').split(',');
const CAPTURE = option('capture', 'process');
// Where workerd's standard output (the worker's console lines) goes: a file, or a pipe read here.
const CONSOLE = option('console', 'file');
if (!['file', 'pipe'].includes(CONSOLE)) throw new Error(`--console takes file or pipe, not ${CONSOLE}`);
// The capture closes each connection after its answer, unless given a keep-alive timeout.
const KEEP_ALIVE_MS = option('keep-alive-ms', null);
// With a number, every variant of a round runs at once, sent this many requests in turn.
const INTERLEAVE = option('interleave', null) === null ? null : Number(option('interleave', null));
if (INTERLEAVE !== null && !(INTERLEAVE > 0)) throw new Error(`--interleave takes a number of requests, not ${option('interleave', null)}`);
// Bounded in time: no request is sent after this, and each request gives up after 30 s.
const DEADLINE_MS = Number(option('deadline-s', 300)) * 1000;
// How long the points may take to arrive after the last response.
const SETTLE_MS = 60_000;
const KEY = workers.kiloclaw.vars.INTERNAL_API_KEY;
const USERS = 64;
const ALARM_USERS = 16;

const PROFILE_DIR = option('profile', null);
const PROFILE_MATCH = new RegExp(option('profile-match', 'tallymark'));
const ON_BUILD = option('on-build', null);

const offBuild = { ...workers.kiloclaw, name: 'kiloclaw-off', buildDir: path.join(root, 'examples', 'kiloclaw', 'build-off') };
const onBuild = ON_BUILD === null ? workers.kiloclaw : { ...workers.kiloclaw, buildDir: path.resolve(ON_BUILD) };
const builds = {
  on: onBuild,
  off: offBuild,
  // The instrumented build with each dataset bound to a JavaScript object whose writeDataPoint
  // takes the point and does nothing: tallymark's cost up to writeDataPoint, without workerd's
  // local forwarding of every point over HTTP (which production does not have).
  'on-null': onBuild,
  'off-null': offBuild,
};
const unknownVariants = VARIANTS.filter((variant) => !(variant in builds));
if (unknownVariants.length > 0) throw new Error(`--variants takes some of ${Object.keys(builds).join(', ')}, not ${unknownVariants.join(', ')}`);
const NULL_DATASET = 'tallymark-load:null-dataset';
const nullBinding = {
  bindings: Object.fromEntries(workers.kiloclaw.datasets.map(({ binding }) => [binding, `wrapped = (moduleName = "${NULL_DATASET}")`])),
  extensionModules: [{
    name: NULL_DATASET,
    // Named as workers-rs checks (the constructor's name) before it calls writeDataPoint.
    source: 'class AnalyticsEngineDataset { writeDataPoint() {} }\nexport default function make() { return new AnalyticsEngineDataset(); }\n',
  }],
};

const user = (i) => `load-${i % USERS}`;
const alarmUser = (i) => `alarm-${i % ALARM_USERS}`;
const bearer = (u) => ({ authorization: `Bearer ${u}` });
const internal = { 'x-internal-api-key': KEY };

/**
 * The mix, 20 requests a cycle: each kind, by name, with its weight in the cycle, its request and
 * the point it writes (dataset, event, user, route), or none. An alarm on a starting instance
 * without a machine writes `reconcile.starting_no_machine_yet` (and a console line) every time,
 * for five minutes after the provision (then `starting_timeout`): a run must end within them, as
 * it does at the default deadline only when it sends at more than about 70 requests/s.
 */
const KINDS = {
  status: [5, (i) => ({ path: '/api/kiloclaw/status', headers: bearer(user(i)), status: 200, point: ['kiloclaw.status.get', user(i), 'GET /api/kiloclaw/status'] })],
  config: [3, (i) => ({ path: '/api/kiloclaw/config', headers: bearer(user(i)), status: 200, point: ['kiloclaw.config.get', user(i), 'GET /api/kiloclaw/config'] })],
  storage: [2, (i) => ({ path: '/api/admin/storage', headers: bearer(user(i)), status: 410, point: ['admin.storage.get', user(i), 'GET /api/admin/storage'] })],
  'public-key': [2, (i) => ({ path: '/api/admin/public-key', headers: bearer(user(i)), status: 200, point: ['admin.public-key.get', user(i), 'GET /api/admin/public-key'] })],
  'platform-status': [3, (i) => ({ path: `/api/platform/status?userId=${user(i)}`, headers: internal, status: 200, point: ['platform.status.get', user(i), 'GET /api/platform/status'] })],
  versions: [2, () => ({ path: '/api/platform/versions', headers: internal, status: 200, point: null })],
  alarm: [3, (i) => ({
    path: `/__fake/alarm?userId=${alarmUser(i)}`,
    method: 'POST',
    status: 200,
    point: ['reconcile.starting_no_machine_yet', alarmUser(i), ''],
    line: ['reconcile', 'starting_no_machine_yet', alarmUser(i)],
  })],
};
// `--mix all` (the default), or some of the kinds by name, each at its weight: `--mix status` is
// the first probe's load (one point a request); one kind alone is measured without the others.
const MIX = option('mix', 'all');
const mixed = MIX === 'all' ? Object.keys(KINDS) : MIX.split(',');
const unknown = mixed.filter((kind) => !(kind in KINDS));
if (unknown.length > 0) throw new Error(`--mix takes all or kinds among ${Object.keys(KINDS).join(', ')}, not ${unknown.join(', ')}`);
const CYCLE = mixed.flatMap((kind) => Array(KINDS[kind][0]).fill(KINDS[kind][1]));

function requestOf(i) {
  return CYCLE[i % CYCLE.length](Math.floor(i / CYCLE.length));
}

async function startCaptureProcess() {
  const child = spawn(process.execPath, [path.join(root, 'e2e', 'lib', 'capture-server.js'), ...(KEEP_ALIVE_MS === null ? [] : ['--keep-alive-ms', KEEP_ALIVE_MS])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(readline.createInterface({ input: child.stdout }), 'line');
  const { port } = JSON.parse(line);
  return {
    address: `127.0.0.1:${port}`,
    counts: async () => (await fetch(`http://127.0.0.1:${port}/__counts`)).json(),
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The in-process capture of the e2e harness, counted the same way (for comparison). */
function inProcessCounts(worker) {
  const byKey = {};
  for (const p of worker.points) {
    const key = [p.dataset, p.index, p.blobs[1] ?? '', p.blobs[3] ?? ''].join('|');
    byKey[key] = (byKey[key] ?? 0) + 1;
  }
  return { received: worker.received(), points: worker.points.length, byKey };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * A run of `variant` in round `round`, started: its capture and workerd up, the alarm users'
 * instances provisioned (not timed). Its requests are sent by `send`, in one batch or several,
 * and `finish` waits for its points, checks them and stops it.
 */
async function start(variant, round) {
  const capture = CAPTURE === 'process' ? await startCaptureProcess() : null;
  const worker = await startWorker(builds[variant], {
    captureAddress: capture?.address,
    verbose: true,
    stdoutToFile: CONSOLE === 'file',
    ...(variant.endsWith('-null') ? nullBinding : {}),
    ...(PROFILE_DIR === null ? {} : { v8Flags: PERF_V8_FLAGS }),
  }).catch(async (error) => {
    // The capture is a process of its own: left running, it would keep this one from ending.
    await capture?.stop();
    throw error;
  });
  const run = {
    variant,
    round,
    capture,
    worker,
    perfFile: PROFILE_DIR === null ? null : path.join(PROFILE_DIR, `${variant}-round${round}.data`),
    stopPerf: null,
    expected: {},
    expectedLines: {},
    latencies: [],
    failures: {},
    next: 0,
    // The time spent sending this run's batches, and workerd's CPU from its first to its last.
    ms: 0,
    cpuFirst: null,
    cpuLast: null,
  };
  try {
    for (let a = 0; a < ALARM_USERS; a++) {
      const response = await worker.fetch('/api/platform/provision', {
        method: 'POST', headers: { ...internal, 'content-type': 'application/json' }, body: JSON.stringify({ userId: alarmUser(a) }),
      });
      if (response.status !== 200) throw new Error(`provision: ${response.status} ${await response.text()}`);
      expect(run, 'platform.provision.create', alarmUser(a), 'POST /api/platform/provision');
      expect(run, 'instance.provisioned', alarmUser(a), '');
      expectLine(run, 'kiloclaw_do', 'instance.provisioned', '');
    }
  } catch (error) {
    await stop(run);
    throw error;
  }
  return run;
}

/** One more of `key` in `counts`. */
function count(counts, key) {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** A point the run should write: its event, user and route (in KiloClaw's events dataset). */
function expect(run, event, u, route) {
  count(run.expected, ['kiloclaw_events', event, u, route].join('|'));
}

/** A console line the run should write: its tag, its message or action, and its user if any. */
function expectLine(run, tag, what, u) {
  count(run.expectedLines, [tag, what, u].join('|'));
}

/** A console line's key as `expectLine` makes it, or the line itself when it is not one of those. */
function lineKey(line) {
  try {
    const { tag, message, action, user_id: u = '' } = JSON.parse(line);
    return [tag, message ?? action, u].join('|');
  } catch {
    return line;
  }
}

/** What was expected and what was counted, by key: the totals missing and extra, and a few keys. */
function compareCounts(want, got) {
  let missing = 0;
  let extra = 0;
  const differences = [];
  for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const d = (want[key] ?? 0) - (got[key] ?? 0);
    if (d > 0) missing += d;
    if (d < 0) extra -= d;
    if (d !== 0 && differences.length < 5) differences.push(`${key}: sent ${want[key] ?? 0}, counted ${got[key] ?? 0}`);
  }
  return { missing, extra, differences };
}

async function stop(run) {
  await run.worker.stop();
  await run.capture?.stop();
}

/** Sends `run` its next `count` requests (no more than REQUESTS in all), CONCURRENCY at a time. */
async function send(run, count, deadline) {
  const { worker } = run;
  const end = Math.min(REQUESTS, run.next + count);
  if (run.cpuFirst === null) {
    run.stopPerf = run.perfFile === null ? null : await startPerf(worker.pid, run.perfFile);
    run.cpuFirst = cpuNs(worker.pid);
  }
  const started = performance.now();
  async function client() {
    while (run.next < end && Date.now() < deadline) {
      const i = run.next++;
      const { path: p, method = 'GET', headers = {}, status, point, line } = requestOf(i);
      const t0 = performance.now();
      try {
        const response = await worker.fetch(p, { method, headers, signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        run.latencies.push(performance.now() - t0);
        if (response.status !== status) run.failures[`${p} ${response.status}`] = (run.failures[`${p} ${response.status}`] ?? 0) + 1;
        else {
          if (point) expect(run, ...point);
          if (line) expectLine(run, ...line);
        }
      } catch (error) {
        run.failures[String(error)] = (run.failures[String(error)] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  run.ms += performance.now() - started;
  run.cpuLast = cpuNs(worker.pid);
}

/**
 * Waits for `run`'s points, checks them against what was sent, stops it, then checks its console
 * lines and workerd's log, and gives its result.
 */
async function finish(run) {
  let result;
  try {
    result = await measure(run);
  } finally {
    await stop(run);
  }
  return { ...result, ...checkOutput(run) };
}

/**
 * What `run`'s workerd wrote, once it has stopped (its output is then read to the end, from the
 * pipe or the file): the console lines since it was ready, by key against those expected (the off
 * build writes none), any panic line of either stream, and any failed forwarding of a point.
 */
function checkOutput({ variant, worker, expectedLines }) {
  const linesByKey = {};
  for (const key of worker.stdout.map(lineKey)) count(linesByKey, key);
  const lineCheck = compareCounts(builds[variant] === offBuild ? {} : expectedLines, linesByKey);
  const forwardFailures = worker.stderr.filter((line) => /uncaught exception|writeLogfwdr|error:/.test(line));
  return {
    consoleLines: worker.stdout.length,
    linesMissing: lineCheck.missing,
    linesExtra: lineCheck.extra,
    lineDifferences: lineCheck.differences,
    panics: worker.takePanics().length,
    workerdErrors: forwardFailures.length,
    workerdErrorSample: [...new Set(forwardFailures.map((l) => l.replace(/[0-9]+/g, 'N')))].slice(0, 3),
  };
}

/** Waits for `run`'s points and gives its figures and its points' counts against what was sent. */
async function measure(run) {
  const { variant, worker, capture, expected, latencies, failures, perfFile } = run;
  const counts = capture ? capture.counts : async () => inProcessCounts(worker);
  await run.stopPerf?.();
  // workerd's CPU from the first request to the last (all its threads): the cost of a request
  // in the mix, which moves less than the throughput when other processes share the machine.
  const cpuUs = (run.cpuLast - run.cpuFirst) / 1000;
  const seconds = run.ms / 1000;
  const sent = latencies.length;
  latencies.sort((a, b) => a - b);
  // Points the capture should receive: none from the off build, none through the null binding
  // (there tallymark's own count, `written`, is compared with what was sent).
  const want = variant === 'on' ? expected : {};
  const sentPoints = Object.values(expected).reduce((a, b) => a + b, 0);
  const wantTotal = Object.values(want).reduce((a, b) => a + b, 0);
  // The points arrive after the responses: wait until all are there, or nothing has changed for
  // 10 s, or SETTLE_MS.
  const settleEnd = Date.now() + SETTLE_MS;
  let got = await counts();
  let lastChange = Date.now();
  while (got.points < wantTotal && Date.now() < settleEnd && Date.now() - lastChange < 10_000) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await counts();
    if (now.received !== got.received) lastChange = Date.now();
    got = now;
  }
  const stats = await worker.fetch('/__tallymark/stats').then((r) => r.json(), (error) => {
    throw new Error(`workerd no longer answers (${error.cause ?? error}); its last lines:\n${worker.stderr.slice(-10).join('\n')}`);
  });
  const { missing, extra, differences } = compareCounts(want, got.byKey);
  return {
    variant,
    requests: sent,
    notSent: REQUESTS - sent - Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    seconds: +seconds.toFixed(2),
    rps: Math.round(sent / seconds),
    p50: +percentile(latencies, 50).toFixed(1),
    p99: +percentile(latencies, 99).toFixed(1),
    cpuUsPerRequest: +(cpuUs / sent).toFixed(1),
    expectedPoints: wantTotal,
    written: stats.written,
    lost: stats.failed + stats.dropped_without_binding + stats.dropped_over_limit + stats.dropped_without_scope,
    // tallymark handed every point sent to writeDataPoint (the off build writes none).
    writtenAsSent: stats.written === (builds[variant] === offBuild ? 0 : sentPoints),
    captureReceived: got.received,
    capturedPoints: got.points,
    captureErrors: { bad: got.bad, aborted: got.aborted, clientErrors: got.clientErrors, connections: got.connections },
    missing,
    extra,
    differences,
    // perf's file, and the process whose perf map names its compiled code (read after the run).
    ...(perfFile === null ? {} : { perfFile, pid: worker.pid }),
  };
}

const results = [];
const record = (result) => {
  results.push(result);
  console.log(JSON.stringify(result));
};
// Each round starts one variant later, so that none always runs first (or last) in a round.
const inRound = (round) => VARIANTS.map((_, i) => VARIANTS[(i + round - 1) % VARIANTS.length]);
for (let round = 1; round <= ROUNDS; round++) {
  if (INTERLEAVE === null) {
    for (const variant of inRound(round)) {
      const run = await start(variant, round);
      await send(run, REQUESTS, Date.now() + DEADLINE_MS).catch(async (error) => {
        await stop(run);
        throw error;
      });
      record({ round, ...(await finish(run)) });
    }
  } else {
    // Every variant's workerd up at once, each sent INTERLEAVE requests in turn until each has
    // had REQUESTS: a host that slows down or speeds up does so for all of them alike.
    const runs = [];
    try {
      for (const variant of inRound(round)) runs.push(await start(variant, round));
      const deadline = Date.now() + DEADLINE_MS;
      while (runs.some((run) => run.next < REQUESTS) && Date.now() < deadline) {
        for (const run of runs) await send(run, INTERLEAVE, deadline);
      }
    } catch (error) {
      for (const run of runs) await stop(run);
      throw error;
    }
    // `finish` stops its own run whatever happens; one that throws leaves the others to stop here.
    for (const [i, run] of runs.entries()) {
      try {
        record({ round, ...(await finish(run)) });
      } catch (error) {
        for (const rest of runs.slice(i + 1)) await stop(rest);
        throw error;
      }
    }
  }
}
// Each variant against the `off` build bound as it is: `off-null` for `on-null` when it ran.
const baselineOf = (variant) => (variant.endsWith('-null') && VARIANTS.includes('off-null') ? 'off-null' : 'off');
console.log(`\n${summaryTables(results, VARIANTS, baselineOf)}`);
if (PROFILE_DIR !== null) {
  // workerd's JavaScript thread is the process's first (its tid is the pid).
  const rounds = [];
  for (const v of VARIANTS) {
    const runs = results.filter((r) => r.variant === v);
    const total = { total: 0, frames: new Map() };
    for (const r of runs) {
      const attribution = await attribute(r.perfFile, r.pid, PROFILE_MATCH, ISOLATE_GROUPS, `frames matching ${PROFILE_MATCH}`);
      rounds.push({ variant: v, round: r.round, requests: r.requests, attribution });
      addAttribution(total, attribution);
      fs.rmSync(`/tmp/perf-${r.pid}.map`, { force: true });
    }
    const requests = runs.reduce((sum, r) => sum + r.requests, 0);
    console.log(`\n${v}: workerd's JavaScript thread over ${runs.length} round(s), ${requests} requests; frames matching ${PROFILE_MATCH}\n`);
    console.log(attributionTable(total, requests));
  }
  console.log("\nEach round's JavaScript thread, CPU µs per request: each sample under the first group any of its frames matches\n");
  console.log(groupsTable(rounds));
}
const lost = results.reduce((sum, r) => sum + r.missing + r.extra + r.lost + (r.writtenAsSent ? 0 : 1), 0);
const linesDiffer = results.reduce((sum, r) => sum + r.linesMissing + r.linesExtra, 0);
const panics = results.reduce((sum, r) => sum + r.panics, 0);
const unanswered = results.reduce((sum, r) => sum + r.notSent + Object.keys(r.failures).length, 0);
const forwardFailures = results.reduce((sum, r) => sum + r.workerdErrors, 0);
const clean = lost === 0 && linesDiffer === 0 && panics === 0 && forwardFailures === 0 && unanswered === 0;
console.log(clean
  ? 'every expected point and console line arrived, every response as expected'
  : `LOSS: ${lost} points differ, ${linesDiffer} console lines differ, ${panics} panic lines, ${forwardFailures} failed forwardings in workerd's log, ${unanswered} requests failed or not sent`);
process.exitCode = clean ? 0 : 1;
