// Where workerd's CPU goes, by the worker's own functions (load.js --profile): Linux perf samples
// workerd's JavaScript thread with call stacks, and each sample is given to the outermost frame
// whose name matches a pattern (say `tallymark`), so that a frame's samples include everything it
// called: JavaScript glue, workerd's C++ behind an API, the allocator.
//
// V8 names a wasm function in perf's output only when workerd runs with --perf-basic-prof
// (`PERF_V8_FLAGS`, which writes /tmp/perf-<pid>.map) and the module keeps its name section
// (scripts/profile-load.sh builds it so). Each sample stands for the CPU time since the one
// before, its period, which perf records (nanoseconds of the CPU clock): the periods are summed,
// so the figures hold whatever rate the kernel let perf sample at.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** The V8 flags that make workerd name its compiled code for perf. */
export const PERF_V8_FLAGS = ['--perf-basic-prof'];

/** The samples perf is asked for, per second of CPU time (its default for a software clock). */
const FREQUENCY = 4000;

/**
 * Starts `perf record` on process `pid` (all its threads, with call stacks) into `file`; the
 * returned function stops it and resolves once the file is complete.
 */
export async function startPerf(pid, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  const child = spawn('perf', ['record', '-g', '-e', 'cpu-clock', '-F', String(FREQUENCY), '-p', String(pid), '-o', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors = [];
  child.stderr.setEncoding('utf8').on('data', (chunk) => errors.push(chunk));
  const exited = once(child, 'exit');
  // perf says nothing once it is attached: wait for its file, then a little for the attachment.
  const deadline = Date.now() + 5000;
  while (!fs.existsSync(file)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`perf record did not start: ${errors.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  return async () => {
    child.kill('SIGINT');
    // perf writes its file out on SIGINT, then ends by it.
    const [code, signal] = await exited;
    if (code !== 0 && signal !== 'SIGINT') throw new Error(`perf record failed (${code ?? signal}): ${errors.join('')}`);
  };
}

/**
 * A frame's name without what changes between builds: V8's `JS:` prefix and tier marks, a Rust
 * symbol's hash, and the function index and tier V8 appends to a wasm function's name.
 */
export function frameName(symbol) {
  return symbol
    .replace(/^JS:[*+~']*/, '')
    .replace(/::h[0-9a-f]{16}/g, '')
    .replace(/-\d+-(liftoff|turbofan)$/, '');
}

/**
 * Each sample in the output of `perf script -F tid,period,ip,sym` (its lines, one by one):
 * { ns, frames }, its period and its frames' symbols, the sampled frame first.
 */
export async function* perfSamples(lines) {
  let sample = null;
  for await (const line of lines) {
    if (line.trim() === '') {
      if (sample !== null) yield sample;
      sample = null;
    } else if (sample === null) {
      // The sample's first line: its thread, then its period.
      sample = { ns: Number(line.trim().split(/\s+/).at(-1)), frames: [] };
    } else {
      sample.frames.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
    }
  }
  if (sample !== null) yield sample;
}

/**
 * What V8 does for the whole isolate rather than for one function, by the frames it runs them
 * in: collecting garbage (the young and old generations, and cppgc's heap of workerd's objects)
 * and compiling (lazily on the JavaScript thread, or tiering up). Running code compiled by Liftoff
 * is not compiling (`Builtins_WasmLiftoffFrameSetup` is a frame of such code).
 */
export const ISOLATE_GROUPS = [
  ['garbage collection', new RegExp([
    '^v8::internal::.*(Scavenge|MarkCompact|MinorMS|GarbageCollect|CollectGarbage|MinorGC',
    '|IncrementalMarking|MarkingBarrier|WriteBarrier::Marking|Sweep|CppHeap|UnifiedHeapMark)',
    '|^cppgc::internal::.*(Mark|Sweep)',
  ].join(''))],
  // V8's own frames only: a worker's function may well have `Compile` in its name.
  ['compilation', /^v8::internal::(.*Compil|compiler::|.*TurboFan|.*Turboshaft)|^Builtins_(Wasm)?CompileLazy/],
];

/**
 * The CPU time of `samples`: { total, frames: Map(name → ns), groups: Map(name → ns) }.
 * - `frames`: each sample that has a frame matching `pattern` counted once, under the outermost
 *   such frame.
 * - `groups`: each sample counted once, under the first of `groups` (`[name, regex]` pairs, then
 *   `pattern` as `patternGroup`) that any of its frames matches, or `the rest`. A collection that
 *   the code of a `pattern` frame set off counts as garbage collection here, and in that frame's
 *   time in `frames`.
 */
export async function attributeSamples(samples, pattern, groups = [], patternGroup = 'matching frames') {
  const frames = new Map();
  const byGroup = new Map([...groups.map(([name]) => [name, 0]), [patternGroup, 0], ['the rest', 0]]);
  const tests = [...groups, [patternGroup, pattern]];
  let total = 0;
  for await (const { ns, frames: stack } of samples) {
    total += ns;
    // A stack lists the sampled frame first: the last match is the outermost.
    const outermost = stack.findLast((symbol) => pattern.test(symbol));
    if (outermost !== undefined) {
      const name = frameName(outermost);
      frames.set(name, (frames.get(name) ?? 0) + ns);
    }
    const group = tests.find(([, regex]) => stack.some((symbol) => regex.test(symbol)))?.[0] ?? 'the rest';
    byGroup.set(group, byGroup.get(group) + ns);
  }
  return { total, frames, groups: byGroup };
}

/** The CPU time of thread `tid` in perf's `file`, as {@link attributeSamples} gives it. */
export async function attribute(file, tid, pattern, groups = [], patternGroup = undefined) {
  const child = spawn('perf', ['script', '-i', file, '--tid', String(tid), '-F', 'tid,period,ip,sym'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(child, 'exit');
  const lines = readline.createInterface({ input: child.stdout });
  const result = await attributeSamples(perfSamples(lines), pattern, groups, patternGroup);
  const [code] = await exited;
  if (code !== 0) throw new Error(`perf script failed (${code}) on ${file}`);
  return result;
}

/** Adds the attribution `more` into `into` (both as `attribute` returns them). */
export function addAttribution(into, more) {
  into.total += more.total;
  for (const [name, ns] of more.frames) into.frames.set(name, (into.frames.get(name) ?? 0) + ns);
  return into;
}

/**
 * Each round's groups as a markdown table, CPU µs per request: `rounds` are
 * `{ variant, round, requests, attribution }`, the attribution as `attribute` returns it.
 */
export function groupsTable(rounds) {
  const names = [...(rounds[0]?.attribution.groups.keys() ?? [])];
  const us = (ns, requests) => (ns / 1000 / requests).toFixed(1);
  const out = [`| variant | round | the thread | ${names.join(' | ')} |`, `|---|---|---|${names.map(() => '---|').join('')}`];
  for (const { variant, round, requests, attribution } of rounds) {
    const cells = names.map((name) => us(attribution.groups.get(name), requests));
    out.push(`| ${variant} | ${round} | ${us(attribution.total, requests)} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

/**
 * The attribution as a markdown table: each frame's CPU time, its share of the thread's, and the
 * CPU µs it costs a request (over `requests`), the largest first, `rows` of them.
 */
export function attributionTable({ total, frames }, requests, rows = 15) {
  const ms = (ns) => (ns / 1e6).toFixed(1);
  const us = (ns) => ns / 1000 / requests;
  const matched = [...frames.values()].reduce((a, b) => a + b, 0);
  const out = ['| outermost matching frame | CPU ms | share of the thread | CPU µs / request |', '|---|---|---|---|'];
  const share = (ns) => `${((100 * ns) / Math.max(total, 1)).toFixed(2)}%`;
  for (const [name, ns] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    out.push(`| \`${name.replaceAll('|', '\\|')}\` | ${ms(ns)} | ${share(ns)} | ${us(ns).toFixed(2)} |`);
  }
  out.push(`| every matching frame | ${ms(matched)} | ${share(matched)} | ${us(matched).toFixed(2)} |`);
  out.push(`| the thread | ${ms(total)} | 100% | ${us(total).toFixed(1)} |`);
  return out.join('\n');
}
