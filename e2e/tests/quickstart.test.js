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
  const start = performance.now();
  const response = await worker.fetch('/hello/world');
  const elapsed = performance.now() - start;
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'hello, world');
  const [point] = await worker.waitForPoints(1);
  assert.equal(point.dataset, 'quickstart_events');
  assert.equal(point.index, 'hello.get');
  assert.deepEqual(point.blobs, ['hello.get', 'GET /hello/:name', '', 'world']);
  assert.ok(point.doubles[0] >= 0, 'duration_ms');
  // At most the time the request took, seen from here. Loose on purpose: workerd's clock has
  // whole milliseconds and moves only across I/O (one more for the rounding).
  assert.ok(point.doubles[0] <= Math.ceil(elapsed) + 1, `duration_ms ${point.doubles[0]}, the request took ${elapsed}`);
  assert.deepEqual(point.doubles.slice(1), Array(19).fill(0));
  // The whole point.
  assert.deepEqual(
    { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
    {
      dataset: 'quickstart_events',
      index: 'hello.get',
      blobs: ['hello.get', 'GET /hello/:name', '', 'world'],
      doubles: [point.doubles[0], ...Array(19).fill(0)],
    },
  );
  await worker.settle();
  assert.equal(worker.points.length, 1, 'exactly one point per call');
  assert.deepEqual(worker.stdout, [], 'no console line');
  assert.deepEqual(worker.stderr, []);
});

test('a route the router does not know writes nothing', async () => {
  worker.reset();
  const response = await worker.fetch('/nope');
  assert.equal(response.status, 404);
  await worker.settle();
  assert.deepEqual(worker.points, []);
  assert.deepEqual(worker.stdout, []);
  assert.deepEqual(worker.stderr, []);
});

test('without the binding every request still succeeds', async () => {
  const bare = await startWorker(workers.quickstart, { withAnalytics: false });
  try {
    const response = await bare.fetch('/hello/again');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello, again');
    await bare.settle();
    assert.deepEqual(bare.points, []);
    // The loss is announced: the scope's sink finds no binding and says its points are dropped
    // and counted. The count itself (Stats::dropped_without_binding) is not observable here: the
    // quickstart's fetch is the README's, byte for byte (tests/tests/readme.rs), and exposes no
    // stats; examples/kiloclaw's /__tallymark/stats shows the count (kiloclaw.test.js).
    assert.deepEqual(bare.stderr, [
      'tallymark: no Analytics Engine binding `EVENTS` in this Worker\'s env; its points are dropped and counted ' +
        '(add it under [[analytics_engine_datasets]] in wrangler.toml)',
    ]);
    assert.deepEqual(bare.stdout, []);
  } finally {
    await bare.stop();
  }
});
