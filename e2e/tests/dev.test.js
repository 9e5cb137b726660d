// `tallymark dev` and `tallymark tail` end to end: the quickstart worker (built by the e2e stage)
// run by the CLI in the pinned workerd, requests sent, the points read back from the store with
// `tallymark query`, and workerd gone once the CLI is stopped with Ctrl-C (SIGINT); a change to a
// copy of the crate rebuilds it and restarts workerd on the same port (a failed build keeps the
// worker running); a workerd left by a `dev` killed with SIGKILL is stopped by the next one.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PANIC_LINE, freePort, root } from '../lib/harness.js';

const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const bin = process.env.TALLYMARK_BIN ?? path.join(targetDir, 'debug', 'tallymark');
const workerd = path.join(root, 'e2e', 'node_modules', '.bin', 'workerd');

const LOCK = `layout Event dataset quickstart_events binding EVENTS
  index event text  # Event name, derived from the route: \`hello.get\`.
  blob1 event text  # Event name, derived from the route: \`hello.get\`.
  blob2 route text
  blob3 error text  # \`HTTP <status>\` or the error's message.
  blob4 name text
  double1 duration_ms number
`;

/** Runs a command of the CLI to the end and returns its standard output. */
function tallymark(...args) {
  return execFileSync(bin, args, { cwd: root, encoding: 'utf8' });
}

/** Starts a long-running command of the CLI; its output lines are collected as they arrive. */
function start(...args) {
  return startWith(process.env, ...args);
}

/** `start`, with the environment `env`. */
function startWith(env, ...args) {
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines = { stdout: [], stderr: [] };
  for (const stream of ['stdout', 'stderr']) {
    let rest = '';
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk) => {
      rest += chunk;
      const parts = rest.split('\n');
      rest = parts.pop();
      lines[stream].push(...parts);
    });
  }
  const closed = once(child, 'close');
  return { child, lines, closed };
}

async function until(what, predicate, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if (error.code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Whether `pid` runs and is not a zombie: an orphan's new parent (PID 1 in a container) may
 * never reap it, so `alive`'s signal 0 would still reach it after it ended.
 */
function running(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}

/** A point line without its timestamp, and with the measured duration as `D`. */
function shape(line) {
  return line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, '').replace(/duration_ms=\d+(\.\d+)?$/, 'duration_ms=D');
}

test('tallymark dev stores and prints each point, tail follows, Ctrl-C stops workerd', async (t) => {
  assert.ok(fs.existsSync(bin), `${bin} is missing: cargo build -p tallymark-cli (the e2e stage does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-dev-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, 'points.db');
  const lock = path.join(dir, 'tallymark.lock');
  fs.writeFileSync(lock, LOCK);
  const port = await freePort();

  const dev = start('dev', 'examples/quickstart', '--no-build', '--port', String(port), '--db', db, '--lock', lock, '--workerd', workerd);
  t.after(() => dev.child.exitCode === null && dev.child.kill('SIGKILL'));
  await until('the ready line', () => dev.lines.stdout.length >= 2 || dev.child.exitCode !== null);
  const [ready, where] = dev.lines.stdout;
  const pid = Number(/PID (\d+)\)$/.exec(ready)?.[1]);
  assert.equal(ready, `tallymark dev: quickstart on http://127.0.0.1:${port} (workerd ${workerd}, PID ${pid})`);
  const capturePort = Number(/capture on http:\/\/127\.0\.0\.1:(\d+)\)/.exec(where)?.[1]);
  assert.equal(
    where,
    `tallymark dev: points into ${db}, shown by field name (${lock}) (capture on http://127.0.0.1:${capturePort}); a change rebuilds; Ctrl-C stops`,
  );
  assert.ok(alive(pid), 'workerd runs');

  // The store exists once dev started: tail follows it from now on.
  const tail = start('tail', '--db', db, '--lock', lock);
  t.after(() => tail.child.exitCode === null && tail.child.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 500));

  for (const name of ['world', 'two words']) {
    const response = await fetch(`http://127.0.0.1:${port}/hello/${encodeURIComponent(name)}`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), `hello, ${encodeURIComponent(name)}`);
  }
  await until('two point lines', () => dev.lines.stdout.length >= 4);
  const expected = [
    'quickstart_events event=hello.get route="GET /hello/:name" error="" name=world duration_ms=D',
    'quickstart_events event=hello.get route="GET /hello/:name" error="" name=two%20words duration_ms=D',
  ];
  assert.deepEqual(dev.lines.stdout.slice(2).map(shape), expected);
  await until('tail to print them', () => tail.lines.stdout.length >= 2);
  assert.deepEqual(tail.lines.stdout, dev.lines.stdout.slice(2));

  // A malformed payload: 400, counted, announced; nothing stored.
  const bad = await fetch(`http://127.0.0.1:${capturePort}/`, { method: 'POST', body: 'garbage' });
  assert.equal(bad.status, 400);
  assert.equal(await bad.text(), 'not JSON (expected value at line 1 column 1)');
  await until('the rejection', () => dev.lines.stderr.some((l) => l.includes('rejected')));
  assert.deepEqual(
    dev.lines.stderr.filter((l) => l.startsWith('tallymark dev:')),
    ['tallymark dev: capture payload rejected (400): not JSON (expected value at line 1 column 1)'],
  );

  dev.child.kill('SIGINT');
  const [code] = await dev.closed;
  tail.child.kill('SIGTERM');
  await tail.closed;
  assert.equal(code, 0, dev.lines.stderr.join('\n'));
  assert.equal(
    dev.lines.stdout.at(-1),
    `tallymark dev: stopped workerd (PID ${pid}); 2 points stored in ${db}, 1 payload rejected`,
  );
  assert.equal(alive(pid), false, `workerd (PID ${pid}) is gone`);
  assert.deepEqual(
    [...dev.lines.stdout, ...dev.lines.stderr].filter((line) => PANIC_LINE.test(line)),
    [],
  );

  // The store stays, and reads back by slot and by name.
  assert.equal(
    tallymark('query', '--db', db, '--format', 'tsv',
      'SELECT index1, blob1, blob2, blob3, blob4, _sample_interval FROM quickstart_events ORDER BY blob4 DESC'),
    'hello.get\thello.get\tGET /hello/:name\t\tworld\t1\nhello.get\thello.get\tGET /hello/:name\t\ttwo%20words\t1\n',
  );
  assert.equal(
    tallymark('query', '--db', db, '--lock', lock, '--format', 'jsonl',
      'SELECT name, sum(_sample_interval) AS n FROM quickstart_events WHERE event = \'hello.get\' GROUP BY name ORDER BY name'),
    '{"name":"two%20words","n":"1"}\n{"name":"world","n":"1"}\n',
  );
});

/** The first line of `lines` matching `pattern`, once there is one. */
async function lineMatching(what, lines, pattern, timeoutMs) {
  await until(what, () => lines.some((line) => pattern.test(line)), timeoutMs);
  return lines.find((line) => pattern.test(line));
}

/**
 * A copy of examples/quickstart as a crate of its own in `dir` (this workspace's `tallymark` by
 * path, Cargo.lock copied so nothing is resolved anew), with the e2e stage's build in `build/`.
 * Built with CARGO_TARGET_DIR as the examples are, it compiles only itself.
 */
function quickstartCopy(dir) {
  const source = path.join(root, 'examples', 'quickstart');
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.copyFileSync(path.join(source, 'src', 'lib.rs'), path.join(dir, 'src', 'lib.rs'));
  fs.copyFileSync(path.join(source, 'wrangler.toml'), path.join(dir, 'wrangler.toml'));
  fs.cpSync(path.join(source, 'build'), path.join(dir, 'build'), { recursive: true });
  fs.copyFileSync(path.join(root, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), `[package]
name = "quickstart"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
tallymark = { path = ${JSON.stringify(path.join(root, 'runtime'))} }
worker = "0.8.7"

[profile.release]
lto = "thin"

[workspace]
`);
}

test('tallymark dev rebuilds on change and restarts workerd on the same port; a failed build keeps it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-dev-watch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const crate = path.join(dir, 'quickstart');
  quickstartCopy(crate);
  const db = path.join(dir, 'points.db');
  const port = await freePort();
  // The pinned wasm-opt of the e2e packages, so no install is needed.
  const { child: dev, lines, closed } = startWith(
    { ...process.env, WASM_OPT_BIN: path.join(root, 'e2e', 'node_modules', '.bin', 'wasm-opt') },
    'dev', crate, '--no-build', '--port', String(port), '--db', db, '--workerd', workerd,
  );
  t.after(() => dev.exitCode === null && dev.kill('SIGKILL'));
  await until('the ready line', () => lines.stdout.length >= 2 || dev.exitCode !== null);
  const first = Number(/PID (\d+)\)$/.exec(lines.stdout[0])?.[1]);
  assert.ok(alive(first), lines.stderr.join('\n'));
  const hello = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/hello/world`);
    assert.equal(response.status, 200);
    return response.text();
  };
  assert.equal(await hello(), 'hello, world');
  await until('the first point', () => lines.stdout.length >= 3);

  // The handler's response changes in the copy: a rebuild, and workerd restarted on the port.
  const lib = path.join(crate, 'src', 'lib.rs');
  const code = fs.readFileSync(lib, 'utf8');
  assert.ok(code.includes('format!("hello, {name}")'));
  fs.writeFileSync(lib, code.replace('format!("hello, {name}")', 'format!("hi there, {name}")'));
  assert.equal(
    await lineMatching('the rebuild line', lines.stdout, /changed; rebuilding$/, 5_000),
    'tallymark dev: src/lib.rs changed; rebuilding',
  );
  const restarted = await lineMatching('the restart', lines.stdout, /^tallymark dev: (rebuilt|the build failed)/, 600_000);
  const second = Number(/workerd PID (\d+)\)$/.exec(restarted)?.[1]);
  assert.equal(
    restarted,
    `tallymark dev: rebuilt; quickstart restarted on http://127.0.0.1:${port} (workerd PID ${second})`,
    lines.stderr.slice(-40).join('\n'),
  );
  assert.notEqual(second, first);
  assert.equal(alive(first), false, 'the old workerd is gone');
  assert.equal(await hello(), 'hi there, world');
  await until('the second point', () => lines.stdout.filter((l) => l.includes(' quickstart_events ')).length >= 2);

  // A change that does not compile: the compiler's error, and the running worker stays.
  fs.writeFileSync(lib, `${fs.readFileSync(lib, 'utf8')}\nfn broken( {\n`);
  const failed = await lineMatching('the failed build', lines.stdout, /^tallymark dev: the build failed/, 600_000);
  assert.equal(failed, 'tallymark dev: the build failed, the running worker is kept; fix it and save again');
  const said = lines.stderr.findIndex((l) => l.startsWith(`building ${crate} with worker-build --release failed; the compiler says (all of it is in `));
  assert.ok(said >= 0, `the compiler's error is shown:\n${lines.stderr.slice(-40).join('\n')}`);
  assert.equal(lines.stderr[said + 1], 'error: this file contains an unclosed delimiter');
  assert.match(lines.stderr[said + 2], /--> src\/lib\.rs:\d+:\d+$/);
  assert.ok(alive(second));
  assert.equal(await hello(), 'hi there, world');
  await until('the third point', () => lines.stdout.filter((l) => l.includes(' quickstart_events ')).length >= 3);

  dev.kill('SIGINT');
  const [exit] = await closed;
  assert.equal(exit, 0, lines.stderr.slice(-40).join('\n'));
  assert.equal(
    lines.stdout.at(-1),
    `tallymark dev: stopped workerd (PID ${second}); 3 points stored in ${db}, 0 payloads rejected`,
  );
  assert.equal(alive(second), false);
  // The store kept every point, before and after the restart.
  assert.equal(
    tallymark('query', '--db', db, '--format', 'tsv', 'SELECT blob4, count() FROM quickstart_events GROUP BY blob4'),
    'world\t3\n',
  );
  assert.deepEqual([...lines.stdout, ...lines.stderr].filter((line) => PANIC_LINE.test(line)), []);
});

test('a workerd left by a tallymark dev killed with SIGKILL is stopped by the next one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-dev-leftover-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, 'points.db');
  const port = await freePort();
  const args = ['dev', 'examples/quickstart', '--no-build', '--no-watch', '--port', String(port), '--db', db, '--workerd', workerd];

  const killed = start(...args);
  t.after(() => killed.child.exitCode === null && killed.child.kill('SIGKILL'));
  await until('the ready line', () => killed.lines.stdout.length >= 2 || killed.child.exitCode !== null);
  const orphan = Number(/PID (\d+)\)$/.exec(killed.lines.stdout[0])?.[1]);
  t.after(() => running(orphan) && process.kill(orphan, 'SIGKILL'));
  // 'exit', not 'close': the orphan still holds the output pipes it inherited.
  const exited = once(killed.child, 'exit');
  killed.child.kill('SIGKILL');
  await exited;
  assert.ok(running(orphan), 'SIGKILL leaves workerd running');
  assert.ok(fs.existsSync(path.join(dir, `dev-${port}.pid`)), 'its record stays');

  const next = start(...args);
  t.after(() => next.child.exitCode === null && next.child.kill('SIGKILL'));
  await until('the ready line', () => next.lines.stdout.length >= 3 || next.child.exitCode !== null);
  assert.equal(
    next.lines.stdout[0],
    `tallymark dev: stopped workerd (PID ${orphan}) left running by an earlier tallymark dev (PID ${killed.child.pid})`,
    next.lines.stderr.join('\n'),
  );
  const pid = Number(/PID (\d+)\)$/.exec(next.lines.stdout[1])?.[1]);
  assert.equal(next.lines.stdout[1], `tallymark dev: quickstart on http://127.0.0.1:${port} (workerd ${workerd}, PID ${pid})`);
  assert.equal(running(orphan), false, 'the leftover is gone');
  const response = await fetch(`http://127.0.0.1:${port}/hello/again`);
  assert.equal(await response.text(), 'hello, again');

  next.child.kill('SIGINT');
  const [code] = await next.closed;
  assert.equal(code, 0, next.lines.stderr.join('\n'));
  assert.equal(alive(pid), false);
  assert.equal(fs.existsSync(path.join(dir, `dev-${port}.pid`)), false, 'a clean stop forgets its record');
});
