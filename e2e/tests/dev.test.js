// `tallymark dev` and `tallymark tail` end to end: the quickstart worker (built by the e2e stage)
// run by the CLI in the pinned workerd, requests sent, the points read back from the store with
// `tallymark query`, and workerd gone once the CLI is stopped with Ctrl-C (SIGINT); a workerd
// left by a `dev` killed with SIGKILL is stopped by the next one.
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
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
    `tallymark dev: points into ${db}, shown by field name (${lock}) (capture on http://127.0.0.1:${capturePort}); Ctrl-C stops`,
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
    `tallymark dev: stopped workerd (PID ${pid}); 2 points stored in ${db}, 1 payloads rejected`,
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

test('a workerd left by a tallymark dev killed with SIGKILL is stopped by the next one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-dev-leftover-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, 'points.db');
  const port = await freePort();
  const args = ['dev', 'examples/quickstart', '--no-build', '--port', String(port), '--db', db, '--workerd', workerd];

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
