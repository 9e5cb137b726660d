// Faults (issue 18, §3): examples/kiloclaw in workerd, each test with a worker of its own whose
// Analytics Engine binding, or what it forwards to, fails. Each fault leaves every response as it
// is, loses only what it must, counts each loss in /__tallymark/stats, and panics nowhere (the
// harness fails a test after which workerd's output shows a panic).
//
// Two faults of the list are tested in kiloclaw.test.js and not repeated here:
// the binding missing ("without the binding every request still succeeds, and each lost point is
// counted": dropped_without_binding, one notice per invocation) and 300 points in one invocation
// ("300 points requested in one invocation give 250 and one notice": dropped_over_limit 50).
//
// What tallymark can see of a point is its `writeDataPoint` call. workerd forwards the point to
// the dataset's service afterwards, on its own, once the call has returned: a capture service that
// is down, answers 500 or answers late fails (or delays) that forwarding, which tallymark cannot
// observe, so the stats count those points as written. What the tests assert there is what can
// be: the responses, the stats, what reached the capture service, and workerd's own log lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, startWorker, workers } from '../lib/harness.js';

const KEY = workers.kiloclaw.vars.INTERNAL_API_KEY;

const sandbox = (user) => Buffer.from(user, 'utf8').toString('base64url');

/** The 15 blobs of an HTTP event (as kiloclaw.test.js's httpBlobs). */
const httpBlobs = (event, route, user, error = '') => [
  event, user, 'http', route, error, '', '', sandbox(user), '', '', '', '', '', '', '',
];

/**
 * The requests each fault test sends, with the response each gets from a healthy worker, whole,
 * and the one point each writes: two successes and an error status.
 */
const REQUESTS = [
  { method: 'GET', path: '/api/kiloclaw/status', status: 200, body: '{"status":"running","version":"2026.11.1"}', event: 'kiloclaw.status.get' },
  { method: 'GET', path: '/api/admin/storage', status: 410, body: 'Storage endpoints are gone', event: 'admin.storage.get' },
  { method: 'POST', path: '/api/admin/gateway/restart', status: 200, body: '{"ok":true}', event: 'admin.gateway.restart.create' },
];

/**
 * Sends REQUESTS as `user` and asserts every response whole (status and body); returns how long
 * they took, from here (ms).
 */
async function sendAll(worker, user) {
  const start = performance.now();
  for (const { method, path, status, body } of REQUESTS) {
    const response = await worker.fetch(path, { method, headers: { authorization: `Bearer ${user}` } });
    assert.deepEqual([response.status, await response.text()], [status, body], `${method} ${path}`);
  }
  return performance.now() - start;
}

/** Asserts that `points` are REQUESTS' points for `user`, whole, in any order. */
function assertRequestPoints(points, user, elapsed) {
  assert.equal(points.length, REQUESTS.length);
  for (const { method, path, status, event } of REQUESTS) {
    const found = points.filter((p) => p.index === event);
    assert.equal(found.length, 1, `one ${event}`);
    const [point] = found;
    const duration = point.doubles[0];
    assert.ok(duration >= 0 && duration <= Math.ceil(elapsed) + 1, `duration ${duration} within ${elapsed}`);
    assert.deepEqual(
      { dataset: point.dataset, blobs: point.blobs, doubles: point.doubles },
      {
        dataset: 'kiloclaw_events',
        blobs: httpBlobs(event, `${method} ${path}`, user, status >= 400 ? `HTTP ${status}` : ''),
        doubles: [duration, ...Array(19).fill(0)],
      },
    );
  }
}

async function stats(worker) {
  const response = await worker.fetch('/__tallymark/stats');
  assert.equal(response.status, 200);
  return response.json();
}

/** The counters, all zero but these. */
const counters = (counts = {}) => ({
  written: 0, failed: 0, dropped_without_binding: 0, dropped_over_limit: 0, dropped_without_scope: 0,
  truncated_fields: 0, non_finite_doubles: 0, records_outside_call: 0, unhashed_fields: 0, ...counts,
});

/** Waits until `worker.stderr` has `count` lines (workerd logs a failed forwarding afterwards). */
async function stderrLines(worker, count, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (worker.stderr.length < count && Date.now() < deadline) await worker.settle(20);
  await worker.settle(300);
  return worker.stderr;
}

/**
 * Asserts that `lines` are `count` times the two lines workerd logs for a point it could not
 * forward: `message`, then its `stack:` line.
 */
function assertForwardingFailures(lines, count, message) {
  assert.equal(lines.length, 2 * count, lines.join('\n'));
  for (let i = 0; i < count; i++) {
    assert.match(lines[2 * i], message, `line ${2 * i + 1}`);
    assert.match(lines[2 * i + 1], /^stack: \S+workerd@[0-9a-f]+( \S+workerd@[0-9a-f]+)*(; sentryErrorContext = \w+)?$/, `line ${2 * i + 2}`);
  }
}

async function withWorker(options, body) {
  const worker = await startWorker(workers.kiloclaw, options);
  try {
    await body(worker);
  } finally {
    await worker.stop();
  }
}

test('the capture service down: every response as it was, the points lost in workerd, which logs each with --verbose', async () => {
  // A port nothing listens on.
  await withWorker({ captureAddress: `127.0.0.1:${await freePort()}`, verbose: true }, async (worker) => {
    await sendAll(worker, 'down-1');
    // workerd's forwarding fails after writeDataPoint returned: tallymark counts them written.
    const lines = await stderrLines(worker, 2 * REQUESTS.length);
    assert.deepEqual(await stats(worker), counters({ written: REQUESTS.length }));
    assert.deepEqual([worker.received(), worker.points], [0, []]);
    // The only trace of the loss: workerd's log at --verbose, one failure per point; without
    // --verbose it logs nothing at all.
    assertForwardingFailures(
      lines,
      REQUESTS.length,
      /^workerd\/io\/io-context\.c\+\+:\d+: info: uncaught exception; exception = rust\/worker\/ffi\.rs:\d+: disconnected: Connection refused \(os error 111\)$/,
    );
  });
});

test('the capture service answering 500: every response as it was, each point posted once and logged by workerd', async () => {
  await withWorker({ capture: { status: 500 } }, async (worker) => {
    await sendAll(worker, 'http500-1');
    const lines = await stderrLines(worker, 2 * REQUESTS.length);
    assert.deepEqual(await stats(worker), counters({ written: REQUESTS.length }));
    // Each point reached the service once (workerd does not retry) and none was accepted.
    assert.deepEqual([worker.received(), worker.points], [REQUESTS.length, []]);
    assertForwardingFailures(
      lines,
      REQUESTS.length,
      /^workerd\/io\/io-context\.c\+\+:\d+: error: e = workerd\/server\/factory\/worker-factory\.c\+\+:\d+: failed: expected response\.statusCode >= 200 && response\.statusCode < 300; writeLogfwdr request returned an error$/,
    );
  });
});

test('the capture service answering after 2 s: the responses do not wait for it, and every point arrives whole', async () => {
  await withWorker({ capture: { delayMs: 2000 } }, async (worker) => {
    const start = Date.now();
    const elapsed = await sendAll(worker, 'slow-1');
    // The responses did not wait for the service: all three took less than one of its answers.
    assert.ok(elapsed < 1500, `the requests took ${elapsed} ms`);
    // Posted, not yet answered.
    const deadline = Date.now() + 1000;
    while (worker.received() < REQUESTS.length && Date.now() < deadline) await worker.settle(20);
    assert.deepEqual([worker.received(), worker.points.length], [REQUESTS.length, 0]);
    const points = await worker.waitForPoints(REQUESTS.length, 10_000);
    assert.ok(Date.now() - start >= 2000, 'the points were taken after the delay');
    await worker.settle(300);
    assertRequestPoints(worker.points, 'slow-1', elapsed);
    assert.equal(points.length, REQUESTS.length);
    assert.deepEqual(await stats(worker), counters({ written: REQUESTS.length }));
    assert.deepEqual(worker.stderr, []);
  });
});

test('the binding throwing (bound to a text, not a dataset): every response as it was, each point counted failed', async () => {
  // `KILOCLAW_AE` exists in env but is a string: the sink's write throws (the string has no
  // writeDataPoint) and the point is counted in `failed`, not as a missing binding.
  await withWorker({ bindings: { KILOCLAW_AE: 'text = "not an Analytics Engine dataset"' } }, async (worker) => {
    await sendAll(worker, 'throwing-1');
    await worker.settle(300);
    assert.deepEqual(await stats(worker), counters({ failed: REQUESTS.length }));
    assert.deepEqual([worker.received(), worker.points], [0, []]);
    // Each invocation's sink announces its binding's first failed write, with what it threw: one
    // line per request here, since each request writes one point.
    const notice = 'tallymark: writeDataPoint failed: the binding is not an Analytics Engine dataset (string, no ' +
      'writeDataPoint method) (binding `KILOCLAW_AE`); the point is dropped, and this and later failures are counted in Stats::failed';
    assert.deepEqual(worker.stderr, Array(REQUESTS.length).fill(notice));
    assert.deepEqual(worker.stdout, []);
  });
});

test('a reconcile alarm that fails half way: the step before the failure is written, the failure answered as before', async () => {
  // Through the reconcile route (`POST /__fake/alarm` runs the Durable Object's alarm work in its
  // fetch): the example's Durable Object schedules no alarm of its own, and only it could call
  // setAlarm on its storage. The running instance's machine is gone (404): clear_stale_machine is
  // written and the instance marked stopped; then its volume is gone too and a new one cannot be
  // made, which fails the alarm with the error, as the reference's throw does.
  await withWorker({}, async (worker) => {
    const user = 'alarm-1';
    const headers = { 'x-internal-api-key': KEY, 'content-type': 'application/json' };
    for (const step of ['provision', 'start']) {
      const response = await worker.fetch(`/api/platform/${step}`, { method: 'POST', headers, body: JSON.stringify({ userId: user }) });
      assert.equal(response.status, 200, step);
    }
    // provision: its HTTP point and instance.provisioned; start: its HTTP point, instance.started
    // and instance.manual_start_succeeded.
    await worker.waitForPoints(5);
    await worker.settle(200);
    const before = await stats(worker);
    assert.deepEqual(before, counters({ written: 5 }));
    worker.reset();
    const script = { getMachine: [{ notFound: true }], getVolume: [{ notFound: true }], createVolume: [{ error: 'fly 503: no capacity for a volume' }] };
    assert.equal((await worker.fetch(`/__fake/fly?userId=${user}`, { method: 'POST', body: JSON.stringify(script) })).status, 200);
    const response = await worker.fetch(`/__fake/alarm?userId=${user}`, { method: 'POST' });
    assert.deepEqual([response.status, await response.text()], [409, 'fly 503: no capacity for a volume']);
    const [point] = await worker.waitForPoints(1);
    await worker.settle(300);
    assert.equal(worker.points.length, 1);
    const machine = `m${sandbox(user).replace(/[^A-Za-z0-9]/g, '').toLowerCase().slice(0, 12)}`;
    assert.deepEqual(
      { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
      {
        dataset: 'kiloclaw_events',
        index: 'reconcile.clear_stale_machine',
        blobs: [
          'reconcile.clear_stale_machine', user, 'reconcile', '', '', `kc-${sandbox(user).toLowerCase()}`, machine, sandbox(user),
          'running', '2026.11.1', 'kiloclaw-2026.11.1', 'iad', '', '', '',
        ],
        doubles: Array(20).fill(0),
      },
    );
    assert.deepEqual(worker.stdout, [
      JSON.stringify({ tag: 'reconcile', reason: 'alarm', action: 'clear_stale_machine', old_state: 'running', new_state: 'stopped', machine_id: machine }),
    ]);
    // Nothing lost: the one point of the half that ran, written; the failure itself is the
    // response's, and writes nothing.
    const after = await stats(worker);
    assert.deepEqual(after, counters({ written: 6 }));
    // What the alarm changed before it failed stays changed.
    const state = await (await worker.fetch(`/__fake/state?userId=${user}`)).json();
    assert.deepEqual([state.status, state.flyMachineId], ['stopped', null]);
    assert.deepEqual(worker.stderr, []);
  });
});

test('a request the client cancels mid-handler: workerd runs the handler to its end, its point is written whole, nothing panics', async () => {
  await withWorker({}, async (worker) => {
    const user = 'cancel-1';
    const controller = new AbortController();
    const start = performance.now();
    const request = worker.fetch(`/__fake/slow?userId=${user}&ms=1500`, { method: 'POST', signal: controller.signal });
    await worker.settle(300);
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
    // Nothing yet: the handler is still waiting.
    assert.deepEqual(worker.points, []);
    // workerd does not cancel the handler when the client goes away: it waits its 1.5 s and
    // returns, and the instrumented call writes its point as a success (the response reaches no
    // one). The point says so by its duration.
    const [point] = await worker.waitForPoints(1, 5000);
    const elapsed = performance.now() - start;
    await worker.settle(300);
    assert.equal(worker.points.length, 1);
    const duration = point.doubles[0];
    assert.ok(duration >= 1500 && duration <= Math.ceil(elapsed) + 1, `duration ${duration}, between 1500 and ${elapsed}`);
    assert.deepEqual(
      { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
      {
        dataset: 'kiloclaw_events',
        index: '__fake.slow.create',
        blobs: httpBlobs('__fake.slow.create', 'POST /__fake/slow', user),
        doubles: [duration, ...Array(19).fill(0)],
      },
    );
    assert.deepEqual(await stats(worker), counters({ written: 1 }));
    // The same route not cancelled answers as it should.
    const response = await worker.fetch(`/__fake/slow?userId=${user}&ms=10`, { method: 'POST' });
    assert.deepEqual([response.status, await response.text()], [200, '{"waitedMs":10}']);
    await worker.waitForPoints(2);
    assert.deepEqual(await stats(worker), counters({ written: 2 }));
    assert.deepEqual([worker.stdout, worker.stderr], [[], []]);
  });
});
