// examples/links, a URL shortener on axum instrumented by tallymark's tower layer, end to end in
// workerd: every point asserted whole, and every console line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorker, workers } from '../lib/harness.js';

const AGENT = 'links-e2e/1.0';
const ZEROS = Array(19).fill(0);

let worker;
before(async () => {
  worker = await startWorker(workers.links);
});
after(async () => {
  await worker?.stop();
});

/** A request as a client sends it (redirects not followed), and how long it took. */
async function call(w, pathname, { method = 'GET', body } = {}) {
  const start = performance.now();
  const response = await w.fetch(pathname, { method, body, redirect: 'manual', headers: { 'user-agent': AGENT } });
  const text = await response.text();
  return { response, text, elapsed: performance.now() - start };
}

/** Waits for exactly `count` points (none more), and returns them. */
async function exactly(w, count) {
  await w.waitForPoints(count);
  await w.settle();
  assert.equal(w.points.length, count, `exactly ${count} point(s): ${JSON.stringify(w.points)}`);
  return [...w.points];
}

/**
 * Asserts a request's whole point: dataset, index, every blob (`blobs`: the first six), and the doubles: the duration
 * (from the invocation's start, so at most what the request took seen from here, plus workerd's
 * whole-millisecond rounding), `hits`, and nothing else.
 */
function assertRequestPoint(point, blobs, elapsed, hits = 0) {
  // The layout's 8 blobs are all written; a request leaves `reason` and `host` empty.
  blobs = [...blobs, '', ''];
  const [duration] = point.doubles;
  assert.ok(duration >= 0 && duration <= Math.ceil(elapsed) + 1, `duration_ms ${duration}, the request took ${elapsed}`);
  assert.deepEqual(
    { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
    { dataset: 'links_events', index: blobs[0], blobs, doubles: [duration, hits, ...ZEROS.slice(1)] },
  );
}

/** Creates a link to `url`; returns its code, with what was captured cleared. */
async function created(url) {
  worker.reset();
  const { response, text } = await call(worker, '/links', { method: 'POST', body: JSON.stringify({ url }) });
  assert.equal(response.status, 201);
  await exactly(worker, 1);
  worker.reset();
  return text;
}

test('create: one point named from the route, the code recorded by the handler, the agent from the request', async () => {
  worker.reset();
  const { response, text: code, elapsed } = await call(worker, '/links', {
    method: 'POST',
    body: JSON.stringify({ url: 'https://example.com/docs' }),
  });
  assert.equal(response.status, 201);
  assert.match(code, /^[0-9a-z]{7}$/);
  const [point] = await exactly(worker, 1);
  assertRequestPoint(point, ['links.post', 'POST /links', '', 'ok', code, AGENT], elapsed);
  assert.deepEqual(worker.stdout, [], 'no console line');
  assert.deepEqual(worker.stderr, []);
});

test('resolve: a redirect, named by the pattern (go.get), never the concrete path', async () => {
  const code = await created('https://example.com/resolve');
  const { response, elapsed } = await call(worker, `/go/${code}`);
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), 'https://example.com/resolve');
  const [point] = await exactly(worker, 1);
  assertRequestPoint(point, ['go.get', 'GET /go/{code}', '', 'ok', code, AGENT], elapsed);
  assert.deepEqual(worker.stdout, []);
});

test('stats, instrumented by attribute under the layer: its point is the only one, with its own fields', async () => {
  const code = await created('https://example.com/stats');
  await call(worker, `/go/${code}`);
  await call(worker, `/go/${code}`);
  await exactly(worker, 2);
  worker.reset();
  const { response, text, elapsed } = await call(worker, `/links/${code}/stats`);
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(text), { url: 'https://example.com/stats', hits: 2 });
  const [point] = await exactly(worker, 1);
  // The handler's call wrote it: no agent (the layer's field), and the hits it recorded.
  assertRequestPoint(point, ['links.stats.get', 'GET /links/{code}/stats', '', 'ok', code, ''], elapsed, 2);
});

test('delete, then resolve: 204, then a 404 written as an error', async () => {
  const code = await created('https://example.com/gone');
  const removed = await call(worker, `/links/${code}`, { method: 'DELETE' });
  assert.equal(removed.response.status, 204);
  const [point] = await exactly(worker, 1);
  assertRequestPoint(point, ['links.delete', 'DELETE /links/{code}', '', 'ok', code, AGENT], removed.elapsed);
  worker.reset();
  const missing = await call(worker, `/go/${code}`);
  assert.equal(missing.response.status, 404);
  const [gone] = await exactly(worker, 1);
  assertRequestPoint(gone, ['go.get', 'GET /go/{code}', 'HTTP 404', 'error', code, AGENT], missing.elapsed);
});

test('a refused URL: the abuse.blocked event (a line and a point), and the request point with its 403', async () => {
  worker.reset();
  const { response, text, elapsed } = await call(worker, '/links', {
    method: 'POST',
    body: JSON.stringify({ url: 'https://login.evil.example/reset' }),
  });
  assert.equal(response.status, 403);
  assert.equal(text, 'refused');
  const points = await exactly(worker, 2);
  // Each point is its own write: their order of arrival is not the order of writing.
  const blocked = points.find((p) => p.index === 'abuse.blocked');
  const request = points.find((p) => p.index === 'links.post');
  assert.deepEqual(
    { dataset: blocked.dataset, index: blocked.index, blobs: blocked.blobs, doubles: blocked.doubles },
    {
      dataset: 'links_events',
      index: 'abuse.blocked',
      blobs: ['abuse.blocked', '', '', '', '', '', 'blocklisted host', 'login.evil.example'],
      doubles: Array(20).fill(0),
    },
  );
  assertRequestPoint(request, ['links.post', 'POST /links', 'HTTP 403', 'error', '', AGENT], elapsed);
  assert.deepEqual(worker.stdout, [
    '{"worker":"links","event":"abuse.blocked","reason":"blocklisted host","host":"login.evil.example"}',
  ]);
  assert.deepEqual(worker.stderr, []);
});

test('a malformed create is a 400, written without a code', async () => {
  worker.reset();
  const { response, elapsed } = await call(worker, '/links', { method: 'POST', body: 'not json' });
  assert.equal(response.status, 400);
  const [point] = await exactly(worker, 1);
  assertRequestPoint(point, ['links.post', 'POST /links', 'HTTP 400', 'error', '', AGENT], elapsed);
});

test('a path no route matches is skipped by default: a 404, and no point', async () => {
  worker.reset();
  const { response } = await call(worker, '/wp-login.php');
  assert.equal(response.status, 404);
  await worker.settle();
  assert.deepEqual(worker.points, []);
  assert.deepEqual(worker.stdout, []);
  assert.deepEqual(worker.stderr, []);
});

test('with UNMATCHED_EVENT set, unmatched paths are one event, their path not recorded', async () => {
  // The readiness probe is unmatched too: its point is waited for before the test starts.
  const recording = await startWorker({ ...workers.links, vars: { UNMATCHED_EVENT: 'http.unmatched' }, readyPoints: 1 });
  try {
    const probe = await call(recording, '/wp-login.php');
    assert.equal(probe.response.status, 404);
    const other = await call(recording, '/.env', { method: 'POST' });
    assert.equal(other.response.status, 404);
    const points = await exactly(recording, 2);
    const byRoute = Object.fromEntries(points.map((p) => [p.blobs[1], p]));
    assertRequestPoint(byRoute.GET, ['http.unmatched', 'GET', 'HTTP 404', 'error', '', AGENT], probe.elapsed);
    assertRequestPoint(byRoute.POST, ['http.unmatched', 'POST', 'HTTP 404', 'error', '', AGENT], other.elapsed);
    assert.deepEqual(recording.stdout, []);
    assert.deepEqual(recording.stderr, []);
  } finally {
    await recording.stop();
  }
});
