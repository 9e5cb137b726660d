// The load run (load.js, on demand) kept working: a small interleaved run of KiloClaw's mix, in
// workerd, through load.js itself, checked the way the load run checks itself (every response as
// expected, every point and console line counted). The figures it prints are not asserted: they
// are timings.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { root } from '../lib/workerd.js';

const REQUESTS = 200;

/** Runs load.js with `args`: its exit code and its standard output, by line. */
async function load(args) {
  const child = spawn(process.execPath, [path.join(root, 'e2e', 'load.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { out += chunk; });
  const [code] = await once(child, 'exit');
  return { code, lines: out.split('\n') };
}

test('two variants of the mix interleaved: every request answered, every point and console line counted where it was sent', { timeout: 180_000 }, async () => {
  // Both from the instrumented build (the one the e2e stage builds): `on` through workerd's
  // binding to the capture, `on-null` to a binding that drops what it is given.
  const { code, lines } = await load([
    '--variants', 'on,on-null', '--requests', String(REQUESTS), '--concurrency', '8', '--interleave', '50', '--rounds', '1',
  ]);
  const results = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  assert.deepEqual(results.map((r) => [r.round, r.variant]), [[1, 'on'], [1, 'on-null']]);
  for (const r of results) {
    assert.deepEqual([r.requests, r.notSent, r.failures, r.lost, r.writtenAsSent], [REQUESTS, 0, {}, 0, true], r.variant);
  }
  const [on, onNull] = results;
  // The 16 alarm users' provisions (two points each) and, of the 200 requests of the mix, all
  // but the 20 to /api/platform/versions, which writes none.
  assert.equal(on.written, 32 + REQUESTS - 20);
  assert.deepEqual([on.expectedPoints, on.capturedPoints, on.missing, on.extra], [on.written, on.written, 0, 0]);
  assert.equal(onNull.written, on.written);
  assert.equal(onNull.capturedPoints, 0, 'nothing reaches the capture through the null binding');
  // Console lines: one per provision and one per alarm (3 requests in 20), counted from the file
  // workerd's standard output went to.
  for (const r of results) {
    assert.deepEqual([r.consoleLines, r.linesMissing, r.linesExtra, r.panics], [16 + (REQUESTS / 20) * 3, 0, 0, 0], r.variant);
  }
  assert.ok(lines.includes('every expected point and console line arrived, every response as expected'), lines.join('\n'));
  assert.equal(code, 0);
});
