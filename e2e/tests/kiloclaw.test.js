// examples/kiloclaw in workerd: every data point and console line checked as it arrives.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { startWorker, workers } from '../lib/harness.js';

const KEY = workers.kiloclaw.vars.INTERNAL_API_KEY;
let worker;

before(async () => {
  worker = await startWorker(workers.kiloclaw);
});
after(async () => {
  await worker?.stop();
});
/** Whether the running test compared the console lines itself (reconcileLines). */
let linesChecked = false;
/** The lines the running test expects on stderr (console.warn and workerd's messages). */
let expectedStderr = [];
beforeEach(() => {
  worker.reset();
  linesChecked = false;
  expectedStderr = [];
});
// Whole output, every test: a test that does not compare the console lines expects none, and
// stderr holds exactly what the test said it would.
afterEach(() => {
  if (!linesChecked) assert.deepEqual(worker.stdout, [], 'no console line');
  assert.deepEqual(worker.stderr, expectedStderr, 'stderr');
});

const sandbox = (user) => (user ? Buffer.from(user, 'utf8').toString('base64url') : '');

/**
 * The 15 blobs of an HTTP event: the reference's 13, then `org_id` and `instance_id`, appended
 * after its first version (§7.1).
 */
const httpBlobs = (event, route, user = '', error = '', org = '') => [
  event, user, 'http', route, error, '', '', sandbox(user), '', '', '', '', '', org, '',
];

/** The 15 blobs of a DO or reconcile event for an instance of `user` (the example's fake values). */
function instanceBlobs(
  event, delivery, user, status,
  {
    machine = '', label = '', error = '', region = 'iad', org = '', instance = '', sandboxId = sandbox(user),
    image = 'kiloclaw-2026.11.1',
  } = {},
) {
  return [
    event, user, delivery, '', error, appOf(user, sandboxId), machine, sandboxId, status, '2026.11.1',
    image, region, label, org, instance,
  ];
}

const appOf = (user, sandboxId = sandbox(user)) => `kc-${sandboxId.toLowerCase()}`;

/**
 * The blobs of a recovery route's own event (§7.3): delivery http, the route without its method,
 * the user, and for a crash recovery the sandbox id (and on success a fresh read's status, machine
 * and app).
 */
const manualStartBlobs = (event, user, { error = '', route = '/api/platform/start', sandboxId = '', status = '', machine = '', app = '' } = {}) => [
  event, user, 'http', route, error, app, machine, sandboxId, status, '', '', '', '', '', '',
];

const machineOf = (user) => `m${sandbox(user).replace(/[^A-Za-z0-9]/g, '').toLowerCase().slice(0, 12)}`;

/** How long the last request of admin(), platform() or fake() took, seen from here (ms). */
let lastElapsed = Infinity;

async function send(path, init) {
  const { response, elapsed } = await timed(() => worker.fetch(path, init));
  lastElapsed = elapsed;
  return response;
}

async function admin(method, path, user, headers = {}) {
  const auth = user ? { authorization: `Bearer ${user}` } : {};
  return send(path, { method, headers: { ...auth, ...headers } });
}

async function platform(method, path, body, headers = {}) {
  const init = { method, headers: { 'x-internal-api-key': KEY, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  return send(path, init);
}

async function fake(path, user, body) {
  const response = await send(`/__fake/${path}?userId=${encodeURIComponent(user)}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

/** Waits for the points and returns them by event name (arrival order is not guaranteed). */
async function pointsNamed(count) {
  const points = await worker.waitForPoints(count);
  await worker.settle(200);
  assert.equal(worker.points.length, count, `exactly ${count} points: ${JSON.stringify(worker.points.map((p) => p.index))}`);
  return points;
}

const named = (points, event) => {
  const found = points.filter((p) => p.index === event);
  assert.equal(found.length, 1, `one ${event}: ${JSON.stringify(points.map((p) => p.index))}`);
  return found[0];
};

/**
 * Runs `request` and returns its response with the milliseconds it took, seen from here: a bound
 * for every duration the worker measures while serving it.
 */
async function timed(request) {
  const start = performance.now();
  const response = await request();
  return { response, elapsed: performance.now() - start };
}

/**
 * The bounds of a duration measured by the worker within a request that took `elapsed` ms here.
 * Loose on purpose: workerd's clock (Date.now and performance.now alike) has whole milliseconds
 * and moves only across I/O, so a step without I/O measures 0 and a measured value may round one
 * millisecond above the time the request took as seen from here.
 */
const within = (elapsed) => [0, Math.ceil(elapsed) + 1];

/** Asserts `low <= value <= high`. */
function assertBetween(value, [low, high], what) {
  assert.ok(typeof value === 'number' && value >= low && value <= high, `${what} ${value}, expected within [${low}, ${high}]`);
}

/**
 * Asserts the whole point: its dataset, its index (the event name, blob1), these blobs, and all
 * 20 doubles: `duration` (double1) and `value` (double2), the other 18 zero. A measured double
 * is given as its bounds `[low, high]`: checked, then compared as it is.
 */
function assertPoint(point, blobs, { duration = 0, value = 0, index = blobs[0] } = {}) {
  const measured = (bounds, actual, what) => {
    if (!Array.isArray(bounds)) return bounds;
    assertBetween(actual, bounds, `${what} of ${blobs[0]}:`);
    return actual;
  };
  const doubles = [measured(duration, point.doubles[0], 'duration'), measured(value, point.doubles[1], 'value')];
  assert.deepEqual(
    { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
    { dataset: 'kiloclaw_events', index, blobs, doubles: [...doubles, ...Array(18).fill(0)] },
    `the point ${blobs[0]}`,
  );
}

/**
 * The console lines written since the last reset: every one is a reconcile line or a Durable
 * Object lifecycle line (nothing else is logged to stdout by this worker), so the whole output is
 * compared, not a filtered part of it.
 */
function consoleLines() {
  const ours = (line) => line.startsWith('{"tag":"reconcile"') || line.startsWith('{"tag":"kiloclaw_do"');
  assert.deepEqual(worker.stdout.filter((line) => !ours(line)), [], 'stdout holds reconcile and lifecycle lines only');
  linesChecked = true;
  return [...worker.stdout];
}

/**
 * The Durable Object's line before each lifecycle point (§7.4): `doLog(message, fields)` writes
 * `{ tag: 'kiloclaw_do', message }` and the status, label and error when non-empty, the duration
 * and value when defined; made here by JavaScript's own JSON.stringify.
 */
const doLine = (message, { status, label, error, durationMs, value } = {}) =>
  JSON.stringify({
    tag: 'kiloclaw_do', message, status: status || undefined, label: label || undefined, error: error || undefined, durationMs, value,
  });

/**
 * The reference's console line (§5): `reconcileLog(reason, action, details)` is
 * `console.log(JSON.stringify({ tag: 'reconcile', reason, action, ...details }))`, so the expected
 * line is made by JavaScript's own JSON.stringify (undefined details left out, an Error as {}).
 */
const refLine = (reason, action, details = {}) => JSON.stringify({ tag: 'reconcile', reason, action, ...details });

/** The reference's error text (§5): an Error's message, a string as is, other values as JSON, cut by slice(0, 200). */
const refError = (error) =>
  (error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error)).slice(0, 200);

/**
 * Asserts that exactly these reconcile actions were written since the last reset, in this order:
 * each `{ line, blobs, doubles }` is one console line (compared whole) and, unless the action is
 * console-only (no `blobs`), one data point with these 13 blobs and 2 doubles (default [0, 0]),
 * compared whole. Where a value is measured (an elapsed time, a duration), `line` and `doubles`
 * may be functions of the parsed line, which carries the value the point must repeat; a
 * `durationMs` in a line must lie within `durationMs` (bounds; by default those of the last
 * request, which ran the step). `also` lists the other points (no reconcile line) written
 * meanwhile, as `[blobs, { duration, value }]` for assertPoint; `before` lists entries written
 * before `expected` (the lifecycle event that began the work).
 */
async function assertWritten(expected, { also = [], before = [] } = {}) {
  expected = [...before, ...expected];
  const bounds = within(lastElapsed);
  const points = await pointsNamed(expected.filter((entry) => entry.blobs).length + also.length);
  for (const [blobs, doubles] of also) assertPoint(named(points, blobs[0]), blobs, doubles);
  const lines = consoleLines();
  assert.equal(lines.length, expected.length, `lines:\n${lines.join('\n')}`);
  expected.forEach((entry, i) => {
    const parsed = JSON.parse(lines[i]);
    const line = typeof entry.line === 'function' ? entry.line(parsed) : entry.line;
    assert.equal(lines[i], line, `line ${i + 1}`);
    if (parsed.durationMs !== undefined) assertBetween(parsed.durationMs, entry.durationMs ?? bounds, `durationMs of line ${i + 1}:`);
    if (!entry.blobs) return;
    const [duration, value] = typeof entry.doubles === 'function' ? entry.doubles(parsed) : entry.doubles ?? [0, 0];
    assertPoint(named(points, entry.blobs[0]), entry.blobs, { duration, value });
  });
}

describe('instrumented routes (§2.1, §3.2)', () => {
  const routes = [
    ['GET', '/api/admin/storage', 'admin.storage.get', 410],
    ['POST', '/api/admin/storage/sync', 'admin.storage.sync.create', 410],
    ['POST', '/api/admin/machine/restart', 'admin.machine.restart.create', 200],
    ['POST', '/api/admin/gateway/restart', 'admin.gateway.restart.create', 200],
    ['GET', '/api/admin/public-key', 'admin.public-key.get', 200],
    ['GET', '/api/admin/google-credentials', 'admin.google-credentials.get', 200],
    ['POST', '/api/admin/google-credentials', 'admin.google-credentials.create', 400],
    ['DELETE', '/api/admin/google-credentials', 'admin.google-credentials.delete', 200],
    ['GET', '/api/kiloclaw/config', 'kiloclaw.config.get', 200],
    ['GET', '/api/kiloclaw/status', 'kiloclaw.status.get', 200],
  ];
  for (const [method, path, event, status] of routes) {
    const route = `${method} ${path}`;
    test(`${route}: plain request`, async () => {
      const response = await admin(method, path, 'user-1');
      assert.equal(response.status, status);
      const [point] = await pointsNamed(1);
      assert.equal(point.dataset, 'kiloclaw_events');
      assert.equal(point.index, event);
      const error = status >= 400 ? `HTTP ${status}` : '';
      assert.deepEqual(point.blobs, httpBlobs(event, route, 'user-1', error));
      assertPoint(point, httpBlobs(event, route, 'user-1', error), { duration: within(lastElapsed) });
    });
    test(`${route}: 4xx`, async () => {
      const response = await admin(method, path, 'user-123', { 'x-fake-failure': '404' });
      assert.equal(response.status, 404);
      const [point] = await pointsNamed(1);
      assert.deepEqual(point.blobs, httpBlobs(event, route, 'user-123', 'HTTP 404'));
      assertPoint(point, httpBlobs(event, route, 'user-123', 'HTTP 404'), { duration: within(lastElapsed) });
    });
    test(`${route}: thrown error`, async () => {
      const response = await admin(method, path, 'abc', { 'x-fake-failure': 'throw' });
      assert.equal(response.status, 500);
      // workers-rs logs the handler's error as it makes the 500.
      expectedStderr = ['fake upstream failure: throw'];
      const [point] = await pointsNamed(1);
      assert.deepEqual(point.blobs, httpBlobs(event, route, 'abc', 'fake upstream failure: throw'));
      assertPoint(point, httpBlobs(event, route, 'abc', 'fake upstream failure: throw'), { duration: within(lastElapsed) });
    });
  }

  test('a user id over 47 bytes records no sandbox id', async () => {
    const user = 'u'.repeat(48);
    await admin('GET', '/api/kiloclaw/status', user);
    const [point] = await pointsNamed(1);
    const blobs = [...httpBlobs('kiloclaw.status.get', 'GET /api/kiloclaw/status', user)].map((b, i) => (i === 7 ? '' : b));
    assert.deepEqual(point.blobs, blobs);
    assertPoint(point, blobs, { duration: within(lastElapsed) });
  });

  test('rejected authentication writes nothing', async () => {
    assert.equal((await admin('GET', '/api/kiloclaw/status', null)).status, 401);
    assert.equal((await admin('GET', '/api/admin/storage', null, { authorization: 'Basic x' })).status, 401);
    assert.equal((await platform('GET', '/api/platform/versions', undefined, { 'x-internal-api-key': 'wrong' })).status, 401);
    await worker.settle();
    assert.deepEqual(worker.points, []);
  });
});

describe('the platform rule (§3.3)', () => {
  test('a body that validates gives the user', async () => {
    const response = await platform('PATCH', '/api/platform/kilocode-config', { userId: 'user-1', config: {} });
    assert.equal(response.status, 200);
    const [point] = await pointsNamed(1);
    assert.deepEqual(point.blobs, httpBlobs('platform.kilocode-config.update', 'PATCH /api/platform/kilocode-config', 'user-1'));
    assertPoint(point, httpBlobs('platform.kilocode-config.update', 'PATCH /api/platform/kilocode-config', 'user-1'), {
      duration: within(lastElapsed),
    });
  });

  test('?userId= gives the user on GET and DELETE', async () => {
    await platform('GET', '/api/platform/files/read?userId=user-1&path=a');
    const read = within(lastElapsed);
    await platform('DELETE', '/api/platform/gmail-notifications?userId=user-123');
    const points = await pointsNamed(2);
    assert.deepEqual(named(points, 'platform.files.read.get').blobs,
      httpBlobs('platform.files.read.get', 'GET /api/platform/files/read', 'user-1'));
    assert.deepEqual(named(points, 'platform.gmail-notifications.delete').blobs,
      httpBlobs('platform.gmail-notifications.delete', 'DELETE /api/platform/gmail-notifications', 'user-123'));
    assertPoint(named(points, 'platform.files.read.get'),
      httpBlobs('platform.files.read.get', 'GET /api/platform/files/read', 'user-1'), { duration: read });
    assertPoint(named(points, 'platform.gmail-notifications.delete'),
      httpBlobs('platform.gmail-notifications.delete', 'DELETE /api/platform/gmail-notifications', 'user-123'),
      { duration: within(lastElapsed) });
  });

  test('a success without a user writes nothing', async () => {
    const response = await platform('GET', '/api/platform/versions/latest');
    assert.equal(response.status, 200);
    await worker.settle();
    assert.deepEqual(worker.points, []);
  });

  test('a route whose schema has no user takes none, even when one is sent', async () => {
    // `GET /versions` validates no userId (§3.3): the success is still a success without a user.
    assert.equal((await platform('GET', '/api/platform/versions?userId=someone')).status, 200);
    assert.equal((await platform('POST', '/api/platform/publish-image-version',
      { userId: 'someone', tag: 'kiloclaw-2026.11.2' })).status, 200);
    await worker.settle();
    assert.deepEqual(worker.points, []);
  });

  test('errors without a user are written', async () => {
    let longest = 0;
    const sent = async (request) => {
      const response = await request;
      longest = Math.max(longest, lastElapsed);
      return response;
    };
    assert.equal((await sent(platform('POST', '/api/platform/provision', '{not json'))).status, 400);
    assert.equal((await sent(platform('POST', '/api/platform/provision', { userId: '' }))).status, 400);
    assert.equal((await sent(platform('GET', '/api/platform/pairing'))).status, 400);
    assert.equal((await sent(platform('GET', '/api/platform/versions', undefined, { 'x-fake-failure': 'throw' }))).status, 500);
    const points = await pointsNamed(4);
    // The blobs are compared as a set below; each point's index, dataset and doubles here.
    for (const point of points) assertPoint(point, point.blobs, { duration: within(longest) });
    const blobs = points.map((p) => p.blobs).sort();
    assert.deepEqual(blobs, [
      httpBlobs('platform.pairing.get', 'GET /api/platform/pairing', '', 'HTTP 400'),
      httpBlobs('platform.provision.create', 'POST /api/platform/provision', '', 'HTTP 400'),
      httpBlobs('platform.provision.create', 'POST /api/platform/provision', '', 'HTTP 400'),
      httpBlobs('platform.versions.get', 'GET /api/platform/versions', '', 'HTTP 500'),
    ].sort());
  });
});

describe('Durable Object lifecycle (§2.2, §4)', () => {
  test('provision, start, stop and destroy', async () => {
    const user = 'lifecycle-1';
    const machine = machineOf(user);
    const http = (event, route) => httpBlobs(event, route, user);
    const beforeProvision = Date.now();
    assert.equal((await platform('POST', '/api/platform/provision', { userId: user })).status, 200);
    let points = await pointsNamed(2);
    const provisioned = named(points, 'instance.provisioned');
    // `provisioned`, although startAsync already made the state `starting`.
    assert.deepEqual(provisioned.blobs, instanceBlobs('instance.provisioned', 'do', user, 'provisioned'));
    // Both measured within the request: the Durable Object's step inside the worker's call.
    assertPoint(provisioned, instanceBlobs('instance.provisioned', 'do', user, 'provisioned'), { duration: within(lastElapsed) });
    assert.deepEqual(named(points, 'platform.provision.create').blobs,
      httpBlobs('platform.provision.create', 'POST /api/platform/provision', user));
    assertPoint(named(points, 'platform.provision.create'), http('platform.provision.create', 'POST /api/platform/provision'),
      { duration: within(lastElapsed) });
    // Each lifecycle point follows its line (§7.4), which repeats its status and duration.
    assert.deepEqual(consoleLines(), [doLine('instance.provisioned', { status: 'provisioned', durationMs: provisioned.doubles[0] })]);

    worker.reset();
    const beforeStart = Date.now();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 200);
    points = await pointsNamed(3);
    const started = named(points, 'instance.started');
    assert.deepEqual(started.blobs, instanceBlobs('instance.started', 'do', user, 'running', { machine }));
    // Date-based: from the provision (startingAt) to the start.
    assertPoint(started, instanceBlobs('instance.started', 'do', user, 'running', { machine }), {
      duration: [0, Date.now() - beforeProvision + 1],
    });
    assertPoint(named(points, 'platform.start.create'), http('platform.start.create', 'POST /api/platform/start'),
      { duration: within(lastElapsed) });
    // The manual start's own event (§7.3): the route without its method, delivery http.
    assertPoint(named(points, 'instance.manual_start_succeeded'),
      manualStartBlobs('instance.manual_start_succeeded', user), { duration: within(lastElapsed) });
    assert.deepEqual(consoleLines(), [doLine('instance.started', { status: 'running', durationMs: started.doubles[0] })]);

    worker.reset();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 200);
    points = await pointsNamed(2);
    assertPoint(named(points, 'platform.start.create'), http('platform.start.create', 'POST /api/platform/start'),
      { duration: within(lastElapsed) });
    // Already running: no lifecycle event, and the start did not start it.
    assertPoint(named(points, 'instance.manual_start_failed'),
      manualStartBlobs('instance.manual_start_failed', user), { duration: within(lastElapsed) });

    worker.reset();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await platform('POST', '/api/platform/stop', { userId: user })).status, 200);
    // The uptime (value, Date-based): at least the 20 ms waited since the start's response (less
    // one for whole milliseconds), at most the time since the start's request was sent.
    const uptime = () => [19, Date.now() - beforeStart + 1];
    points = await pointsNamed(2);
    const stopped = named(points, 'instance.stopped');
    assert.deepEqual(stopped.blobs, instanceBlobs('instance.stopped', 'do', user, 'stopped', { machine }));
    assertPoint(stopped, instanceBlobs('instance.stopped', 'do', user, 'stopped', { machine }), { duration: 0, value: uptime() });
    assertPoint(named(points, 'platform.stop.create'), http('platform.stop.create', 'POST /api/platform/stop'),
      { duration: within(lastElapsed) });
    assert.deepEqual(consoleLines(), [doLine('instance.stopped', { status: 'stopped', value: stopped.doubles[1] })]);

    worker.reset();
    assert.equal((await platform('POST', '/api/platform/stop', { userId: user })).status, 200);
    points = await pointsNamed(1);
    assert.equal(points[0].index, 'platform.stop.create', 'already stopped: no lifecycle event');
    assertPoint(points[0], http('platform.stop.create', 'POST /api/platform/stop'), { duration: within(lastElapsed) });

    worker.reset();
    assert.equal((await platform('POST', '/api/platform/destroy', { userId: user })).status, 200);
    points = await pointsNamed(5);
    const destroying = named(points, 'instance.destroy_started');
    assert.deepEqual(destroying.blobs, instanceBlobs('instance.destroy_started', 'do', user, 'destroying', { machine }));
    assertPoint(destroying, instanceBlobs('instance.destroy_started', 'do', user, 'destroying', { machine }), { duration: 0, value: uptime() });
    assertPoint(named(points, 'platform.destroy.create'), http('platform.destroy.create', 'POST /api/platform/destroy'),
      { duration: within(lastElapsed) });
    assert.deepEqual(named(points, 'reconcile.destroy_machine_ok').blobs,
      instanceBlobs('reconcile.destroy_machine_ok', 'reconcile', user, 'destroying', { machine }));
    assertPoint(named(points, 'reconcile.destroy_machine_ok'),
      instanceBlobs('reconcile.destroy_machine_ok', 'reconcile', user, 'destroying', { machine }));
    assertPoint(named(points, 'reconcile.destroy_volume_ok'),
      instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'));
    assertPoint(named(points, 'reconcile.destroy_complete'),
      instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'));
    assert.deepEqual(consoleLines(), [
      doLine('instance.destroy_started', { status: 'destroying', value: destroying.doubles[1] }),
      `{"tag":"reconcile","reason":"destroy","action":"destroy_machine_ok","machine_id":"${machine}"}`,
      '{"tag":"reconcile","reason":"destroy","action":"destroy_volume_ok","volume_id":"vol1"}',
      `{"tag":"reconcile","reason":"destroy","action":"destroy_complete","user_id":"${user}","sandbox_id":"${sandbox(user)}"}`,
    ]);
  });

  test('a provision of an existing instance writes instance.provisioned again (§2.2)', async () => {
    const user = 'lifecycle-again';
    assert.equal((await platform('POST', '/api/platform/provision', { userId: user })).status, 200);
    await pointsNamed(2);
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/provision', { userId: user })).status, 200);
    const points = await pointsNamed(2);
    const machine = (await fake('state', user)).flyMachineId ?? '';
    // `provisioned` again, whatever the status the first provision left, with its line.
    const provisioned = named(points, 'instance.provisioned');
    assertPoint(provisioned,
      instanceBlobs('instance.provisioned', 'do', user, 'provisioned', { machine }), { duration: within(lastElapsed) });
    assert.deepEqual(consoleLines(), [doLine('instance.provisioned', { status: 'provisioned', durationMs: provisioned.doubles[0] })]);
  });

  test('stop() of an instance that is not running returns early and writes no lifecycle event (§2.2)', async () => {
    const user = 'lifecycle-stop';
    assert.equal((await platform('POST', '/api/platform/provision', { userId: user })).status, 200);
    await pointsNamed(2);
    for (const status of ['provisioned', 'starting', 'restarting', 'destroying']) {
      await fake('state', user, { status });
      worker.reset();
      assert.equal((await platform('POST', '/api/platform/stop', { userId: user })).status, 200, status);
      const points = await pointsNamed(1);
      assert.deepEqual(points.map((point) => point.index), ['platform.stop.create'], status);
      assert.equal((await fake('state', user)).status, status, 'left as it was');
    }
  });

  test('an instance that was never provisioned writes no lifecycle event', async () => {
    assert.equal((await platform('POST', '/api/platform/stop', { userId: 'nobody' })).status, 409);
    const points = await pointsNamed(1);
    assert.equal(points[0].index, 'platform.stop.create');
    assert.equal(points[0].blobs[4], 'HTTP 409');
    assertPoint(points[0], httpBlobs('platform.stop.create', 'POST /api/platform/stop', 'nobody', 'HTTP 409'), {
      duration: within(lastElapsed),
    });
  });
});

/** A provisioned and started instance of `user`, with nothing captured yet. */
async function runningInstance(user) {
  await platform('POST', '/api/platform/provision', { userId: user });
  await platform('POST', '/api/platform/start', { userId: user });
  // Provision: its HTTP point and instance.provisioned; start: its HTTP point, instance.started
  // and instance.manual_start_succeeded.
  await worker.waitForPoints(5);
  await worker.settle(200);
  worker.reset();
}

async function reconcile(user, { state, fly } = {}) {
  if (state) await fake('state', user, state);
  if (fly) await fake('fly', user, fly);
  worker.reset();
  await fake('alarm', user, {});
}

describe('reconcile paths (§2.4, §5)', () => {
  test('sync_status logs the old status', async () => {
    const user = 'sync-1';
    await runningInstance(user);
    await reconcile(user, { state: { status: 'stopped' } });
    const [point] = await pointsNamed(1);
    assert.deepEqual(point.blobs, instanceBlobs('reconcile.sync_status', 'reconcile', user, 'stopped', { machine: machineOf(user) }));
    assertPoint(point, instanceBlobs('reconcile.sync_status', 'reconcile', user, 'stopped', { machine: machineOf(user) }), { duration: 0 });
    assert.deepEqual(consoleLines(), [
      '{"tag":"reconcile","reason":"alarm","action":"sync_status","old_state":"stopped","new_state":"running","fly_state":"started"}',
    ]);
  });

  test('mark_stopped after five failed health checks', async () => {
    const user = 'mark-1';
    await runningInstance(user);
    // Four failed checks so far: this alarm's stopped machine is the fifth (4 -> 5).
    await reconcile(user, { state: { healthCheckFailCount: 4 }, fly: { getMachine: [{ state: 'stopped' }] } });
    const [point] = await pointsNamed(1);
    assert.deepEqual(point.blobs, instanceBlobs('reconcile.mark_stopped', 'reconcile', user, 'running', { machine: machineOf(user) }));
    assertPoint(point, instanceBlobs('reconcile.mark_stopped', 'reconcile', user, 'running', { machine: machineOf(user) }), { duration: 0, value: 5 });
    assert.deepEqual(consoleLines(), [
      '{"tag":"reconcile","reason":"alarm","action":"mark_stopped","old_state":"running","new_state":"stopped","fly_state":"stopped","fail_count":5,"value":5}',
    ]);
  });

  test('starting_timeout after five minutes without a machine', async () => {
    const user = 'timeout-1';
    await platform('POST', '/api/platform/provision', { userId: user });
    await worker.waitForPoints(2);
    const startingAt = Date.now() - 6 * 60_000;
    await reconcile(user, { state: { startingAt, lastStartError: 'capacity' } });
    await assertWritten([
      {
        line: (p) => `{"tag":"reconcile","reason":"alarm","action":"starting_timeout","user_id":"${user}","starting_at":${startingAt},"elapsed_ms":${p.elapsed_ms},"old_state":"starting","new_state":"stopped","last_start_error":"capacity"}`,
        blobs: instanceBlobs('reconcile.starting_timeout', 'reconcile', user, 'starting'),
      },
      // Then the lifecycle event of the failed provisioning (§7.3), with the last start error.
      provisioningFailed(user, 'starting_timeout', 'capacity'),
    ]);
    const parsed = JSON.parse(consoleLines()[0]);
    // Date-based, from startingAt to the alarm, which ran before now.
    assertBetween(parsed.elapsed_ms, [6 * 60_000, Date.now() - startingAt], 'elapsed_ms');
  });

  test('api key refreshed and pushed', async () => {
    const user = 'key-1';
    await runningInstance(user);
    const expiresAt = Date.now() + 3_600_000;
    await reconcile(user, { state: { apiKeyExpiresAt: expiresAt } });
    const alarm = within(lastElapsed);
    const points = await pointsNamed(2);
    const machine = machineOf(user);
    assert.deepEqual(named(points, 'reconcile.api_key_expiry_approaching').blobs,
      instanceBlobs('reconcile.api_key_expiry_approaching', 'reconcile', user, 'running', { machine }));
    assertPoint(named(points, 'reconcile.api_key_expiry_approaching'),
      instanceBlobs('reconcile.api_key_expiry_approaching', 'reconcile', user, 'running', { machine }));
    const refreshed = named(points, 'reconcile.api_key_refreshed');
    assert.deepEqual(refreshed.blobs,
      instanceBlobs('reconcile.api_key_refreshed', 'reconcile', user, 'running', { machine, label: 'refreshed+pushed' }));
    const lines = consoleLines();
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines[0], `{"tag":"reconcile","reason":"alarm","action":"api_key_expiry_approaching","user_id":"${user}","expires_at":${expiresAt},"hours_remaining":1,"controller_version":null}`);
    // Only the new expiry and the measured duration vary: take them from the line, compare it whole.
    const refreshedLine = JSON.parse(lines[1]);
    assert.ok(refreshedLine.new_expires_at > expiresAt && refreshedLine.durationMs >= 0);
    assertBetween(refreshedLine.durationMs, alarm, 'durationMs');
    // The line and the point carry the same duration.
    assertPoint(refreshed, instanceBlobs('reconcile.api_key_refreshed', 'reconcile', user, 'running', { machine, label: 'refreshed+pushed' }),
      { duration: refreshedLine.durationMs });
    // The Fly config update is attempted whatever the push answers: a signaled push still
    // reports flyConfigUpdated true.
    assert.equal(lines[1], `{"tag":"reconcile","reason":"alarm","action":"api_key_refreshed","user_id":"${user}","new_expires_at":${refreshedLine.new_expires_at},"pushed":true,"flyConfigUpdated":true,"controller_version":null,"durationMs":${refreshedLine.durationMs},"label":"refreshed+pushed"}`);
  });

  test('api key: push not signaled, fly config updated; and a mint error', async () => {
    const user = 'key-2';
    await runningInstance(user);
    const machine = machineOf(user);
    const approaching = (expiresAt) => ({
      line: refLine('alarm', 'api_key_expiry_approaching', { user_id: user, expires_at: expiresAt, hours_remaining: 1, controller_version: null }),
      blobs: instanceBlobs('reconcile.api_key_expiry_approaching', 'reconcile', user, 'running', { machine }),
    });
    let expiresAt = Date.now() + 3_600_000;
    await reconcile(user, { state: { apiKeyExpiresAt: expiresAt }, fly: { pushKey: [{ state: 'unsignaled' }] } });
    await assertWritten([
      approaching(expiresAt),
      {
        line: `{"tag":"reconcile","reason":"alarm","action":"api_key_push_not_signaled","user_id":"${user}","result":"ok=true signaled=false"}`,
        blobs: instanceBlobs('reconcile.api_key_push_not_signaled', 'reconcile', user, 'running', { machine }),
      },
      {
        line: (p) => refLine('alarm', 'api_key_refreshed', {
          user_id: user, new_expires_at: p.new_expires_at, pushed: false, flyConfigUpdated: true, controller_version: null,
          durationMs: p.durationMs, label: 'refreshed+fly-config',
        }),
        blobs: instanceBlobs('reconcile.api_key_refreshed', 'reconcile', user, 'running', { machine, label: 'refreshed+fly-config' }),
        doubles: (p) => [p.durationMs, 0],
      },
    ]);

    expiresAt = Date.now() + 3_600_000;
    await reconcile(user, { state: { apiKeyExpiresAt: expiresAt }, fly: { mintKey: [{ error: 'mint timeout' }] } });
    await assertWritten([
      approaching(expiresAt),
      {
        line: `{"tag":"reconcile","reason":"alarm","action":"api_key_mint_error","user_id":"${user}","error":"mint timeout"}`,
        blobs: instanceBlobs('reconcile.api_key_mint_error', 'reconcile', user, 'running', { machine, error: 'mint timeout' }),
      },
    ]);
  });

  test('restart_self_healed after a restart reconciles', async () => {
    const user = 'restart-1';
    await runningInstance(user);
    const restartingAt = Date.now() - 1500;
    await reconcile(user, { state: { status: 'restarting', restartUpdateSent: true, restartingAt } });
    const points = await pointsNamed(2);
    const machine = machineOf(user);
    assert.deepEqual(named(points, 'reconcile.restarting_reconcile_success').blobs,
      instanceBlobs('reconcile.restarting_reconcile_success', 'reconcile', user, 'restarting', { machine }));
    const healed = named(points, 'reconcile.restart_self_healed');
    assert.deepEqual(healed.blobs, instanceBlobs('reconcile.restart_self_healed', 'reconcile', user, 'restarting', { machine }));
    // Date-based: from restartingAt to the reconcile, which ran before now.
    const sinceRestart = Date.now() - restartingAt;
    assert.ok(healed.doubles[0] >= 1500 && healed.doubles[0] <= sinceRestart,
      `Date-based duration ${healed.doubles[0]}, at most ${sinceRestart}`);
    const line = JSON.parse(consoleLines()[1]);
    assert.equal(line.durationMs, healed.doubles[0], 'the line and the point carry the same duration');
    assert.deepEqual(line, {
      tag: 'reconcile', reason: 'alarm', action: 'restart_self_healed', machine_id: machine,
      previous_error: null, had_restart_error: false, durationMs: line.durationMs, old_state: 'restarting', new_state: 'running',
    });
    // Whole points and whole lines, in order.
    const elapsed = JSON.parse(consoleLines()[0]).elapsed_ms;
    assertBetween(elapsed, [1500, sinceRestart], 'elapsed_ms');
    assert.deepEqual(consoleLines(), [
      refLine('alarm', 'restarting_reconcile_success', { machine_id: machine, elapsed_ms: elapsed }),
      refLine('alarm', 'restart_self_healed', {
        machine_id: machine, previous_error: null, had_restart_error: false, durationMs: line.durationMs,
        old_state: 'restarting', new_state: 'running',
      }),
    ]);
    assertPoint(named(points, 'reconcile.restarting_reconcile_success'),
      instanceBlobs('reconcile.restarting_reconcile_success', 'reconcile', user, 'restarting', { machine }));
    assertPoint(healed, instanceBlobs('reconcile.restart_self_healed', 'reconcile', user, 'restarting', { machine }),
      { duration: [1500, sinceRestart] });
  });

  test('repair_mount when the volume is not mounted', async () => {
    const user = 'mount-1';
    await runningInstance(user);
    // One Fly read per alarm: the status sync and the mount check read the same reply.
    await reconcile(user, { fly: { getMachine: [{ mounted: false }] } });
    const [point] = await pointsNamed(1);
    assert.deepEqual(point.blobs, instanceBlobs('reconcile.repair_mount', 'reconcile', user, 'running', {
      machine: machineOf(user), label: 'repaired mount for volume vol1',
    }));
    worker.reset();
    // The same again, now with its line, compared whole (the duration bounded by the alarm's request).
    await reconcile(user, { fly: { getMachine: [{ mounted: false }] } });
    await assertWritten([{
      line: (p) => refLine('alarm', 'repair_mount', {
        machine_id: machineOf(user), volume_id: 'vol1', durationMs: p.durationMs, label: 'repaired mount for volume vol1',
      }),
      blobs: instanceBlobs('reconcile.repair_mount', 'reconcile', user, 'running', {
        machine: machineOf(user), label: 'repaired mount for volume vol1',
      }),
      doubles: (p) => [p.durationMs, 0],
    }]);
  });

  test('destroy families: already gone, failed, then completed by the alarm', async () => {
    const user = 'destroy-2';
    const beforeStart = Date.now();
    await runningInstance(user);
    await fake('fly', user, { deleteMachine: [{ notFound: true }], deleteVolume: [{ error: 'volume busy' }] });
    worker.reset();
    await platform('POST', '/api/platform/destroy', { userId: user });
    let points = await pointsNamed(4);
    const machine = machineOf(user);
    assert.deepEqual(named(points, 'reconcile.destroy_machine_already_gone').blobs,
      instanceBlobs('reconcile.destroy_machine_already_gone', 'reconcile', user, 'destroying', { machine }));
    assert.deepEqual(named(points, 'reconcile.destroy_volume_failed').blobs,
      instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: 'volume busy' }));
    await assertWritten([
      {
        // The uptime (value, Date-based) since the start, which began after beforeStart.
        line: (p) => doLine('instance.destroy_started', { status: 'destroying', value: p.value }),
        blobs: instanceBlobs('instance.destroy_started', 'do', user, 'destroying', { machine }),
        doubles: (p) => [0, p.value],
      },
      {
        line: refLine('destroy', 'destroy_machine_already_gone', { machine_id: machine }),
        blobs: instanceBlobs('reconcile.destroy_machine_already_gone', 'reconcile', user, 'destroying', { machine }),
      },
      {
        line: refLine('destroy', 'destroy_volume_failed', { volume_id: 'vol1', error: 'volume busy' }),
        blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: 'volume busy' }),
      },
    ], {
      also: [
        [httpBlobs('platform.destroy.create', 'POST /api/platform/destroy', user), { duration: within(lastElapsed) }],
      ],
    });
    assertBetween(named(points, 'instance.destroy_started').doubles[1], [0, Date.now() - beforeStart + 1], 'the uptime');

    await reconcile(user);
    points = await pointsNamed(2);
    assert.deepEqual(named(points, 'reconcile.destroy_volume_ok').blobs,
      instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'));
    named(points, 'reconcile.destroy_complete');
    assert.deepEqual(consoleLines(), [
      '{"tag":"reconcile","reason":"alarm","action":"destroy_volume_ok","volume_id":"vol1"}',
      `{"tag":"reconcile","reason":"alarm","action":"destroy_complete","user_id":"${user}","sandbox_id":"${sandbox(user)}"}`,
    ]);
    assertPoint(named(points, 'reconcile.destroy_volume_ok'), instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'));
    assertPoint(named(points, 'reconcile.destroy_complete'), instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'));
  });

  test('auto_destroy_stale_provision, then the destroy with reason destroy', async () => {
    const user = 'stale-1';
    await platform('POST', '/api/platform/provision', { userId: user });
    await worker.waitForPoints(2);
    const provisionedAt = Date.now() - 9 * 3_600_000;
    await reconcile(user, { state: { status: 'provisioned', provisionedAt, startingAt: null } });
    const points = await pointsNamed(4);
    const stale = named(points, 'reconcile.auto_destroy_stale_provision');
    assert.deepEqual(stale.blobs, instanceBlobs('reconcile.auto_destroy_stale_provision', 'reconcile', user, 'provisioned'));
    assert.ok(stale.doubles[1] >= 9 * 3_600_000);
    // The age (Date-based): from provisionedAt to the alarm, which ran before now.
    const age = [9 * 3_600_000, Date.now() - provisionedAt];
    const lines = consoleLines();
    assert.match(lines[0], new RegExp(`^\\{"tag":"reconcile","reason":"alarm","action":"auto_destroy_stale_provision","user_id":"${user}","provisioned_at":${provisionedAt},"age_hours":9,"value":\\d+\\}$`));
    // Whole lines, in order (the destroy it starts runs with reason `destroy`), and whole points.
    await assertWritten([
      {
        line: refLine('alarm', 'auto_destroy_stale_provision', {
          user_id: user, provisioned_at: provisionedAt, age_hours: 9, value: stale.doubles[1],
        }),
        blobs: instanceBlobs('reconcile.auto_destroy_stale_provision', 'reconcile', user, 'provisioned'),
        doubles: (p) => [0, p.value],
      },
      destroyStarted(user),
      {
        line: refLine('destroy', 'destroy_volume_ok', { volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('destroy', 'destroy_complete', { user_id: user, sandbox_id: sandbox(user) }),
        blobs: instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'),
      },
    ]);
    assertBetween(stale.doubles[1], age, 'the stale age');
  });
});

/** A provisioned instance of `user` (status `starting`, no machine yet), then `state` patched in. */
async function startingInstance(user, state) {
  await platform('POST', '/api/platform/provision', { userId: user });
  await worker.waitForPoints(2);
  await worker.settle(200);
  if (state) await fake('state', user, state);
  worker.reset();
}

const MINUTE = 60_000;

describe('a starting instance whose machine exists (§2.4 #12-#15, #29, #30)', () => {
  test('Fly reports started: sync_status with the old status, then running', async () => {
    const user = 'starting-1';
    await startingInstance(user, { flyMachineId: 'm1' });
    await reconcile(user);
    await assertWritten([{
      line: refLine('alarm', 'sync_status', { old_state: 'starting', new_state: 'running', fly_state: 'started' }),
      blobs: instanceBlobs('reconcile.sync_status', 'reconcile', user, 'starting', { machine: 'm1' }),
    }]);
    const state = await fake('state', user);
    assert.equal(state.status, 'running');
    assert.equal(state.startingAt, null);
    assert.ok(state.lastStartedAt > 0, 'lastStartedAt backfilled');
  });

  test('Fly reports failed: sync_status_failed, then stopped', async () => {
    const user = 'starting-2';
    await startingInstance(user, { flyMachineId: 'm1' });
    await reconcile(user, { fly: { getMachine: [{ state: 'failed' }] } });
    await assertWritten([{
      line: refLine('alarm', 'sync_status_failed', { old_state: 'starting', new_state: 'stopped', fly_state: 'failed' }),
      blobs: instanceBlobs('reconcile.sync_status_failed', 'reconcile', user, 'starting', { machine: 'm1' }),
    }, provisioningFailed(user, 'fly_failed_state', 'fly machine entered failed state', { machine: 'm1' })]);
    assert.equal((await fake('state', user)).status, 'stopped');
  });

  test('still starting after five minutes: starting_timeout_with_machine', async () => {
    const user = 'starting-3';
    const startingAt = Date.now() - 6 * MINUTE;
    await startingInstance(user, { flyMachineId: 'm1', startingAt, lastStartError: 'capacity' });
    await reconcile(user, { fly: { getMachine: [{ state: 'created' }] } });
    await assertWritten([{
      line: (p) => refLine('alarm', 'starting_timeout_with_machine', {
        machine_id: 'm1', fly_state: 'created', elapsed_ms: p.elapsed_ms, old_state: 'starting', new_state: 'stopped',
        last_start_error: 'capacity',
      }),
      blobs: instanceBlobs('reconcile.starting_timeout_with_machine', 'reconcile', user, 'starting', { machine: 'm1' }),
    }, provisioningFailed(user, 'starting_timeout_with_machine', 'capacity', { machine: 'm1' })]);
    const { elapsed_ms: elapsed } = JSON.parse(consoleLines()[0]);
    assert.ok(elapsed >= 6 * MINUTE && elapsed <= Date.now() - startingAt, `elapsed ${elapsed}`);
    assert.equal((await fake('state', user)).status, 'stopped');
  });

  test('not yet started and not timed out: nothing is written', async () => {
    const user = 'starting-4';
    await startingInstance(user, { flyMachineId: 'm1' });
    await reconcile(user, { fly: { getMachine: [{ state: 'created' }] } });
    await worker.settle();
    assert.deepEqual(worker.points, []);
    assert.deepEqual(consoleLines(), []);
    assert.equal((await fake('state', user)).status, 'starting');
  });

  test('the machine is gone (404): starting_machine_gone keeps its id in the point', async () => {
    const user = 'starting-5';
    await startingInstance(user, { flyMachineId: 'm1' });
    await reconcile(user, { fly: { getMachine: [{ notFound: true }] } });
    await assertWritten([{
      line: refLine('alarm', 'starting_machine_gone', { machine_id: 'm1', old_state: 'starting', new_state: 'stopped' }),
      blobs: instanceBlobs('reconcile.starting_machine_gone', 'reconcile', user, 'starting', { machine: 'm1' }),
    }, provisioningFailed(user, 'starting_machine_gone', 'machine gone during start')]);
    const state = await fake('state', user);
    assert.equal(state.status, 'stopped');
    assert.equal(state.flyMachineId, null);
  });

  test('a Fly error: starting_transient_error, then after five minutes starting_timeout_transient_error', async () => {
    const user = 'starting-6';
    await startingInstance(user, { flyMachineId: 'm1' });
    await reconcile(user, { fly: { getMachine: [{ error: 'fly 503' }] } });
    await assertWritten([{
      line: refLine('alarm', 'starting_transient_error', { machine_id: 'm1', error: 'fly 503' }),
      blobs: instanceBlobs('reconcile.starting_transient_error', 'reconcile', user, 'starting', { machine: 'm1', error: 'fly 503' }),
    }]);
    assert.equal((await fake('state', user)).status, 'starting');

    const startingAt = Date.now() - 6 * MINUTE;
    await reconcile(user, { state: { startingAt }, fly: { getMachine: [{ error: 'fly 504' }] } });
    await assertWritten([{
      line: (p) => refLine('alarm', 'starting_timeout_transient_error', {
        machine_id: 'm1', error: 'fly 504', elapsed_ms: p.elapsed_ms, old_state: 'starting', new_state: 'stopped',
      }),
      blobs: instanceBlobs('reconcile.starting_timeout_transient_error', 'reconcile', user, 'starting', { machine: 'm1', error: 'fly 504' }),
    }, provisioningFailed(user, 'starting_timeout_transient_error', 'fly 504', { machine: 'm1' })]);
    assert.ok(JSON.parse(consoleLines()[0]).elapsed_ms >= 6 * MINUTE);
    assertBetween(JSON.parse(consoleLines()[0]).elapsed_ms, [6 * MINUTE, Date.now() - startingAt], 'elapsed_ms (Date-based)');
    assert.equal((await fake('state', user)).status, 'stopped');
  });

  test('starting_no_machine_yet fires on every alarm while waiting', async () => {
    const user = 'starting-7';
    await startingInstance(user);
    for (let alarm = 0; alarm < 2; alarm++) {
      await reconcile(user);
      await assertWritten([{
        line: refLine('alarm', 'starting_no_machine_yet', { user_id: user }),
        blobs: instanceBlobs('reconcile.starting_no_machine_yet', 'reconcile', user, 'starting'),
      }]);
    }
  });

  test('in one alarm: the sync, the volume check, then the timeout', async () => {
    const user = 'starting-8';
    await startingInstance(user, { flyMachineId: 'm1', startingAt: Date.now() - 6 * MINUTE });
    await reconcile(user, { fly: { getMachine: [{ state: 'created' }], getVolume: [{ error: 'fly 500' }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'volume_check_failed', { volume_id: 'vol1', error: 'fly 500' }),
        blobs: instanceBlobs('reconcile.volume_check_failed', 'reconcile', user, 'starting', { machine: 'm1', error: 'fly 500' }),
      },
      {
        line: (p) => refLine('alarm', 'starting_timeout_with_machine', {
          machine_id: 'm1', fly_state: 'created', elapsed_ms: p.elapsed_ms, old_state: 'starting', new_state: 'stopped',
          last_start_error: null,
        }),
        blobs: instanceBlobs('reconcile.starting_timeout_with_machine', 'reconcile', user, 'starting', { machine: 'm1' }),
      },
      // No last start error: none in the line, '' in the point.
      provisioningFailed(user, 'starting_timeout_with_machine', '', { machine: 'm1' }),
    ]);
  });
});

describe('volume checks (§2.4 #22, #23, §2.5 create_volume)', () => {
  test('a lost volume (404) is replaced: create_volume (a line only), then replace_lost_volume', async () => {
    const user = 'volume-1';
    await runningInstance(user);
    await reconcile(user, { fly: { getVolume: [{ notFound: true }], createVolume: [{ id: 'vol9', region: 'ord' }] } });
    const machine = machineOf(user);
    await assertWritten([
      { line: refLine('alarm', 'create_volume', { fly_app_name: appOf(user), volume_id: 'vol9', region: 'ord' }) },
      {
        line: (p) => refLine('alarm', 'replace_lost_volume', {
          data_loss: true, old_volume_id: 'vol1', new_volume_id: 'vol9', durationMs: p.durationMs,
          label: 'replaced lost volume vol1 \u2192 vol9',
        }),
        // Logged after the replacement exists: blob12 already holds the new volume's region.
        blobs: instanceBlobs('reconcile.replace_lost_volume', 'reconcile', user, 'running', {
          machine, region: 'ord', label: 'replaced lost volume vol1 \u2192 vol9',
        }),
        doubles: (p) => [p.durationMs, 0],
      },
    ]);
    assert.ok(JSON.parse(consoleLines()[1]).durationMs >= 0);
    const state = await fake('state', user);
    assert.equal(state.flyVolumeId, 'vol9');
    assert.equal(state.flyRegion, 'ord');
  });

  test('any other error: volume_check_failed with the error text', async () => {
    const user = 'volume-2';
    await runningInstance(user);
    await reconcile(user, { fly: { getVolume: [{ error: 'fly 500: volume lookup failed' }] } });
    await assertWritten([{
      line: refLine('alarm', 'volume_check_failed', { volume_id: 'vol1', error: 'fly 500: volume lookup failed' }),
      blobs: instanceBlobs('reconcile.volume_check_failed', 'reconcile', user, 'running', {
        machine: machineOf(user), error: 'fly 500: volume lookup failed',
      }),
    }]);
    assert.equal((await fake('state', user)).flyVolumeId, 'vol1');
  });

  test('an instance without a volume gets one: create_volume, a line and no point', async () => {
    const user = 'volume-3';
    await runningInstance(user);
    await reconcile(user, { state: { flyVolumeId: null } });
    await assertWritten([{ line: refLine('alarm', 'create_volume', { fly_app_name: appOf(user), volume_id: 'vol2', region: 'iad' }) }]);
    assert.equal((await fake('state', user)).flyVolumeId, 'vol2');
  });
});

describe('health checks (§2.4 #31)', () => {
  test('failed checks 1-4 write nothing, the fifth writes mark_stopped; a started machine resets the count', async () => {
    const user = 'health-1';
    await runningInstance(user);
    const stopped = { state: 'stopped' };
    await fake('fly', user, { getMachine: [stopped, stopped, { state: 'started' }, stopped, stopped, stopped, stopped, { state: 'created' }] });
    worker.reset();
    const failCounts = [];
    for (let alarm = 0; alarm < 7; alarm++) {
      await fake('alarm', user, {});
      failCounts.push((await fake('state', user)).healthCheckFailCount);
    }
    assert.deepEqual(failCounts, [1, 2, 0, 1, 2, 3, 4]);
    await worker.settle();
    assert.deepEqual(worker.points, []);
    assert.deepEqual(consoleLines(), []);

    await reconcile(user);
    await assertWritten([{
      line: refLine('alarm', 'mark_stopped', { old_state: 'running', new_state: 'stopped', fly_state: 'created', fail_count: 5, value: 5 }),
      blobs: instanceBlobs('reconcile.mark_stopped', 'reconcile', user, 'running', { machine: machineOf(user) }),
      doubles: [0, 5],
    }]);
    const state = await fake('state', user);
    assert.equal(state.status, 'stopped');
    assert.equal(state.healthCheckFailCount, 0);
  });
});

describe('one Fly read per alarm (§2.4 #29-#34)', () => {
  test('each alarm on a running instance takes exactly one getMachine reply', async () => {
    const user = 'read-1';
    await runningInstance(user);
    await fake('fly', user, { getMachine: [{ state: 'stopped' }, { mounted: false }, { notFound: true }] });
    await reconcile(user);
    assert.equal((await fake('fly', user)).getMachine.length, 2);
    await worker.settle();
    assert.deepEqual(consoleLines(), [], 'one failed health check writes nothing');

    const machine = machineOf(user);
    await reconcile(user);
    assert.equal((await fake('fly', user)).getMachine.length, 1);
    await assertWritten([{
      line: (p) => refLine('alarm', 'repair_mount', {
        machine_id: machine, volume_id: 'vol1', durationMs: p.durationMs, label: 'repaired mount for volume vol1',
      }),
      blobs: instanceBlobs('reconcile.repair_mount', 'reconcile', user, 'running', { machine, label: 'repaired mount for volume vol1' }),
      doubles: (p) => [p.durationMs, 0],
    }]);

    await reconcile(user);
    assert.equal((await fake('fly', user)).getMachine.length, 0);
    await assertWritten([{
      line: refLine('alarm', 'clear_stale_machine', { old_state: 'running', new_state: 'stopped', machine_id: machine }),
      blobs: instanceBlobs('reconcile.clear_stale_machine', 'reconcile', user, 'running', { machine }),
    }]);
    const state = await fake('state', user);
    assert.equal(state.status, 'stopped');
    assert.equal(state.flyMachineId, null);
  });

  test('a mount repair that fails is not logged', async () => {
    const user = 'read-2';
    await runningInstance(user);
    await reconcile(user, { fly: { getMachine: [{ mounted: false }], updateMachine: [{ error: 'fly 500' }] } });
    await worker.settle();
    assert.deepEqual(consoleLines(), []);
    assert.deepEqual(worker.points, []);
  });

  test('the start path (reason start) repairs the mount from its one read', async () => {
    const user = 'read-3';
    await runningInstance(user);
    await fake('fly', user, { getMachine: [{ mounted: false }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 200);
    const machine = machineOf(user);
    const points = await pointsNamed(3);
    named(points, 'platform.start.create');
    // Already running: the start repaired the mount but did not start the instance.
    assertPoint(named(points, 'instance.manual_start_failed'), manualStartBlobs('instance.manual_start_failed', user),
      { duration: within(lastElapsed) });
    const repaired = named(points, 'reconcile.repair_mount');
    assert.deepEqual(repaired.blobs, instanceBlobs('reconcile.repair_mount', 'reconcile', user, 'running', {
      machine, label: 'repaired mount for volume vol1',
    }));
    const [line] = consoleLines();
    assert.equal(consoleLines().length, 1);
    const { durationMs } = JSON.parse(line);
    assert.equal(line, refLine('start', 'repair_mount', {
      machine_id: machine, volume_id: 'vol1', durationMs, label: 'repaired mount for volume vol1',
    }));
    assert.equal(repaired.doubles[0], durationMs);
    assertBetween(durationMs, within(lastElapsed), 'durationMs');
    assertPoint(repaired, instanceBlobs('reconcile.repair_mount', 'reconcile', user, 'running', {
      machine, label: 'repaired mount for volume vol1',
    }), { duration: durationMs });
    assertPoint(named(points, 'platform.start.create'), httpBlobs('platform.start.create', 'POST /api/platform/start', user),
      { duration: within(lastElapsed) });
  });
});

describe('API key refresh (§2.4 #2-#9)', () => {
  const expiring = () => ({ apiKeyExpiresAt: Date.now() + 3_600_000 });

  async function expiringInstance(user) {
    await runningInstance(user);
    const state = expiring();
    return { state, approaching: approachingLine(user, state.apiKeyExpiresAt) };
  }

  const approachingLine = (user, expiresAt) => ({
    line: refLine('alarm', 'api_key_expiry_approaching', {
      user_id: user, expires_at: expiresAt, hours_remaining: 1, controller_version: null,
    }),
    blobs: instanceBlobs('reconcile.api_key_expiry_approaching', 'reconcile', user, 'running', { machine: machineOf(user) }),
  });

  test('both paths fail: expiry_approaching, fly_config_update_failed, push_error, refresh_failed_all_paths', async () => {
    const user = 'apikey-1';
    const { state, approaching } = await expiringInstance(user);
    await reconcile(user, { state, fly: { updateConfig: [{ error: 'fly 503' }], pushKey: [{ error: 'controller unreachable' }] } });
    const machine = machineOf(user);
    await assertWritten([
      approaching,
      {
        line: refLine('alarm', 'api_key_fly_config_update_failed', { user_id: user, error: 'fly 503' }),
        blobs: instanceBlobs('reconcile.api_key_fly_config_update_failed', 'reconcile', user, 'running', { machine, error: 'fly 503' }),
      },
      {
        line: refLine('alarm', 'api_key_push_error', { user_id: user, error: 'controller unreachable', controller_version: null }),
        blobs: instanceBlobs('reconcile.api_key_push_error', 'reconcile', user, 'running', { machine, error: 'controller unreachable' }),
      },
      {
        line: refLine('alarm', 'api_key_refresh_failed_all_paths', { user_id: user }),
        blobs: instanceBlobs('reconcile.api_key_refresh_failed_all_paths', 'reconcile', user, 'running', { machine }),
      },
    ]);
    assert.equal((await fake('state', user)).apiKeyExpiresAt, state.apiKeyExpiresAt, 'the old expiry is kept');
  });

  test('the config update fails, the push succeeds: refreshed+pushed', async () => {
    const user = 'apikey-2';
    const { state, approaching } = await expiringInstance(user);
    await reconcile(user, { state, fly: { updateConfig: [{ error: 'fly 503' }] } });
    const machine = machineOf(user);
    await assertWritten([
      approaching,
      {
        line: refLine('alarm', 'api_key_fly_config_update_failed', { user_id: user, error: 'fly 503' }),
        blobs: instanceBlobs('reconcile.api_key_fly_config_update_failed', 'reconcile', user, 'running', { machine, error: 'fly 503' }),
      },
      {
        line: (p) => refLine('alarm', 'api_key_refreshed', {
          user_id: user, new_expires_at: p.new_expires_at, pushed: true, flyConfigUpdated: false, controller_version: null,
          durationMs: p.durationMs, label: 'refreshed+pushed',
        }),
        blobs: instanceBlobs('reconcile.api_key_refreshed', 'reconcile', user, 'running', { machine, label: 'refreshed+pushed' }),
        doubles: (p) => [p.durationMs, 0],
      },
    ]);
    const refreshed = JSON.parse(consoleLines()[2]);
    assert.equal((await fake('state', user)).apiKeyExpiresAt, refreshed.new_expires_at);
  });

  test('no push result (null): push_not_signaled, then refreshed+fly-config', async () => {
    const user = 'apikey-3';
    const { state, approaching } = await expiringInstance(user);
    await reconcile(user, { state, fly: { pushKey: [{ notFound: true }] } });
    const machine = machineOf(user);
    await assertWritten([
      approaching,
      {
        line: refLine('alarm', 'api_key_push_not_signaled', { user_id: user, result: 'null' }),
        blobs: instanceBlobs('reconcile.api_key_push_not_signaled', 'reconcile', user, 'running', { machine }),
      },
      {
        line: (p) => refLine('alarm', 'api_key_refreshed', {
          user_id: user, new_expires_at: p.new_expires_at, pushed: false, flyConfigUpdated: true, controller_version: null,
          durationMs: p.durationMs, label: 'refreshed+fly-config',
        }),
        blobs: instanceBlobs('reconcile.api_key_refreshed', 'reconcile', user, 'running', { machine, label: 'refreshed+fly-config' }),
        doubles: (p) => [p.durationMs, 0],
      },
    ]);
  });

  test('the mint returns nothing: api_key_mint_failed, and nothing is attempted after it', async () => {
    const user = 'apikey-4';
    const { state, approaching } = await expiringInstance(user);
    await reconcile(user, { state, fly: { mintKey: [{ minted: false }], updateConfig: [{ error: 'unused' }] } });
    await assertWritten([
      approaching,
      {
        line: refLine('alarm', 'api_key_mint_failed', { user_id: user }),
        blobs: instanceBlobs('reconcile.api_key_mint_failed', 'reconcile', user, 'running', { machine: machineOf(user) }),
      },
    ]);
    assert.equal((await fake('fly', user)).updateConfig.length, 1, 'the config update was not attempted');
  });
});

describe('restarting (§2.4 #16-#21, #32)', () => {
  /** A running instance of `user` put into `restarting` with `state`. */
  async function restartingInstance(user, state) {
    await runningInstance(user);
    return { status: 'restarting', ...state };
  }

  test('without a restartingAt, elapsed_ms and durationMs are left out of the lines', async () => {
    const user = 'restarting-1';
    const state = await restartingInstance(user, { restartUpdateSent: true, restartingAt: null });
    await reconcile(user, { state });
    const machine = machineOf(user);
    await assertWritten([
      {
        line: refLine('alarm', 'restarting_reconcile_success', { machine_id: machine, elapsed_ms: undefined }),
        blobs: instanceBlobs('reconcile.restarting_reconcile_success', 'reconcile', user, 'restarting', { machine }),
      },
      {
        line: refLine('alarm', 'restart_self_healed', {
          machine_id: machine, previous_error: null, had_restart_error: false, durationMs: undefined,
          old_state: 'restarting', new_state: 'running',
        }),
        blobs: instanceBlobs('reconcile.restart_self_healed', 'reconcile', user, 'restarting', { machine }),
      },
    ]);
    assert.equal(consoleLines()[0], `{"tag":"reconcile","reason":"alarm","action":"restarting_reconcile_success","machine_id":"${machine}"}`);
  });

  test('restart_self_healed follows restarting_reconcile_success at once; the volume check comes after', async () => {
    const user = 'restarting-2';
    const restartingAt = Date.now() - 2000;
    const state = await restartingInstance(user, { restartUpdateSent: true, restartingAt, lastRestartError: 'stop timed out' });
    await reconcile(user, { state, fly: { getVolume: [{ error: 'fly 500' }] } });
    const machine = machineOf(user);
    await assertWritten([
      {
        line: (p) => refLine('alarm', 'restarting_reconcile_success', { machine_id: machine, elapsed_ms: p.elapsed_ms }),
        blobs: instanceBlobs('reconcile.restarting_reconcile_success', 'reconcile', user, 'restarting', { machine }),
      },
      {
        line: (p) => refLine('alarm', 'restart_self_healed', {
          machine_id: machine, previous_error: 'stop timed out', had_restart_error: true, durationMs: p.durationMs,
          old_state: 'restarting', new_state: 'running',
        }),
        blobs: instanceBlobs('reconcile.restart_self_healed', 'reconcile', user, 'restarting', { machine }),
        doubles: (p) => [p.durationMs, 0],
        // Date-based: from restartingAt to the alarm, which ran before now.
        durationMs: [2000, Date.now() - restartingAt],
      },
      {
        line: refLine('alarm', 'volume_check_failed', { volume_id: 'vol1', error: 'fly 500' }),
        blobs: instanceBlobs('reconcile.volume_check_failed', 'reconcile', user, 'running', { machine, error: 'fly 500' }),
      },
    ]);
    assert.ok(JSON.parse(consoleLines()[0]).elapsed_ms >= 2000);
    // Date-based, from restartingAt to the alarm, which ran before now.
    assertBetween(JSON.parse(consoleLines()[0]).elapsed_ms, [2000, Date.now() - restartingAt], 'elapsed_ms');
  });

  test('started without the update, timed out: restarting_no_update_timeout_fallback', async () => {
    const user = 'restarting-3';
    const state = await restartingInstance(user, { restartUpdateSent: false, restartingAt: Date.now() - 6 * MINUTE, lastRestartError: 'stop failed' });
    await reconcile(user, { state });
    const machine = machineOf(user);
    await assertWritten([{
      line: (p) => refLine('alarm', 'restarting_no_update_timeout_fallback', {
        machine_id: machine, last_restart_error: 'stop failed', elapsed_ms: p.elapsed_ms, old_state: 'restarting', new_state: 'running',
      }),
      blobs: instanceBlobs('reconcile.restarting_no_update_timeout_fallback', 'reconcile', user, 'restarting', { machine }),
    }]);
    assert.equal((await fake('state', user)).status, 'running');
  });

  test('not started, timed out: restarting_timeout_transient', async () => {
    const user = 'restarting-4';
    const state = await restartingInstance(user, { restartUpdateSent: true, restartingAt: Date.now() - 6 * MINUTE });
    await reconcile(user, { state, fly: { getMachine: [{ state: 'replacing' }] } });
    const machine = machineOf(user);
    await assertWritten([{
      line: (p) => refLine('alarm', 'restarting_timeout_transient', {
        machine_id: machine, fly_state: 'replacing', elapsed_ms: p.elapsed_ms, last_restart_error: null,
      }),
      blobs: instanceBlobs('reconcile.restarting_timeout_transient', 'reconcile', user, 'restarting', { machine }),
    }]);
    assert.equal((await fake('state', user)).status, 'restarting');
  });

  test('the machine is gone: restarting_machine_gone', async () => {
    const user = 'restarting-5';
    const state = await restartingInstance(user, { restartUpdateSent: true, restartingAt: Date.now() });
    await reconcile(user, { state, fly: { getMachine: [{ notFound: true }] } });
    const machine = machineOf(user);
    await assertWritten([{
      line: refLine('alarm', 'restarting_machine_gone', { machine_id: machine, old_state: 'restarting', new_state: 'stopped' }),
      blobs: instanceBlobs('reconcile.restarting_machine_gone', 'reconcile', user, 'restarting', { machine }),
    }]);
    assert.equal((await fake('state', user)).status, 'stopped');
  });

  test('a Fly error: restarting_transient_error, then after five minutes restarting_timeout_error', async () => {
    const user = 'restarting-6';
    const state = await restartingInstance(user, { restartUpdateSent: true, restartingAt: Date.now() });
    await reconcile(user, { state, fly: { getMachine: [{ error: 'fly 503' }] } });
    const machine = machineOf(user);
    await assertWritten([{
      line: refLine('alarm', 'restarting_transient_error', { machine_id: machine, error: 'fly 503' }),
      blobs: instanceBlobs('reconcile.restarting_transient_error', 'reconcile', user, 'restarting', { machine, error: 'fly 503' }),
    }]);

    await reconcile(user, { state: { restartingAt: Date.now() - 6 * MINUTE }, fly: { getMachine: [{ error: 'fly 504' }] } });
    await assertWritten([{
      line: (p) => refLine('alarm', 'restarting_timeout_error', { machine_id: machine, error: 'fly 504', elapsed_ms: p.elapsed_ms }),
      blobs: instanceBlobs('reconcile.restarting_timeout_error', 'reconcile', user, 'restarting', { machine, error: 'fly 504' }),
    }]);
    const after = await fake('state', user);
    assert.equal(after.lastRestartError, 'fly 504');
    assert.ok(after.restartingAt > Date.now() - MINUTE, 'a fresh timeout window');
  });
});

describe('metadata recovery (§2.4 #24-#28)', () => {
  const listed = (id, state, region, extra = {}) => ({ id, state, region, updatedAt: '2026-11-01T00:00:00Z', ...extra });

  /** A running instance of `user` that has lost its machine id (status `stopped`). */
  async function machinelessInstance(user, state = {}) {
    await runningInstance(user);
    return { flyMachineId: null, status: 'stopped', ...state };
  }

  test('recover_machine_from_metadata adopts the listed machine, logged after adopting it', async () => {
    const user = 'recover-1';
    const state = await machinelessInstance(user);
    await reconcile(user, { state, fly: { listMachines: [{ machines: [listed('m2', 'started', 'ord', { volume: 'vol1' })] }] } });
    await assertWritten([{
      line: (p) => refLine('alarm', 'recover_machine_from_metadata', {
        machine_id: 'm2', fly_state: 'started', region: 'ord', durationMs: p.durationMs, label: 'recovered machine m2 (fly: started)',
      }),
      blobs: instanceBlobs('reconcile.recover_machine_from_metadata', 'reconcile', user, 'running', {
        machine: 'm2', region: 'ord', label: 'recovered machine m2 (fly: started)',
      }),
      doubles: (p) => [p.durationMs, 0],
    }]);
    const after = await fake('state', user);
    assert.equal(after.flyMachineId, 'm2');
    assert.equal(after.status, 'running');
  });

  test('several machines: multiple_machines_found, recover_volume_from_mount, then the newest live candidate', async () => {
    const user = 'recover-2';
    const state = await machinelessInstance(user, { flyVolumeId: null });
    const machines = [
      listed('m3', 'destroyed', 'iad'),
      listed('m4', 'stopped', 'ams', { volume: 'vol7', updatedAt: '2026-11-02T00:00:00Z' }),
      listed('m5', 'stopped', 'iad', { volume: 'vol8', updatedAt: '2026-11-01T00:00:00Z' }),
    ];
    await reconcile(user, { state, fly: { listMachines: [{ machines }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'multiple_machines_found', { user_id: user, count: 3, machine_ids: ['m3', 'm4', 'm5'] }),
        blobs: instanceBlobs('reconcile.multiple_machines_found', 'reconcile', user, 'stopped'),
      },
      {
        line: refLine('alarm', 'recover_volume_from_mount', { volume_id: 'vol7', machine_id: 'm4' }),
        blobs: instanceBlobs('reconcile.recover_volume_from_mount', 'reconcile', user, 'stopped', { machine: 'm4', region: 'ams' }),
      },
      {
        line: (p) => refLine('alarm', 'recover_machine_from_metadata', {
          machine_id: 'm4', fly_state: 'stopped', region: 'ams', durationMs: p.durationMs, label: 'recovered machine m4 (fly: stopped)',
        }),
        blobs: instanceBlobs('reconcile.recover_machine_from_metadata', 'reconcile', user, 'stopped', {
          machine: 'm4', region: 'ams', label: 'recovered machine m4 (fly: stopped)',
        }),
        doubles: (p) => [p.durationMs, 0],
      },
    ]);
    assert.equal((await fake('state', user)).flyVolumeId, 'vol7');
  });

  test('the mounted volume is gone: recovered_volume_missing, and the alarm then creates a volume', async () => {
    const user = 'recover-3';
    const state = await machinelessInstance(user, { flyVolumeId: null });
    await reconcile(user, {
      state,
      fly: { listMachines: [{ machines: [listed('m6', 'created', 'iad', { volume: 'vol7' })] }], getVolume: [{ notFound: true }] },
    });
    await assertWritten([
      {
        line: refLine('alarm', 'recovered_volume_missing', { volume_id: 'vol7' }),
        blobs: instanceBlobs('reconcile.recovered_volume_missing', 'reconcile', user, 'stopped', { machine: 'm6' }),
      },
      {
        line: (p) => refLine('alarm', 'recover_machine_from_metadata', {
          machine_id: 'm6', fly_state: 'created', region: 'iad', durationMs: p.durationMs, label: 'recovered machine m6 (fly: created)',
        }),
        blobs: instanceBlobs('reconcile.recover_machine_from_metadata', 'reconcile', user, 'stopped', {
          machine: 'm6', label: 'recovered machine m6 (fly: created)',
        }),
        doubles: (p) => [p.durationMs, 0],
      },
      { line: refLine('alarm', 'create_volume', { fly_app_name: appOf(user), volume_id: 'vol2', region: 'iad' }) },
    ]);
  });

  test('the listing fails: metadata_recovery_failed; the next alarm waits out the cooldown', async () => {
    const user = 'recover-4';
    const state = await machinelessInstance(user);
    await reconcile(user, { state, fly: { listMachines: [{ error: 'fly 502' }] } });
    await assertWritten([{
      line: refLine('alarm', 'metadata_recovery_failed', { error: 'fly 502' }),
      blobs: instanceBlobs('reconcile.metadata_recovery_failed', 'reconcile', user, 'stopped', { error: 'fly 502' }),
    }]);

    await reconcile(user, { fly: { listMachines: [{ machines: [listed('m2', 'started', 'ord')] }] } });
    await worker.settle();
    assert.deepEqual(consoleLines(), []);
    assert.deepEqual(worker.points, []);
    assert.equal((await fake('fly', user)).listMachines.length, 1, 'not listed within 30 minutes');
  });

  test('a stale provision: the recovery runs first, then auto_destroy_stale_provision', async () => {
    const user = 'recover-5';
    await startingInstance(user);
    const provisionedAt = Date.now() - 9 * 3_600_000;
    await reconcile(user, {
      state: { status: 'provisioned', provisionedAt, startingAt: null },
      fly: { listMachines: [{ machines: [listed('m8', 'destroyed', 'iad'), listed('m9', 'destroying', 'iad')] }] },
    });
    await assertWritten([
      {
        line: refLine('alarm', 'multiple_machines_found', { user_id: user, count: 2, machine_ids: ['m8', 'm9'] }),
        blobs: instanceBlobs('reconcile.multiple_machines_found', 'reconcile', user, 'provisioned'),
      },
      {
        line: (p) => refLine('alarm', 'auto_destroy_stale_provision', {
          user_id: user, provisioned_at: provisionedAt, age_hours: 9, value: p.value,
        }),
        blobs: instanceBlobs('reconcile.auto_destroy_stale_provision', 'reconcile', user, 'provisioned'),
        doubles: (p) => [0, p.value],
      },
      destroyStarted(user),
      {
        line: refLine('destroy', 'destroy_volume_ok', { volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('destroy', 'destroy_complete', { user_id: user, sandbox_id: sandbox(user) }),
        blobs: instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'),
      },
    ]);
  });
});

describe('recovering the bound machine of a destroy (§2.4 #35-#37)', () => {
  /** A provisioned instance of `user` (no machine) whose destroy left its volume pending. */
  async function pendingVolume(user) {
    await startingInstance(user);
    await fake('fly', user, { deleteVolume: [{ error: 'volume busy' }] });
    await platform('POST', '/api/platform/destroy', { userId: user });
    await worker.waitForPoints(3);
    await worker.settle(200);
    worker.reset();
  }

  test('recover_bound_machine_for_destroy adopts the attached machine, which the alarm then deletes', async () => {
    const user = 'bound-1';
    await pendingVolume(user);
    await reconcile(user, { fly: { getVolume: [{ attachedMachineId: 'm7' }] } });
    await assertWritten([
      {
        line: (p) => refLine('alarm', 'recover_bound_machine_for_destroy', {
          volume_id: 'vol1', machine_id: 'm7', durationMs: p.durationMs, label: 'recovered machine m7 from volume vol1',
        }),
        blobs: instanceBlobs('reconcile.recover_bound_machine_for_destroy', 'reconcile', user, 'destroying', {
          machine: 'm7', label: 'recovered machine m7 from volume vol1',
        }),
        doubles: (p) => [p.durationMs, 0],
      },
      {
        line: refLine('alarm', 'destroy_machine_ok', { machine_id: 'm7' }),
        blobs: instanceBlobs('reconcile.destroy_machine_ok', 'reconcile', user, 'destroying', { machine: 'm7' }),
      },
      {
        line: refLine('alarm', 'destroy_volume_ok', { volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('alarm', 'destroy_complete', { user_id: user, sandbox_id: sandbox(user) }),
        blobs: instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'),
      },
    ]);
  });

  test('an attached id that is not a machine id: recover_bound_machine_invalid_id', async () => {
    const user = 'bound-2';
    await pendingVolume(user);
    await reconcile(user, { fly: { getVolume: [{ attachedMachineId: 'M-7;drop' }], deleteVolume: [{ error: 'volume busy' }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'recover_bound_machine_invalid_id', { volume_id: 'vol1', attached_machine_id: 'M-7;drop' }),
        blobs: instanceBlobs('reconcile.recover_bound_machine_invalid_id', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('alarm', 'destroy_volume_failed', { volume_id: 'vol1', error: 'volume busy' }),
        blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: 'volume busy' }),
      },
      // The alarm left the volume to delete (§7.4).
      {
        line: refLine('alarm', 'destroy_pending', { machine_id: null, volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_pending', 'reconcile', user, 'destroying'),
      },
    ]);
    // Bound to no usable machine: the next alarm within 5 minutes does not look again.
    await reconcile(user, { fly: { getVolume: [{ attachedMachineId: 'm7' }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'destroy_volume_ok', { volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_volume_ok', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('alarm', 'destroy_complete', { user_id: user, sandbox_id: sandbox(user) }),
        blobs: instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'),
      },
    ]);
  });

  test('the volume lookup fails: recover_bound_machine_failed, and the volume delete still runs', async () => {
    const user = 'bound-3';
    await pendingVolume(user);
    await reconcile(user, { fly: { getVolume: [{ error: 'fly 500' }], deleteVolume: [{ notFound: true }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'recover_bound_machine_failed', { volume_id: 'vol1', error: 'fly 500' }),
        blobs: instanceBlobs('reconcile.recover_bound_machine_failed', 'reconcile', user, 'destroying', { error: 'fly 500' }),
      },
      {
        line: refLine('alarm', 'destroy_volume_already_gone', { volume_id: 'vol1' }),
        blobs: instanceBlobs('reconcile.destroy_volume_already_gone', 'reconcile', user, 'destroying'),
      },
      {
        line: refLine('alarm', 'destroy_complete', { user_id: user, sandbox_id: sandbox(user) }),
        blobs: instanceBlobs('reconcile.destroy_complete', 'reconcile', user, 'destroying'),
      },
    ]);
  });

  test('a machine delete that fails: destroy_machine_failed, and the machine stays pending', async () => {
    const user = 'bound-4';
    await runningInstance(user);
    await fake('fly', user, { deleteMachine: [{ error: 'machine locked' }] });
    worker.reset();
    await platform('POST', '/api/platform/destroy', { userId: user });
    const machine = machineOf(user);
    const points = await pointsNamed(4);
    assert.deepEqual(named(points, 'reconcile.destroy_machine_failed').blobs,
      instanceBlobs('reconcile.destroy_machine_failed', 'reconcile', user, 'destroying', { machine, error: 'machine locked' }));
    assert.deepEqual(consoleLines(), [
      doLine('instance.destroy_started', { status: 'destroying', value: named(points, 'instance.destroy_started').doubles[1] }),
      refLine('destroy', 'destroy_machine_failed', { machine_id: machine, error: 'machine locked' }),
      refLine('destroy', 'destroy_volume_ok', { volume_id: 'vol1' }),
    ]);
    assert.equal((await fake('state', user)).pendingDestroyMachineId, machine);
  });
});

/**
 * The lifecycle entry of a provisioning that failed (§7.3): status `stopped`, the label, and the
 * failure's whole message (not cut to 200), after the instance fell back to `stopped`.
 */
const provisioningFailed = (user, label, error = '', dimensions = {}) => ({
  line: doLine('instance.provisioning_failed', { status: 'stopped', label, error }),
  blobs: instanceBlobs('instance.provisioning_failed', 'do', user, 'stopped', { label, error, ...dimensions }),
});

/** The lifecycle entry of a destroy of an instance of `user` that never ran (uptime 0). */
const destroyStarted = (user, dimensions = {}) => ({
  line: doLine('instance.destroy_started', { status: 'destroying', value: 0 }),
  blobs: instanceBlobs('instance.destroy_started', 'do', user, 'destroying', dimensions),
});

/**
 * A provisioned instance of `user` (no machine yet), destroyed while its volume delete fails with
 * `reply`: the destroy writes its HTTP point, instance.destroy_started and destroy_volume_failed.
 */
async function destroyFailing(user, reply) {
  await startingInstance(user);
  await fake('fly', user, { deleteVolume: [reply] });
  worker.reset();
  assert.equal((await platform('POST', '/api/platform/destroy', { userId: user })).status, 200);
}

/** What destroyFailing(user) writes besides the volume's event: its HTTP point, and first instance.destroy_started. */
const destroyPoints = (user) => ({
  also: [[httpBlobs('platform.destroy.create', 'POST /api/platform/destroy', user), { duration: within(lastElapsed) }]],
  before: [destroyStarted(user)],
});

describe('error shapes (§5)', () => {
  // Each shape a failing Fly call can throw, as the fake scripts it, with the value the
  // reference's log() would receive as details.error.
  const shapes = [
    ['a string', { error: 'volume busy' }, 'volume busy'],
    ['an Error object', { errorObject: 'volume busy' }, new Error('volume busy')],
    ['null', { error: null }, null],
    ['a number', { error: 42 }, 42],
    ['a boolean', { error: true }, true],
    ['an object', { error: { code: 42, detail: 'quota' } }, { code: 42, detail: 'quota' }],
    ['an array', { error: [1, 'a'] }, [1, 'a']],
    ['a long object (its JSON cut to 200)', { error: { message: 'x'.repeat(300) } }, { message: 'x'.repeat(300) }],
  ];
  shapes.forEach(([shape, reply, thrown], i) => {
    test(`${shape}: the line as JSON.stringify writes it, the point with its error text`, async () => {
      const user = `shape-${i}`;
      await destroyFailing(user, reply);
      await assertWritten([{
        line: refLine('destroy', 'destroy_volume_failed', { volume_id: 'vol1', error: thrown }),
        blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: refError(thrown) }),
      }], destroyPoints(user));
    });
  });

  test('an unserializable value (a BigInt): "[unserializable]" in the line, "[unserializable error]" in the point', async () => {
    // The reference's JSON.stringify throws on a BigInt, so its line (and the point after it)
    // would be lost; the port writes both, the point as the reference's guarded AE half would.
    assert.throws(() => JSON.stringify({ error: 10n }), TypeError);
    const user = 'shape-bigint';
    await destroyFailing(user, { unserializable: true });
    await assertWritten([{
      line: '{"tag":"reconcile","reason":"destroy","action":"destroy_volume_failed","volume_id":"vol1","error":"[unserializable]"}',
      blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: '[unserializable error]' }),
    }], destroyPoints(user));
  });

  test('an Error object in another step (the mint): its message in the point, {} in the line', async () => {
    const user = 'shape-mint';
    await runningInstance(user);
    const expiresAt = Date.now() + 3_600_000;
    await reconcile(user, { state: { apiKeyExpiresAt: expiresAt }, fly: { mintKey: [{ errorObject: 'mint timeout' }] } });
    const machine = machineOf(user);
    await assertWritten([
      {
        line: refLine('alarm', 'api_key_expiry_approaching', { user_id: user, expires_at: expiresAt, hours_remaining: 1, controller_version: null }),
        blobs: instanceBlobs('reconcile.api_key_expiry_approaching', 'reconcile', user, 'running', { machine }),
      },
      {
        line: refLine('alarm', 'api_key_mint_error', { user_id: user, error: new Error('mint timeout') }),
        blobs: instanceBlobs('reconcile.api_key_mint_error', 'reconcile', user, 'running', { machine, error: 'mint timeout' }),
      },
    ]);
    assert.equal(consoleLines()[1], `{"tag":"reconcile","reason":"alarm","action":"api_key_mint_error","user_id":"${user}","error":{}}`);
  });
});

describe('error text length (§1, §5)', () => {
  test('cut to 200 UTF-16 code units: 150 emoji become 100 in the point, all 150 stay in the line', async () => {
    const user = 'length-1';
    const error = '😀'.repeat(150);
    assert.equal(error.slice(0, 200), '😀'.repeat(100), 'the reference cuts at 200 UTF-16 units');
    await destroyFailing(user, { error });
    await assertWritten([{
      line: refLine('destroy', 'destroy_volume_failed', { volume_id: 'vol1', error }),
      blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: '😀'.repeat(100) }),
    }], destroyPoints(user));
  });

  test('never inside a surrogate pair: where slice(0, 200) keeps half an emoji, the text ends before it', async () => {
    const user = 'length-2';
    const error = `a${'😀'.repeat(150)}`;
    // JavaScript keeps 199 units and a lone high surrogate; the port keeps the 199 units.
    assert.equal(error.slice(0, 200), `a${'😀'.repeat(99)}\ud83d`);
    await destroyFailing(user, { error });
    const points = await pointsNamed(3);
    const failed = named(points, 'reconcile.destroy_volume_failed');
    assert.equal(failed.blobs[4], `a${'😀'.repeat(99)}`);
    assert.equal(failed.rawBlobs[4].length, 1 + 99 * 4, 'valid UTF-8, no replacement character');
    await assertWritten([{
      line: refLine('destroy', 'destroy_volume_failed', { volume_id: 'vol1', error }),
      blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: `a${'😀'.repeat(99)}` }),
    }], destroyPoints(user));
  });
});

/** The worker's `/__tallymark/stats`: the counters of every scope that has ended in its isolate. */
async function stats(target = worker) {
  const response = await target.fetch('/__tallymark/stats');
  assert.equal(response.status, 200);
  return response.json();
}

/** The counters, all zero but these. */
const counters = (counts = {}) => ({
  written: 0, failed: 0, dropped_without_binding: 0, dropped_over_limit: 0, dropped_without_scope: 0,
  truncated_fields: 0, non_finite_doubles: 0, records_outside_call: 0, unhashed_fields: 0, ...counts,
});

/** What changed between two readings of stats(). */
const since = (after, before) => Object.fromEntries(Object.entries(after).map(([key, n]) => [key, n - before[key]]));

describe('limits and isolation', () => {
  test('300 points requested in one invocation give 250 and one notice', async () => {
    const before = await stats();
    const response = await worker.fetch('/__fake/burst?userId=bulk&n=300', { method: 'POST' });
    assert.equal(response.status, 200);
    const points = await worker.waitForPoints(250);
    await worker.settle(500);
    assert.equal(worker.points.length, 250);
    assert.deepEqual(points.map((p) => p.doubles[1]), [...Array(250).keys()]);
    // Whole points: the points may arrive in any order, each carries its number in double2.
    const blobs = ['fake.burst', 'bulk', ...Array(13).fill('')];
    for (const point of points) assertPoint(point, blobs, { value: point.doubles[1] });
    const notices = worker.stderr.filter((line) => line.includes('tallymark: this invocation reached'));
    assert.equal(notices.length, 1, worker.stderr.join('\n'));
    // The whole of stderr: the one notice.
    expectedStderr = [
      "tallymark: this invocation reached Analytics Engine's limit of 250 data points; further points " +
        '(first dropped: dataset kiloclaw_events) are dropped and counted',
    ];
    assert.deepEqual(worker.stderr, expectedStderr);
    // Every loss is counted: the 50 past the limit.
    assert.deepEqual(since(await stats(), before), counters({ written: 250, dropped_over_limit: 50 }));
  });

  test('concurrent requests of different users keep their fields apart', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `concurrent-${i}`);
    const { response: responses, elapsed } = await timed(() => Promise.all(users.map((user) => admin('GET', '/api/kiloclaw/status', user))));
    assert.ok(responses.every((r) => r.status === 200));
    const points = await pointsNamed(users.length);
    const seen = points.map((p) => [p.blobs[1], p.blobs[7]]).sort();
    assert.deepEqual(seen, users.map((u) => [u, sandbox(u)]).sort());
    // Whole points: each user's own, its duration within the time all the requests took.
    for (const user of users) {
      const [point] = points.filter((p) => p.blobs[1] === user);
      assertPoint(point, httpBlobs('kiloclaw.status.get', 'GET /api/kiloclaw/status', user), { duration: within(elapsed) });
    }
  });

  test('an index over 96 bytes is cut on a character boundary (event name through /__fake/burst)', async () => {
    const before = await stats();
    // 105 bytes: `fake.` and 50 two-byte characters. The 96th byte is the first half of the 46th.
    const event = `fake.${'é'.repeat(50)}`;
    assert.equal(Buffer.byteLength(event), 105);
    const response = await worker.fetch(`/__fake/burst?userId=idx&n=1&event=${encodeURIComponent(event)}`, { method: 'POST' });
    assert.equal(response.status, 200);
    const [point] = await pointsNamed(1);
    assert.equal(point.index, `fake.${'é'.repeat(45)}`);
    assert.equal(Buffer.byteLength(point.index), 95);
    // The index is cut, the same name in blob1 is not (the blobs are far within their limit).
    assertPoint(point, [event, 'idx', ...Array(13).fill('')], { index: `fake.${'é'.repeat(45)}` });
    assert.deepEqual(since(await stats(), before), counters({ written: 1, truncated_fields: 1 }));
  });

  test('blobs over 16,000 bytes: the longest cut to a common cap, the short kept, the index cut too', async () => {
    const before = await stats();
    // Through a real route: a platform path of 6,000 bytes (it names the event, blob1 and the
    // index, and is the route, blob4) and a user id (blob2) of 12,001 bytes, `u` and 6,000
    // two-byte characters: 24,035 bytes of blobs with `http` (blob3), the sandbox id left empty.
    const path = 'p'.repeat(6000);
    const user = `u${'ü'.repeat(6000)}`;
    const response = await platform('GET', `/api/platform/${path}?userId=${encodeURIComponent(user)}`);
    assert.equal(response.status, 200);
    const [point] = await pointsNamed(1);
    // The cap: 16,000 - 4 (`http`) shared by the three long blobs: 5,332 bytes each. The user id
    // is cut on a character boundary, one byte shorter: `u` and 2,665 characters.
    const blobs = httpBlobs(`platform.${'p'.repeat(5323)}`, `GET /api/platform/${'p'.repeat(5314)}`, `u${'ü'.repeat(2665)}`);
    blobs[7] = ''; // no sandbox id for a user id over 47 bytes
    assert.deepEqual(point.rawBlobs.map((blob) => blob.length), [5332, 5331, 4, 5332, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assertPoint(point, blobs, { index: `platform.${'p'.repeat(87)}`, duration: within(lastElapsed) });
    assert.deepEqual(since(await stats(), before), counters({ written: 1, truncated_fields: 4 }));
  });

  test('blobs of exactly 16,000 bytes are written untouched', async () => {
    const before = await stats();
    // 23 (event) + 4 (`http`) + 28 (route) + the user id = 16,000 bytes.
    const user = 'x'.repeat(16_000 - 23 - 4 - 28);
    assert.equal((await platform('GET', `/api/platform/files/read?userId=${user}`)).status, 200);
    const [point] = await pointsNamed(1);
    const blobs = httpBlobs('platform.files.read.get', 'GET /api/platform/files/read', user);
    blobs[7] = '';
    assertPoint(point, blobs, { duration: within(lastElapsed) });
    assert.equal(point.rawBlobs.reduce((sum, blob) => sum + blob.length, 0), 16_000);
    assert.deepEqual(since(await stats(), before), counters({ written: 1 }));
  });
});

test('without the binding every request still succeeds, and each lost point is counted', async () => {
  const bare = await startWorker(workers.kiloclaw, { withAnalytics: false });
  try {
    const headers = { authorization: 'Bearer user-1' };
    assert.equal((await bare.fetch('/api/kiloclaw/status', { headers })).status, 200);
    assert.equal((await bare.fetch('/api/admin/storage', { headers })).status, 410);
    const provision = await bare.fetch('/api/platform/provision', {
      method: 'POST',
      headers: { 'x-internal-api-key': KEY },
      body: JSON.stringify({ userId: 'user-1' }),
    });
    assert.equal(provision.status, 200);
    await bare.settle();
    assert.deepEqual(bare.points, []);
    // Four points (two routes, the provision's HTTP point and the Durable Object's
    // instance.provisioned), none written, each counted as dropped for want of a binding; the
    // Durable Object runs in the worker's isolate, so its scope's counters are in the same stats.
    assert.deepEqual(await stats(bare), counters({ dropped_without_binding: 4 }));
    // Each scope's sink announces the missing binding once: one line per invocation here.
    const notice = 'tallymark: no Analytics Engine binding `KILOCLAW_AE` in this Worker\'s env; its points are ' +
      'dropped and counted (add it under [[analytics_engine_datasets]] in wrangler.toml)';
    assert.deepEqual(bare.stderr, Array(4).fill(notice));
    // The console line of the lifecycle event is written whatever becomes of its point.
    assert.equal(bare.stdout.length, 1);
    const { durationMs } = JSON.parse(bare.stdout[0]);
    assert.deepEqual(bare.stdout, [doLine('instance.provisioned', { status: 'provisioned', durationMs })]);
  } finally {
    await bare.stop();
  }
});

test('a panic in workerd is seen by the harness, which fails the test that leaves one', async () => {
  // A worker of its own: a panic reinitialises the instance (and its counters).
  const panicking = await startWorker(workers.kiloclaw);
  try {
    const response = await panicking.fetch('/__fake/panic?userId=p', { method: 'POST' });
    assert.equal(response.status, 500);
  } finally {
    await panicking.stop();
  }
  // Taken here, so that the harness's check after this test finds none left; a test that does
  // not take them fails.
  const panics = panicking.takePanics();
  assert.match(panics[0], /^Critical Error: Rust panic: panicked at examples\/kiloclaw\/src\/app\.rs:\d+:\d+:$/);
  assert.ok(panics.includes('Critical RuntimeError: unreachable'), panics.join('\n'));
  assert.deepEqual(panicking.points, []);
});

// --- How the reference evolved after the first change (§7) ------------------------------------

/** A running instance of `user`, stopped, with nothing captured yet. */
async function stoppedInstance(user) {
  await runningInstance(user);
  await platform('POST', '/api/platform/stop', { userId: user });
  await worker.waitForPoints(2);
  await worker.settle(200);
  worker.reset();
}

/** The blobs of an event the restore queue's consumer writes: delivery `queue`, the user only. */
const queueBlobs = (event, user, { label = '', error = '' } = {}) => [
  event, user, 'queue', '', error, '', '', '', 'restoring', '', '', '', label, '', '',
];

/** Each request's other points: its HTTP point and, when given, a recovery's own event. */
const requestPoints = (method, route, user, { error = '', recovery } = {}) => {
  const event = `platform${route.slice('/api/platform'.length).replaceAll('/', '.')}.${method === 'POST' ? 'create' : 'get'}`;
  const points = [[httpBlobs(event, `${method} ${route}`, user, error), { duration: within(lastElapsed) }]];
  if (recovery) points.push([recovery, { duration: within(lastElapsed) }]);
  return points;
};

describe('the appended blobs (§7.1)', () => {
  test('org and instance ids land in blobs 14 and 15; an instance id keys the sandbox', async () => {
    const user = 'v2-org-1';
    const instance = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const sandboxId = 'ki_0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const body = { userId: user, orgId: 'org-7', instanceId: instance.toUpperCase() };
    assert.equal((await platform('POST', '/api/platform/provision', body)).status, 200);
    await assertWritten([{
      line: (p) => doLine('instance.provisioned', { status: 'provisioned', durationMs: p.durationMs }),
      blobs: instanceBlobs('instance.provisioned', 'do', user, 'provisioned', { org: 'org-7', instance, sandboxId }),
      doubles: (p) => [p.durationMs, 0],
    }], {
      // The route's point has no org: the platform rule did not change (§7), and writes none;
      // its sandbox id is the user's, as before.
      also: [[httpBlobs('platform.provision.create', 'POST /api/platform/provision', user), { duration: within(lastElapsed) }]],
    });

    worker.reset();
    // Nor does a GET route's, given an org in the query.
    const response = await platform('GET', `/api/platform/status?userId=${user}&orgId=org-7`);
    assert.equal(response.status, 200);
    const [point] = await pointsNamed(1);
    assertPoint(point, httpBlobs('platform.status.get', 'GET /api/platform/status', user), { duration: within(lastElapsed) });
    assert.equal((await response.json()).sandboxId, sandboxId);
  });

  test('an instance id that is not a UUID keys nothing: the user\'s sandbox, blob15 empty', async () => {
    const user = 'v2-org-2';
    assert.equal((await platform('POST', '/api/platform/provision', { userId: user, instanceId: 'not-a-uuid' })).status, 200);
    const points = await pointsNamed(2);
    assertPoint(named(points, 'instance.provisioned'), instanceBlobs('instance.provisioned', 'do', user, 'provisioned'),
      { duration: within(lastElapsed) });
    consoleLines();
  });
});

describe('lifecycle events added later (§7.3, §7.4)', () => {
  const cases = [
    [{ latest: true }, 'upgrade-to-latest', 'kiloclaw-2026.11.1'],
    [{ imageTag: 'kiloclaw-2026.12.0' }, 'pin-to-tag:kiloclaw-2026.12.0', 'kiloclaw-2026.12.0'],
    [{}, 'redeploy-same-image', 'kiloclaw-2026.11.1'],
  ];
  cases.forEach(([body, label, image], i) => {
    test(`instance.restarting, labelled ${label}, after the restarting status is persisted`, async () => {
      const user = `v2-restart-${i}`;
      await runningInstance(user);
      assert.equal((await platform('POST', '/api/platform/restart', { userId: user, ...body })).status, 200);
      await assertWritten([{
        line: doLine('instance.restarting', { status: 'restarting', label }),
        blobs: instanceBlobs('instance.restarting', 'do', user, 'restarting', { machine: machineOf(user), label, image }),
      }], { also: requestPoints('POST', '/api/platform/restart', user) });
      assert.equal((await fake('state', user)).status, 'restarting');
    });
  });

  test('a start that creates no machine: provisioning_failed with the whole error, and manual_start_failed', async () => {
    const user = 'v2-nomachine-1';
    await startingInstance(user);
    const message = `no capacity for a new machine: ${'x'.repeat(300)}`;
    await fake('fly', user, { createMachine: [{ error: message }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 409);
    // Both keep all 331 characters: callers cut only HTTP thrown errors and reconcile errors (§1).
    await assertWritten([provisioningFailed(user, 'no_machine_created', message)], {
      also: requestPoints('POST', '/api/platform/start', user, {
        error: 'HTTP 409',
        recovery: manualStartBlobs('instance.manual_start_failed', user, { error: message }),
      }),
    });
    const state = await fake('state', user);
    assert.equal(state.status, 'stopped');
    assert.equal(state.lastStartError, message);
  });

  test('a start Fly refuses for lack of capacity: start_capacity_recovery, then the region evicted', async () => {
    const user = 'v2-capacity-1';
    await stoppedInstance(user);
    const error = 'Insufficient Memory';
    await fake('fly', user, { startMachine: [{ error, status: 412, body: '{"error":"try another region"}' }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 409);
    const machine = machineOf(user);
    const label = 'fly_412_insufficient_memory';
    await assertWritten([
      {
        line: doLine('instance.start_capacity_recovery', { status: 'stopped', label, error }),
        blobs: instanceBlobs('instance.start_capacity_recovery', 'do', user, 'stopped', { machine, label, error }),
      },
      // Logged before the move: the point names the region that failed.
      {
        line: doLine('region.capacity_eviction', { label: 'evicted' }),
        blobs: instanceBlobs('region.capacity_eviction', 'do', user, 'stopped', { machine, label: 'evicted' }),
      },
    ], {
      also: requestPoints('POST', '/api/platform/start', user, {
        error: 'HTTP 409', recovery: manualStartBlobs('instance.manual_start_failed', user, { error }),
      }),
    });
    assert.equal((await fake('state', user)).flyRegion, 'ord');
  });

  test('no capacity in the last region: the instance reverts to the primary region', async () => {
    const user = 'v2-capacity-2';
    await stoppedInstance(user);
    await fake('state', user, { flyRegion: 'sjc' });
    const error = 'request failed';
    await fake('fly', user, { startMachine: [{ error, status: 503, body: 'No capacity available in sjc' }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/start', { userId: user })).status, 409);
    const machine = machineOf(user);
    const label = 'fly_503_no_capacity';
    await assertWritten([
      {
        line: doLine('instance.start_capacity_recovery', { status: 'stopped', label, error }),
        blobs: instanceBlobs('instance.start_capacity_recovery', 'do', user, 'stopped', { machine, label, error, region: 'sjc' }),
      },
      {
        line: doLine('region.capacity_eviction', { label: 'reverted_to_meta' }),
        blobs: instanceBlobs('region.capacity_eviction', 'do', user, 'stopped', { machine, label: 'reverted_to_meta', region: 'sjc' }),
      },
    ], {
      also: requestPoints('POST', '/api/platform/start', user, {
        error: 'HTTP 409', recovery: manualStartBlobs('instance.manual_start_failed', user, { error }),
      }),
    });
    assert.equal((await fake('state', user)).flyRegion, 'iad');
  });

  test('force-retry-recovery starts the instance: force_retry_recovery_succeeded beside instance.started', async () => {
    const user = 'v2-force-1';
    const beforeProvision = Date.now();
    await startingInstance(user);
    assert.equal((await platform('POST', '/api/platform/force-retry-recovery', { userId: user })).status, 200);
    await assertWritten([{
      line: (p) => doLine('instance.started', { status: 'running', durationMs: p.durationMs }),
      blobs: instanceBlobs('instance.started', 'do', user, 'running', { machine: machineOf(user) }),
      doubles: (p) => [p.durationMs, 0],
      durationMs: [0, Date.now() - beforeProvision + 1],
    }], {
      also: requestPoints('POST', '/api/platform/force-retry-recovery', user, {
        recovery: manualStartBlobs('instance.force_retry_recovery_succeeded', user, { route: '/api/platform/force-retry-recovery' }),
      }),
    });
  });

  test('force-retry-recovery that fails: force_retry_recovery_failed with the error, after provisioning_failed', async () => {
    const user = 'v2-force-2';
    await startingInstance(user);
    const message = 'fly api unavailable';
    await fake('fly', user, { createMachine: [{ error: message, status: 503 }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/force-retry-recovery', { userId: user })).status, 409);
    await assertWritten([provisioningFailed(user, 'no_machine_created', message)], {
      also: requestPoints('POST', '/api/platform/force-retry-recovery', user, {
        error: 'HTTP 409',
        recovery: manualStartBlobs('instance.force_retry_recovery_failed', user, {
          route: '/api/platform/force-retry-recovery', error: message,
        }),
      }),
    });
  });

  test('crash-recovery: succeeded with a fresh read of status, machine and app; started has no duration', async () => {
    const user = 'v2-crash-1';
    await stoppedInstance(user);
    assert.equal((await platform('POST', '/api/platform/crash-recovery', { userId: user })).status, 200);
    const machine = machineOf(user);
    // No startingAt: no durationMs in the line, 0 in the point.
    await assertWritten([{
      line: doLine('instance.started', { status: 'running' }),
      blobs: instanceBlobs('instance.started', 'do', user, 'running', { machine }),
    }], {
      also: requestPoints('POST', '/api/platform/crash-recovery', user, {
        recovery: manualStartBlobs('instance.crash_recovery_succeeded', user, {
          route: '/api/platform/crash-recovery', sandboxId: sandbox(user), status: 'running', machine, app: appOf(user),
        }),
      }),
    });
  });

  test('crash-recovery that fails: crash_recovery_failed with the error, after fly_capacity_recovery', async () => {
    const user = 'v2-crash-2';
    await stoppedInstance(user);
    const error = 'machine locked';
    // Not an API error (no status): the catch-all label, and no region given up.
    await fake('fly', user, { startMachine: [{ error }] });
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/crash-recovery', { userId: user })).status, 409);
    await assertWritten([{
      line: doLine('instance.start_capacity_recovery', { status: 'stopped', label: 'fly_capacity_recovery', error }),
      blobs: instanceBlobs('instance.start_capacity_recovery', 'do', user, 'stopped', {
        machine: machineOf(user), label: 'fly_capacity_recovery', error,
      }),
    }], {
      also: requestPoints('POST', '/api/platform/crash-recovery', user, {
        error: 'HTTP 409',
        recovery: manualStartBlobs('instance.crash_recovery_failed', user, {
          route: '/api/platform/crash-recovery', sandboxId: sandbox(user), error,
        }),
      }),
    });
    assert.equal((await fake('state', user)).flyRegion, 'iad');
  });
});

describe('restores through the queue (§7.3)', () => {
  /** A stopped instance of `user` whose restore was enqueued, with nothing captured yet. */
  async function restoringInstance(user, script) {
    await stoppedInstance(user);
    if (script) await fake('fly', user, script);
    worker.reset();
    assert.equal((await platform('POST', '/api/platform/restore', { userId: user })).status, 200);
    await assertWritten([{
      line: doLine('instance.restore_enqueued', { status: 'restoring', label: 'admin_snapshot_restore' }),
      blobs: instanceBlobs('instance.restore_enqueued', 'do', user, 'restoring', { machine: machineOf(user), label: 'admin_snapshot_restore' }),
    }], { also: requestPoints('POST', '/api/platform/restore', user) });
    worker.reset();
  }

  test('each delivery is an attempt: retried twice with the raw error, then failed for good', async () => {
    const user = 'v2-restore-1';
    const message = `snapshot locked: ${'y'.repeat(300)}`;
    await restoringInstance(user, { restoreSnapshot: [{ error: message }, { error: message }, { error: message }] });
    for (const attempt of [1, 2, 3]) {
      worker.reset();
      const id = `restore-${attempt}`;
      // workerd runs the worker's queue handler and reports what it acked and retried.
      const report = await worker.deliver('kiloclaw-restore', [{ id, body: { userId: user }, attempts: attempt }]);
      const last = attempt === 3;
      assert.deepEqual(
        { outcome: report.outcome, retryMessages: report.retryMessages, explicitAcks: report.explicitAcks },
        { outcome: 'ok', retryMessages: last ? [] : [{ msgId: id }], explicitAcks: last ? [id] : [] },
      );
      const points = await pointsNamed(2);
      assertPoint(named(points, 'instance.restore_started'), queueBlobs('instance.restore_started', user, { label: `attempt_${attempt}` }),
        { value: attempt });
      if (last) {
        // The last error is whole, as the retries' labels are: callers cut only HTTP thrown
        // errors and reconcile errors (§1).
        assertPoint(named(points, 'instance.restore_failed'),
          queueBlobs('instance.restore_failed', user, { label: 'queue_retries_exhausted', error: message }), { value: 3 });
      } else {
        assertPoint(named(points, 'instance.restore_retry_scheduled'),
          queueBlobs('instance.restore_retry_scheduled', user, { label: message }), { value: attempt });
      }
      // The consumer's events write no Durable Object line.
      assert.deepEqual(consoleLines(), []);
    }
    assert.equal((await fake('state', user)).status, 'restoring');
  });

  test('a restore that succeeds: restore_started, then restore_completed from the instance', async () => {
    const user = 'v2-restore-2';
    const beforeRestore = Date.now();
    await restoringInstance(user);
    const report = await worker.deliver('kiloclaw-restore', [{ id: 'r1', body: { userId: user }, attempts: 1 }]);
    assert.deepEqual(report.explicitAcks, ['r1']);
    await assertWritten([{
      line: (p) => doLine('instance.restore_completed', { status: 'stopped', durationMs: p.durationMs }),
      blobs: instanceBlobs('instance.restore_completed', 'do', user, 'stopped', { machine: machineOf(user) }),
      doubles: (p) => [p.durationMs, 0],
      // From the restore's start (an ISO string in the state) to its end.
      durationMs: [0, Date.now() - beforeRestore + 1],
    }], { also: [[queueBlobs('instance.restore_started', user, { label: 'attempt_1' }), { value: 1 }]] });
    assert.equal((await fake('state', user)).status, 'stopped');
  });

  test('a restore still running after 30 minutes: the alarm writes restore_failed alarm_timeout', async () => {
    const user = 'v2-restore-3';
    await restoringInstance(user);
    const began = Date.now() - 31 * MINUTE;
    await reconcile(user, { state: { restoreStartedAt: new Date(began).toISOString() } });
    await assertWritten([{
      line: (p) => doLine('instance.restore_failed', { status: 'restoring', label: 'alarm_timeout', durationMs: p.durationMs }),
      blobs: instanceBlobs('instance.restore_failed', 'do', user, 'restoring', { machine: machineOf(user), label: 'alarm_timeout' }),
      doubles: (p) => [p.durationMs, 0],
      durationMs: [31 * MINUTE, Date.now() - began],
    }]);
    assert.equal((await fake('state', user)).status, 'stopped');
  });
});

describe('reconcile actions added later (§7.4)', () => {
  test('Fly reports the machine destroyed: sync_status_destroyed, the machine id cleared, stopped', async () => {
    const user = 'v2-destroyed-1';
    await runningInstance(user);
    const machine = machineOf(user);
    await reconcile(user, { fly: { getMachine: [{ state: 'destroyed' }] } });
    await assertWritten([{
      line: refLine('alarm', 'sync_status_destroyed', { old_state: 'running', new_state: 'stopped', fly_state: 'destroyed', machine_id: machine }),
      // Logged before the change: the point still has the machine and the old status.
      blobs: instanceBlobs('reconcile.sync_status_destroyed', 'reconcile', user, 'running', { machine }),
    }]);
    const state = await fake('state', user);
    assert.equal(state.status, 'stopped');
    assert.equal(state.flyMachineId, null);
  });

  test('a destroy pending for over an hour: destroy_stuck with its age', async () => {
    const user = 'v2-stuck-1';
    await destroyFailing(user, { error: 'volume busy' });
    await worker.waitForPoints(3);
    await worker.settle(200);
    const destroyingAt = Date.now() - 2 * 3_600_000;
    await reconcile(user, { state: { destroyingAt }, fly: { deleteVolume: [{ error: 'volume busy' }] } });
    await assertWritten([
      {
        line: refLine('alarm', 'destroy_volume_failed', { volume_id: 'vol1', error: 'volume busy' }),
        blobs: instanceBlobs('reconcile.destroy_volume_failed', 'reconcile', user, 'destroying', { error: 'volume busy' }),
      },
      {
        line: (p) => refLine('alarm', 'destroy_stuck', { machine_id: null, volume_id: 'vol1', elapsed_ms: p.elapsed_ms, value: p.value }),
        blobs: instanceBlobs('reconcile.destroy_stuck', 'reconcile', user, 'destroying'),
        doubles: (p) => [0, p.value],
      },
    ]);
    const { value } = JSON.parse(consoleLines()[1]);
    assertBetween(value, [2 * 3_600_000, Date.now() - destroyingAt], 'the age');
  });
});

describe('the controller dataset (§7.2)', () => {
  /** The whole point of a check-in, in the second dataset. */
  function assertCheckIn(point, index, blobs, doubles) {
    assertBetween(point.doubles[0], within(lastElapsed), 'duration_ms');
    assert.deepEqual(
      { dataset: point.dataset, index: point.index, blobs: point.blobs, doubles: point.doubles },
      { dataset: 'kiloclaw_controller_telemetry', index, blobs, doubles: [point.doubles[0], ...doubles, ...Array(17).fill(0)] },
    );
  }

  const checkIn = (body, key = KEY) => send('/api/controller/checkin', {
    method: 'POST', headers: { 'x-internal-api-key': key }, body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  test('a check-in writes one point to kiloclaw_controller_telemetry, by name', async () => {
    const response = await checkIn({
      sandboxId: 'c2FuZGJveA', machineId: 'm1', controllerVersion: '0.9.1', openclawVersion: '2026.11.1', uptimeSeconds: 3600, gatewayRestarts: 2,
    });
    assert.equal(response.status, 200);
    const [point] = await pointsNamed(1);
    assertCheckIn(point, 'c2FuZGJveA', ['controller.checkin', 'c2FuZGJveA', 'm1', '0.9.1', '2026.11.1', ''], [3600, 2]);
  });

  test('a malformed check-in is recorded as HTTP 400 with no sandbox; a wrong key writes nothing', async () => {
    assert.equal((await checkIn('{not json')).status, 400);
    const [point] = await pointsNamed(1);
    assertCheckIn(point, '', ['controller.checkin', '', '', '', '', 'HTTP 400'], [0, 0]);
    worker.reset();
    assert.equal((await checkIn({ sandboxId: 's' }, 'wrong')).status, 401);
    await worker.settle();
    assert.deepEqual(worker.points, []);
  });
});
