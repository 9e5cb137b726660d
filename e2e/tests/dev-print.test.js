// The `wrangler dev` switch: built with tallymark's feature `dev-print`, and with the variable
// TALLYMARK_DEV_PRINT=1, `Scope::from_env` also prints each point on the console (`tallymark
// <dataset> <fields as JSON>`), so a user of `wrangler dev`, whose Analytics Engine binding
// discards points, sees them. Checked in workerd (with and without the variable, with and without
// the feature) and under the pinned wrangler (4.86.0, the last that runs on Node 20).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, root, startWorker, workers } from '../lib/harness.js';

/** A point line with its measured duration as `D`. */
function shape(line) {
  return line.replace(/"duration_ms":\d+(\.\d+)?\}$/, '"duration_ms":D}');
}

const EXPECTED = 'tallymark quickstart_events {"event":"hello.get","route":"GET /hello/:name","error":"","name":"world","duration_ms":D}';

test('in workerd, TALLYMARK_DEV_PRINT=1 prints each point, and nothing is printed without it', async () => {
  for (const [vars, lines] of [[{ TALLYMARK_DEV_PRINT: '1' }, [EXPECTED]], [{}, []]]) {
    const worker = await startWorker({ ...workers.quickstartDevPrint, vars });
    try {
      const response = await worker.fetch('/hello/world');
      assert.equal(await response.text(), 'hello, world');
      await worker.waitForPoints(1);
      await worker.settle(200);
      assert.deepEqual(worker.stdout.filter((l) => l.startsWith('tallymark ')).map(shape), lines);
      // The binding still gets the point.
      assert.deepEqual(worker.points.map((p) => p.blobs), [['hello.get', 'GET /hello/:name', '', 'world']]);
    } finally {
      await worker.stop();
    }
  }
});

test('built without the feature, TALLYMARK_DEV_PRINT=1 prints no point and says why, once', async () => {
  const worker = await startWorker({ ...workers.quickstart, vars: { TALLYMARK_DEV_PRINT: '1' } });
  try {
    for (const name of ['world', 'again']) {
      const response = await worker.fetch(`/hello/${name}`);
      assert.equal(await response.text(), `hello, ${name}`);
    }
    await worker.waitForPoints(2);
    await worker.settle(200);
    assert.deepEqual(worker.stdout, []);
    // Once for the isolate, whose first request was the harness's readiness probe.
    assert.deepEqual(worker.output.filter((l) => l.startsWith('tallymark')), [
      'tallymark: TALLYMARK_DEV_PRINT is set, but this Worker was built without tallymark\'s feature ' +
        '`dev-print`, so its points are not printed (add features = ["dev-print"] to its tallymark dependency)',
    ]);
    assert.deepEqual(worker.points.map((p) => p.blobs[3]), ['world', 'again']);
  } finally {
    await worker.stop();
  }
});

test('under wrangler dev, .dev.vars TALLYMARK_DEV_PRINT=1 shows each point on the terminal', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tallymark-wrangler-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(workers.quickstartDevPrint.buildDir), path.join(dir, 'build'), { recursive: true });
  // The quickstart's wrangler.toml without its [build] step (the e2e stage built it, with the
  // feature `dev-print`), and with a compatibility date the workerd of wrangler 4.86.0 supports
  // (its newest is 2026-05-03).
  fs.writeFileSync(
    path.join(dir, 'wrangler.toml'),
    `name = "quickstart"
main = "build/index.js"
compatibility_date = "2026-05-01"

[[analytics_engine_datasets]]
binding = "EVENTS"
dataset = "quickstart_events"
`,
  );
  fs.writeFileSync(path.join(dir, '.dev.vars'), 'TALLYMARK_DEV_PRINT=1\n');
  const port = await freePort();
  const wrangler = path.join(root, 'e2e', 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  // Its own process group: wrangler starts a node process and workerd under it, all stopped
  // together, by the group's id.
  const child = spawn(process.execPath, [wrangler, 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: path.join(dir, 'config') },
  });
  const closed = once(child, 'close');
  const stdout = [];
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    rest += chunk;
    const parts = rest.split('\n');
    rest = parts.pop();
    stdout.push(...parts);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const groupAlive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  t.after(() => groupAlive() && process.kill(-child.pid, 'SIGKILL'));

  const until = async (what, predicate, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`wrangler dev: no ${what}\n${stdout.join('\n')}\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await until('ready line', () => stdout.some((l) => l.includes(`Ready on http://127.0.0.1:${port}`)));
  const response = await fetch(`http://127.0.0.1:${port}/hello/world`);
  assert.equal(await response.text(), 'hello, world');
  await until('point line', () => stdout.some((l) => l.startsWith('tallymark ')));
  assert.deepEqual(stdout.filter((l) => l.startsWith('tallymark ')).map(shape), [EXPECTED]);

  process.kill(-child.pid, 'SIGINT');
  await closed;
  for (let i = 0; i < 200 && groupAlive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(groupAlive(), false, 'wrangler and its workerd are gone');
});
