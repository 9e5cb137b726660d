// The harness's handling of workerd's output (lib/workerd.js): with `stdoutToFile` (what load.js
// uses) the worker's console lines go to a file, and reach `stdout` and `output` once it stops,
// as a pipe's would have: `stdout` from the last `reset`, `output` all of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker, workers } from '../lib/harness.js';

const KEY = workers.kiloclaw.vars.INTERNAL_API_KEY;
// The Durable Object's console line for a provision (its duration varies).
const PROVISIONED = /^\{"tag":"kiloclaw_do","message":"instance\.provisioned","status":"provisioned","durationMs":\d+\}$/;

/** Provisions `userId`'s instance: one console line. */
async function provision(worker, userId) {
  const response = await worker.fetch('/api/platform/provision', {
    method: 'POST',
    headers: { 'x-internal-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  assert.equal(response.status, 200, await response.text());
}

test('with stdoutToFile the console lines arrive when the worker stops: stdout since the last reset, output all', async () => {
  const worker = await startWorker(workers.kiloclaw, { stdoutToFile: true });
  try {
    await provision(worker, 'output-1');
    assert.deepEqual(worker.stdout, [], 'the file is read when the worker stops, not before');
    worker.reset();
    await provision(worker, 'output-2');
  } finally {
    await worker.stop();
  }
  assert.equal(worker.stdout.length, 1, worker.stdout.join('\n'));
  assert.match(worker.stdout[0], PROVISIONED);
  const provisioned = worker.output.filter((line) => PROVISIONED.test(line));
  assert.equal(provisioned.length, 2, worker.output.join('\n'));
  // A second stop finds the output read already: nothing is added twice.
  await worker.stop();
  assert.equal(worker.output.filter((line) => PROVISIONED.test(line)).length, 2);
});

test('without it the same lines come through the pipe as they are written', async () => {
  const worker = await startWorker(workers.kiloclaw);
  try {
    await provision(worker, 'output-3');
    const deadline = Date.now() + 5_000;
    while (worker.stdout.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(worker.stdout.length, 1, worker.stdout.join('\n'));
    assert.match(worker.stdout[0], PROVISIONED);
  } finally {
    await worker.stop();
  }
});
