// The workerd benchmark (scripts/bench-workerd.sh; on demand, not in CI): what a data point costs
// inside workerd, where tallymark runs. Four builds of one worker (benches/workerd) serve
// `GET /write/:count`, each writing `count` points of the same content to the `BENCH_AE` dataset:
//
//   none       no point written (the request alone)
//   builder    by hand, with workers-rs's AnalyticsEngineDataPointBuilder
//   tallymark  #[instrumented] and a typed event
//   js         the floor: plain JavaScript calling writeDataPoint (benches/workerd/floor.js)
//
// First every variant's points are captured through workerd's own analyticsEngine binding and
// compared: the variants must write the same points, or the run stops. Then the timed runs bind
// the dataset to a JavaScript object whose writeDataPoint reads each point and keeps nothing, so
// what is measured is the worker's own work up to the binding (locally workerd forwards each point
// over HTTP, which production does not). Requests go over loopback, `concurrency` at a time, so
// that workerd's one thread is always busy. A variant's cost per request is the CPU time workerd
// spent in the run (its threads' schedstat, in nanoseconds) divided by the requests; the wall time is reported beside it. Rounds interleave the variants
// (rotating the order), and each figure is the median of rounds. A point's cost is a variant's
// own: (cost with 50 points − cost with 1) / 49. Each item point repeats the texts of the one
// before (the caller's dimensions); with --vary each has a route of its own, so each point has a text to decode.
// With --calls each point is written by an invocation of its own (`calls=1`: the binding looked up
// and the clock read by hand; a new scope and an instrumented call with tallymark), and the slope
// is what an invocation costs. The check compares the points of both kinds.
//
//   node bench-workerd.js [--rounds 7] [--requests 4000] [--concurrency 8] [--counts 1,50] [--vary]
//                         [--calls]
//   node bench-workerd.js --check      only the comparison of the points (the e2e stage runs it)
//   node bench-workerd.js --compare before=/path/to/build ...
//                                      also times another build of the worker (say, tallymark's
//                                      variant built from an earlier commit), as a variant `before`
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { capnpString, cpuNs, freePort, root, startCapture, workerdBin } from './lib/workerd.js';
import { args, option } from './lib/options.js';

const ROUNDS = Number(option('rounds', 7));
const REQUESTS = Number(option('requests', 4000));
const CONCURRENCY = Number(option('concurrency', 8));
const COUNTS = option('counts', '1,50').split(',').map(Number);
const WARMUP = 1000;
const BASE_QUERY = 'user=u-7f3a9c&region=weur&plan=pro';
const CALLS = args.includes('--calls');
const QUERY = `${BASE_QUERY}${args.includes('--vary') ? '&vary=1' : ''}${CALLS ? '&calls=1' : ''}`;
// What the slope measures: a point, or with --calls an invocation that writes one.
const UNIT = CALLS ? 'invocation' : 'point';

const benchDir = path.join(root, 'benches', 'workerd');
const VARIANTS = [
  { name: 'none', build: path.join(benchDir, 'build-none') },
  { name: 'builder', build: path.join(benchDir, 'build-builder') },
  { name: 'tallymark', build: path.join(benchDir, 'build-tallymark') },
  { name: 'js', script: path.join(benchDir, 'floor.js') },
];
// The check compares the variants that write points: `none` writes none, and is not built for it.
if (args.includes('--check')) VARIANTS.splice(VARIANTS.findIndex((v) => v.name === 'none'), 1);
for (let i = args.indexOf('--compare'); i >= 0; i = args.indexOf('--compare', i + 1)) {
  const [name, build] = args[i + 1].split('=');
  if (!/^[a-z][a-z0-9]*$/.test(name) || !build || VARIANTS.some((v) => v.name === name)) {
    throw new Error(`--compare takes NAME=BUILD_DIR with a new lowercase name, not ${args[i + 1]}`);
  }
  VARIANTS.push({ name, build: path.resolve(build) });
}

/** The workerd config: one service and socket per variant, `BENCH_AE` bound as `binding`. */
function writeConfig(dir, ports, binding, captureAddress) {
  const services = [];
  const sockets = [];
  const workers = [];
  VARIANTS.forEach((variant, i) => {
    const id = `worker${variant.name[0].toUpperCase()}${variant.name.slice(1)}`;
    let modules;
    if (variant.script) {
      fs.copyFileSync(variant.script, path.join(dir, `${variant.name}.js`));
      modules = `[(name = "${variant.name}.js", esModule = embed "${variant.name}.js")]`;
    } else {
      for (const file of ['index.js', 'index_bg.wasm']) {
        const from = path.join(variant.build, file);
        if (!fs.existsSync(from)) throw new Error(`${from} is missing: run scripts/bench-workerd.sh (it builds every variant)`);
        fs.copyFileSync(from, path.join(dir, `${variant.name}-${file}`));
      }
      modules = `[(name = "index.js", esModule = embed "${variant.name}-index.js"), (name = "index_bg.wasm", wasm = embed "${variant.name}-index_bg.wasm")]`;
    }
    services.push(`(name = ${capnpString(variant.name)}, worker = .${id})`);
    sockets.push(`(name = ${capnpString(variant.name)}, address = "127.0.0.1:${ports[i]}", http = (), service = ${capnpString(variant.name)})`);
    workers.push(`const ${id} :Workerd.Worker = (
  modules = ${modules},
  compatibilityDate = "2026-11-01",
  bindings = [(name = "BENCH_AE", ${binding})],
);`);
  });
  let extensions = '';
  if (captureAddress) {
    services.push(`(name = "bench_events", external = (address = ${capnpString(captureAddress)}, http = ()))`);
  } else {
    fs.writeFileSync(path.join(dir, 'null-dataset.js'), NULL_DATASET);
    extensions = '\n  extensions = [(modules = [(name = "bench:null-dataset", esModule = embed "null-dataset.js", internal = true)])],';
  }
  fs.writeFileSync(path.join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [${services.join(', ')}],
  sockets = [${sockets.join(', ')}],${extensions}
);

${workers.join('\n\n')}
`);
}

// The timed runs' dataset: named as workers-rs checks (the constructor's name); it keeps nothing,
// but reads every value of each point, as workerd's binding does when it serializes one, so that
// no variant's point can be optimised away unread (a no-op writeDataPoint let V8 drop the
// JavaScript floor's object literal whole).
const NULL_DATASET = `let read = 0;
class AnalyticsEngineDataset {
  writeDataPoint(point) {
    for (const index of point.indexes) read += index.length;
    for (const blob of point.blobs) read += blob.length;
    for (const double of point.doubles) read += double;
  }
}
export default function make() { return new AnalyticsEngineDataset(); }
`;

/**
 * Starts workerd with every variant. With `capture`, `BENCH_AE` is workerd's own binding,
 * forwarding each point to the harness's capture server (`points`); without, the null dataset.
 */
async function startWorkerd({ capture: withCapture = false }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-bench-'));
  const capture = withCapture ? await startCapture(undefined, { status: 200, delayMs: 0 }) : null;
  const captureAddress = capture && `127.0.0.1:${capture.port}`;
  const ports = [];
  for (const _ of VARIANTS) ports.push(await freePort());
  const binding = withCapture ? 'analyticsEngine = "bench_events"' : 'wrapped = (moduleName = "bench:null-dataset")';
  writeConfig(dir, ports, binding, captureAddress);
  const child = spawn(workerdBin, ['serve', 'config.capnp', '--experimental'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  const urls = Object.fromEntries(VARIANTS.map((v, i) => [v.name, `http://127.0.0.1:${ports[i]}`]));
  const deadline = Date.now() + 15_000;
  for (const url of Object.values(urls)) {
    for (;;) {
      try {
        await fetch(`${url}/ready`); // not a route: answered 404, no point written
        break;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not start: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  return {
    urls,
    pid: child.pid,
    points: capture?.points,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'close');
      capture?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every variant that writes points writes the same ones: four requests of three points each (the
 * last with each point an invocation of its own), captured, must decode to the same points (the
 * duration, double1, may differ by a clock tick).
 */
async function checkSamePoints() {
  const workerd = await startWorkerd({ capture: true });
  const captured = workerd.points;
  const byVariant = {};
  try {
    for (const variant of VARIANTS.filter((v) => v.name !== 'none')) {
      captured.length = 0;
      // The third request's items each have a route of their own (vary=1); the fourth's points are
      // each written by an invocation of its own (calls=1).
      for (const query of [BASE_QUERY, BASE_QUERY, `${BASE_QUERY}&vary=1`, `${BASE_QUERY}&calls=1`]) {
        const response = await fetch(`${workerd.urls[variant.name]}/write/3?${query}`);
        if ((await response.text()) !== 'ok 3') throw new Error(`${variant.name} answered ${response.status}`);
      }
      const deadline = Date.now() + 10_000;
      while (captured.length < 12 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200)); // any stray point arrives too
      if (captured.length !== 12) throw new Error(`${variant.name}: expected 12 points, captured ${captured.length}`);
      // workerd forwards each point by a request of its own, so they may arrive in any order.
      byVariant[variant.name] = captured
        .map(({ dataset, index, blobs, doubles }) => JSON.stringify({ dataset, index, blobs, doubles: doubles.slice(1) }))
        .sort();
    }
  } finally {
    await workerd.stop();
  }
  const [first, ...others] = Object.entries(byVariant);
  for (const [name, points] of others) {
    const at = points.findIndex((point, i) => point !== first[1][i]);
    if (at >= 0) {
      throw new Error(`${name} writes other points than ${first[0]}: point ${at} (in sorted order) is\n  ${points[at]}\nnot\n  ${first[1][at]}`);
    }
  }
  return first[1];
}

/**
 * Sends `requests` requests to `url`, `concurrency` at a time: the µs per request of workerd's
 * CPU time (process `pid`) and of wall time.
 */
async function measure(url, requests, pid) {
  const cpuBefore = cpuNs(pid);
  const wallMs = await load(url, requests);
  return { cpu: (cpuNs(pid) - cpuBefore) / 1000 / requests, wall: (wallMs * 1000) / requests };
}

/** Sends `requests` requests to `url`, `concurrency` at a time; the milliseconds they took. */
async function load(url, requests) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let sent = 0;
  const one = () => new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < requests) {
      sent += 1;
      await one();
    }
  }));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  agent.destroy();
  return elapsed;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function sizes() {
  const rows = [];
  for (const variant of VARIANTS) {
    const file = variant.script ?? path.join(variant.build, 'index_bg.wasm');
    const bytes = fs.readFileSync(file);
    rows.push(`| ${variant.name} | ${variant.script ? 'floor.js' : 'index_bg.wasm'} | ${bytes.length} | ${zlib.gzipSync(bytes, { level: 9 }).length} |`);
  }
  return rows;
}

async function main() {
  const points = await checkSamePoints();
  console.error(`same points from ${VARIANTS.filter((v) => v.name !== 'none').map((v) => v.name).join(', ')} (${points.length} compared)`);
  if (args.includes('--check')) return;
  const workerd = await startWorkerd({});
  // times[count][variant] = [{ cpu, wall }] in µs per request, one per round.
  const times = Object.fromEntries(COUNTS.map((count) => [count, Object.fromEntries(VARIANTS.map((v) => [v.name, []]))]));
  try {
    for (const count of COUNTS) {
      for (const variant of VARIANTS) await load(`${workerd.urls[variant.name]}/write/${count}?${QUERY}`, WARMUP);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const count of COUNTS) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
        for (const variant of order) {
          times[count][variant.name].push(await measure(`${workerd.urls[variant.name]}/write/${count}?${QUERY}`, REQUESTS, workerd.pid));
        }
      }
      console.error(`round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    await workerd.stop();
  }

  const out = [];
  const cpu = (count, variant) => median(times[count][variant].map((t) => t.cpu));
  const wall = (count, variant) => median(times[count][variant].map((t) => t.wall));
  out.push(`workerd ${JSON.parse(fs.readFileSync(path.join(root, 'e2e', 'node_modules', 'workerd', 'package.json'))).version}, ` +
    `${ROUNDS} interleaved rounds of ${REQUESTS} requests per variant and count, ${CONCURRENCY} at a time` +
    `${args.includes('--vary') ? ', items with routes of their own (--vary)' : ''}${CALLS ? ', each point written by an invocation of its own (--calls)' : ''}; ` +
    'medians of rounds, µs of workerd CPU time per request (min–max of rounds), wall time beside it');
  out.push('');
  out.push(`| variant | ${COUNTS.map((count) => `${count} ${UNIT}${count === 1 ? '' : 's'}: CPU | wall`).join(' | ')} |`);
  out.push(`|---|${COUNTS.map(() => '---|---').join('|')}|`);
  for (const variant of VARIANTS) {
    const cells = COUNTS.map((count) => {
      const cpus = times[count][variant.name].map((t) => t.cpu);
      return `${fmt(cpu(count, variant.name))} (${fmt(Math.min(...cpus))}–${fmt(Math.max(...cpus))}) | ${fmt(wall(count, variant.name))}`;
    });
    out.push(`| ${variant.name} | ${cells.join(' | ')} |`);
  }
  const [few, many] = [Math.min(...COUNTS), Math.max(...COUNTS)];
  const perPoint = (variant) => (cpu(many, variant) - cpu(few, variant)) / (many - few);
  const added = (count, variant) => cpu(count, variant) - cpu(count, 'none');
  out.push('');
  out.push(`CPU µs per ${UNIT}, each variant's own: (${many} ${UNIT}s − ${few}) / ${many - few}; added per request: the variant − none`);
  out.push('');
  out.push(`| variant | per ${UNIT} | added per request, ${few} ${UNIT} | added per request, ${many} ${UNIT}s |`);
  out.push('|---|---|---|---|');
  for (const variant of VARIANTS.map((v) => v.name).filter((name) => name !== 'none')) {
    const rust = variant !== 'js'; // `none` is a Rust worker: the JavaScript floor's request is not comparable
    out.push(`| ${variant} | ${fmt(perPoint(variant), 2)} | ${rust ? fmt(added(few, variant)) : 'n/a'} | ${rust ? fmt(added(many, variant)) : 'n/a'} |`);
  }
  out.push('');
  // The issue's targets are per point and per request of points; --calls measures something else.
  const target = (text) => (CALLS ? 'n/a' : text);
  out.push('| ratio | value | target |');
  out.push('|---|---|---|');
  out.push(`| tallymark / builder, per ${UNIT} | ${fmt(perPoint('tallymark') / perPoint('builder'), 2)} | ${target('≤ 1.0')} |`);
  out.push(`| tallymark / js, per ${UNIT} | ${fmt(perPoint('tallymark') / perPoint('js'), 2)} | ${target('≤ 1.5')} |`);
  for (const count of COUNTS) {
    out.push(`| tallymark / builder, whole request, ${count} ${UNIT}${count === 1 ? '' : 's'} | ${fmt(cpu(count, 'tallymark') / cpu(count, 'builder'), 3)} | ${target('≤ 1.0')} |`);
  }
  out.push('');
  out.push('| variant | file | raw bytes | gzip -9 bytes |');
  out.push('|---|---|---|---|');
  out.push(...sizes());
  console.log(out.join('\n'));
  // Every round's times, beside the builds: Cargo's target directory (wherever `CARGO_TARGET_DIR`
  // or Cargo's configuration puts it), which need not exist yet.
  const { target_directory: timesDir } = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: root, encoding: 'utf8' }),
  );
  fs.mkdirSync(timesDir, { recursive: true });
  const timesFile = path.join(timesDir, 'bench-workerd.json');
  fs.writeFileSync(timesFile, JSON.stringify({ rounds: ROUNDS, requests: REQUESTS, concurrency: CONCURRENCY, times }, null, 1));
  console.log(`\nevery round's times: ${timesFile}`);
}

await main();
