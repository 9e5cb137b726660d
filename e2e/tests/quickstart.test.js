// The README's quickstart worker, end to end in workerd.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorker, workers } from '../lib/harness.js';

let worker;
before(async () => {
  worker = await startWorker(workers.quickstart);
});
after(async () => {
  await worker?.stop();
});

test('an instrumented route writes one exact data point', async () => {
  worker.reset();
  const response = await worker.fetch('/hello/world');
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'hello, world');
  const [point] = await worker.waitForPoints(1);
  assert.equal(point.dataset, 'quickstart_events');
  assert.equal(point.index, 'hello.get');
  assert.deepEqual(point.blobs, ['hello.get', 'GET /hello/:name', '', 'world']);
  assert.ok(point.doubles[0] >= 0, 'duration_ms');
  assert.deepEqual(point.doubles.slice(1), Array(19).fill(0));
  await worker.settle();
  assert.equal(worker.points.length, 1, 'exactly one point per call');
});

test('a route the router does not know writes nothing', async () => {
  worker.reset();
  const response = await worker.fetch('/nope');
  assert.equal(response.status, 404);
  await worker.settle();
  assert.deepEqual(worker.points, []);
});

test('without the binding every request still succeeds', async () => {
  const bare = await startWorker(workers.quickstart, { withAnalytics: false });
  try {
    const response = await bare.fetch('/hello/again');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello, again');
    await bare.settle();
    assert.deepEqual(bare.points, []);
  } finally {
    await bare.stop();
  }
});
