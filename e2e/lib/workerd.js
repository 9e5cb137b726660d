// Runs an example worker in workerd (from the pinned npm package) on 127.0.0.1, with each
// Analytics Engine binding pointed at a capture server in this process, so tests can read back
// exactly the data points the real runtime accepted and forwarded. Tests import `harness.js`,
// which adds the panic check to every test; scripts (demo.js) import this file.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const workerdBin = path.join(root, 'e2e', 'node_modules', '.bin', 'workerd');

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Decodes one point as workerd's analyticsEngine binding posts it: blobs and index1 as byte
 * arrays, all 20 doubles, unset blobs absent, the dataset as bytes.
 */
export function decodePoint(json) {
  const text = (bytes) => Buffer.from(bytes).toString('utf8');
  let lastBlob = 0;
  for (let i = 1; i <= 20; i++) if (json[`blob${i}`] !== undefined) lastBlob = i;
  const blobs = [];
  for (let i = 1; i <= lastBlob; i++) blobs.push(json[`blob${i}`] ? text(json[`blob${i}`]) : '');
  const doubles = [];
  for (let i = 1; i <= 20; i++) doubles.push(json[`double${i}`] ?? 0);
  return {
    dataset: text(json.dataset ?? []),
    index: json.index1 ? text(json.index1) : '',
    blobs,
    rawBlobs: blobs.map((_, i) => Buffer.from(json[`blob${i + 1}`] ?? [])),
    doubles,
  };
}

/**
 * A captured point as `tallymark ingest` reads it: the blobs as the bytes workerd delivered, the
 * time it arrived.
 */
function ingestLine(point) {
  return {
    dataset: point.dataset,
    index: point.index,
    blobs: point.rawBlobs.map((blob) => [...blob]),
    doubles: point.doubles,
    timestamp: Date.now(),
  };
}

/**
 * Collects the points posted to it. `behaviour` ({ status, delayMs }, read at each request, so a
 * test may change it while the worker runs) makes it answer with another status, or later: what
 * workerd then does with the write is its own (see e2e/tests/faults.test.js). `received` counts
 * every request that reached it, whatever it answered.
 */
export async function startCapture(store, behaviour) {
  const points = [];
  const counts = { received: 0 };
  const server = http.createServer((req, res) => {
    counts.received += 1;
    res.shouldKeepAlive = false;
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const answer = () => {
        if (behaviour.status !== 200) {
          res.statusCode = behaviour.status;
          res.end('capture: failing on purpose');
          return;
        }
        try {
          const point = decodePoint(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          points.push(point);
          if (store) fs.appendFileSync(store, JSON.stringify(ingestLine(point)) + '\n');
          res.end('ok');
        } catch (error) {
          res.statusCode = 400;
          res.end(String(error));
        }
      };
      if (behaviour.delayMs > 0) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  // Every answer closes its connection. With keep-alive, Node closes a connection idle for 5 s,
  // and workerd, which pools its connections to the dataset's service, may send its next point on
  // one as it closes: that point is lost in workerd, logged only with --verbose ("connection
  // closed before message completed"). Never closing them instead lets workerd's pool grow until
  // it runs out of file descriptors under load. The load run showed both (BENCHMARKS.md, "Load").
  server.listen(0, '127.0.0.1', 4096);
  await once(server, 'listening');
  return { points, counts, port: server.address().port, close: () => server.close() };
}

export function capnpString(value) {
  return JSON.stringify(String(value));
}

/**
 * The queue driver: a JavaScript worker that delivers a batch of messages to the worker under
 * test through a service binding's `queue()` method, so workerd itself runs the worker's queue
 * handler (as it does for a real queue, with acks and retries reported back). `POST /<queue>`
 * with a JSON array of `{ id, body, attempts }` answers workerd's report:
 * `{ outcome, ackAll, retryBatch, explicitAcks, retryMessages }`.
 */
const QUEUE_DRIVER = `export default {
  async fetch(request, env) {
    const queue = decodeURIComponent(new URL(request.url).pathname.slice(1));
    const messages = (await request.json()).map((m) => ({ ...m, timestamp: new Date() }));
    return Response.json(await env.WORKER.queue(queue, messages));
  },
};
`;

/**
 * Writes the workerd config for `worker`:
 * { name, buildDir, datasets: [{ binding, dataset }], vars: {}, durableObjects: [{ binding, className }],
 *   queues: true (a queue driver on `driverPort`), readyPoints: N (the points the readiness probe,
 *   `GET /__tallymark_ready`, writes; 0 when omitted) }.
 */
function writeConfig(dir, worker, { port, captureAddress, driverPort, withAnalytics, bindings: replaced = {}, extensionModules = [], v8Flags = [] }) {
  for (const file of ['index.js', 'index_bg.wasm']) {
    fs.copyFileSync(path.join(worker.buildDir, file), path.join(dir, file));
  }
  const datasets = withAnalytics ? worker.datasets ?? [] : [];
  const services = [`(name = "main", worker = .worker)`];
  for (const { dataset } of datasets) {
    services.push(`(name = ${capnpString(dataset)}, external = (address = ${capnpString(captureAddress)}, http = ()))`);
  }
  const bindings = [];
  for (const { binding, dataset } of datasets) {
    if (replaced[binding] !== undefined) continue;
    bindings.push(`(name = ${capnpString(binding)}, analyticsEngine = ${capnpString(dataset)})`);
  }
  // Bindings given by the test, as capnp text (`text = "x"`), in place of a dataset's binding of
  // that name or in addition.
  for (const [name, value] of Object.entries(replaced)) bindings.push(`(name = ${capnpString(name)}, ${value})`);
  // Internal modules a `wrapped` binding names (`wrapped = (moduleName = "...")`).
  const moduleFile = (name) => `ext-${name.replace(/[^A-Za-z0-9]/g, '_')}.js`;
  for (const { name, source } of extensionModules) fs.writeFileSync(path.join(dir, moduleFile(name)), source);
  const extensions = extensionModules.length === 0
    ? ''
    : `\n  extensions = [(modules = [${extensionModules
      .map(({ name }) => `(name = ${capnpString(name)}, esModule = embed ${capnpString(moduleFile(name))}, internal = true)`)
      .join(', ')}])],`;
  for (const [name, value] of Object.entries(worker.vars ?? {})) {
    bindings.push(`(name = ${capnpString(name)}, text = ${capnpString(value)})`);
  }
  const objects = worker.durableObjects ?? [];
  for (const { binding, className } of objects) {
    bindings.push(`(name = ${capnpString(binding)}, durableObjectNamespace = ${capnpString(className)})`);
  }
  const sockets = [`(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")`];
  let driver = '';
  if (worker.queues) {
    fs.writeFileSync(path.join(dir, 'driver.js'), QUEUE_DRIVER);
    services.push('(name = "queue-driver", worker = .queueDriver)');
    sockets.push(`(name = "queues", address = "127.0.0.1:${driverPort}", http = (), service = "queue-driver")`);
    driver = `
const queueDriver :Workerd.Worker = (
  modules = [(name = "driver.js", esModule = embed "driver.js")],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["service_binding_extra_handlers"],
  bindings = [(name = "WORKER", service = "main")],
);
`;
  }
  const namespaces = objects.map(
    ({ className }) => `(className = ${capnpString(className)}, uniqueKey = ${capnpString(`tallymark-${className}`)})`,
  );
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  v8Flags = [${v8Flags.map(capnpString).join(', ')}],
  services = [${services.join(', ')}],
  sockets = [${sockets.join(', ')}],${extensions}
);
${driver}
const worker :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "index.js"),
    (name = "index_bg.wasm", wasm = embed "index_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [${bindings.join(', ')}],
  durableObjectNamespaces = [${namespaces.join(', ')}],
  durableObjectStorage = (inMemory = void),
);
`;
  fs.writeFileSync(path.join(dir, 'config.capnp'), config);
}

/** Lines a stream wrote, as they arrive, into each of `sinks` (the last line when it ends). */
function collectLines(stream, ...sinks) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    const parts = rest.split('\n');
    rest = parts.pop();
    for (const lines of sinks) lines.push(...parts);
  });
  stream.on('end', () => {
    if (rest) for (const lines of sinks) lines.push(rest);
    rest = '';
  });
}

/** The lines of UTF-8 `bytes`, without the empty one after the last newline. */
function linesOf(bytes) {
  const text = bytes.toString('utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** The CPU time process `pid` has run, all its threads, in nanoseconds (Linux schedstat). */
export function cpuNs(pid) {
  let total = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    total += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return total;
}

/**
 * A line of workerd's output that shows a panic: workers-rs's panic hook logs `Critical Error:
 * Rust panic: panicked at <file>:<line>:<column>:`, then the trap shows as `RuntimeError:
 * unreachable` (the instance is reinitialised and the request answered 500).
 */
export const PANIC_LINE = /Rust panic|panicked at|RuntimeError: unreachable/;

/**
 * Every worker started and not yet checked for panics since it stopped. `harness.js` checks them
 * after each test ({@link takePanics}).
 */
export const startedWorkers = new Set();

/**
 * Starts `worker` in workerd. Options: `withAnalytics` (default true): bind the Analytics Engine
 * datasets; `store`: also append every captured point to this JSON-lines file; `capture`
 * ({ status, delayMs }, default 200 at once): how the capture server answers, changeable later
 * through `handle.capture`; `captureAddress` ("host:port"): point the datasets' services there
 * instead of at the capture server (a closed port, a capture in another process); `bindings`
 * ({ NAME: capnp text }): bindings in place of a dataset's of that name, or added, and
 * `extensionModules` ([{ name, source }]): the internal modules a `wrapped` binding names; `verbose`:
 * run workerd with --verbose (only then does it log a failed forwarding of a point); `v8Flags`
 * (["--flag"]): V8's flags, for profiling; `stdoutToFile`: workerd's standard output (the
 * worker's console lines) goes to a file (`handle.stdoutFile`) instead of a pipe to this process,
 * and reaches `output` (all of it) and `stdout` (what followed the last `reset`) only when the
 * worker stops: until then neither `stdout` nor `takePanics` sees it. A pipe wakes this process at each
 * line, from workerd's thread: under load, on another core, that wake-up costs workerd more than
 * the line does (BENCHMARKS.md, "Load").
 */
export async function startWorker(
  worker,
  { withAnalytics = true, store, capture: behaviour = {}, captureAddress, bindings, extensionModules, verbose = false, v8Flags, stdoutToFile = false } = {},
) {
  for (const file of ['index.js', 'index_bg.wasm']) {
    if (!fs.existsSync(path.join(worker.buildDir, file))) {
      throw new Error(`${worker.name} is not built: ${path.join(worker.buildDir, file)} is missing (run scripts/build-examples.sh)`);
    }
  }
  const answer = { status: 200, delayMs: 0, ...behaviour };
  const capture = await startCapture(store, answer);
  const port = await freePort();
  const driverPort = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tallymark-${worker.name}-`));
  writeConfig(dir, worker, {
    port,
    captureAddress: captureAddress ?? `127.0.0.1:${capture.port}`,
    driverPort,
    withAnalytics,
    bindings,
    extensionModules,
    v8Flags,
  });
  const stdoutFile = stdoutToFile ? path.join(dir, 'stdout.log') : null;
  const stdoutFd = stdoutFile === null ? null : fs.openSync(stdoutFile, 'w');
  let child;
  try {
    child = spawn(workerdBin, ['serve', 'config.capnp', '--experimental', ...(verbose ? ['--verbose'] : [])], {
      cwd: dir,
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    });
  } finally {
    // workerd holds the file open; this process needs it no longer.
    if (stdoutFd !== null) fs.closeSync(stdoutFd);
  }
  const stdout = [];
  const stderr = [];
  // Both streams, never reset: what the panic check reads.
  const output = [];
  let panicsSeen = 0;
  // With `stdoutToFile`: where the file stood at the last `reset`.
  let stdoutFrom = 0;
  if (stdoutFile === null) collectLines(child.stdout, stdout, output);
  collectLines(child.stderr, stderr, output);
  // 'close' comes after both streams ended, so once stopped every line has been read.
  const closed = once(child, 'close');
  const url = `http://127.0.0.1:${port}`;

  const handle = {
    url,
    pid: child.pid,
    /** Every point captured so far, oldest first. */
    points: capture.points,
    /** How the capture server answers ({ status, delayMs }); a test may change it. */
    capture: answer,
    /** How many requests reached the capture server, whatever it answered (reset clears it). */
    received: () => capture.counts.received,
    /** Lines the worker logged with console.log (workerd's stdout). */
    stdout,
    /** With `stdoutToFile`, the file workerd's stdout goes to while it runs (else null). */
    stdoutFile,
    /** console.warn/error and workerd's own messages (stderr). */
    stderr,
    /** Every line of both streams since workerd started, whatever `reset` cleared. */
    output,
    fetch: (pathname, init) => fetch(url + pathname, init),
    /**
     * Delivers `messages` ([{ id, body, attempts }]) to the worker's queue handler as a batch of
     * `queue`, and returns workerd's report of what the handler acked and retried.
     */
    async deliver(queue, messages) {
      if (!worker.queues) throw new Error(`${worker.name} consumes no queue`);
      const response = await fetch(`http://127.0.0.1:${driverPort}/${encodeURIComponent(queue)}`, {
        method: 'POST',
        body: JSON.stringify(messages),
      });
      if (!response.ok) throw new Error(`queue delivery failed: ${response.status} ${await response.text()}`);
      return response.json();
    },
    /** Waits until at least `count` points arrived (they are posted after the response). */
    async waitForPoints(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (capture.points.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} points, got ${capture.points.length}: ${JSON.stringify(capture.points)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return capture.points.slice(0, count);
    },
    /** Waits long enough for stray points to arrive, for tests that expect none. */
    settle: (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms)),
    /**
     * The lines of workerd's output (stdout and stderr, whatever `reset` cleared) that show a
     * panic and were not taken before; taking them is how a test that causes a panic on purpose
     * keeps the check from failing it.
     */
    takePanics() {
      const panics = output.slice(panicsSeen).filter((line) => PANIC_LINE.test(line));
      panicsSeen = output.length;
      return panics;
    },
    /** Whether the process has ended (and every line of its output has been read). */
    stopped: false,
    /** Forgets what was captured so far. */
    reset() {
      capture.points.length = 0;
      capture.counts.received = 0;
      stdout.length = 0;
      stderr.length = 0;
      if (stdoutFile !== null && !handle.stopped) stdoutFrom = fs.statSync(stdoutFile).size;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      await closed;
      if (handle.stopped) return;
      // Nothing below awaits: a second `stop` waiting on `closed` finds this one done.
      handle.stopped = true;
      try {
        if (stdoutFile !== null) {
          const bytes = fs.readFileSync(stdoutFile);
          for (const line of linesOf(bytes)) output.push(line);
          for (const line of linesOf(bytes.subarray(stdoutFrom))) stdout.push(line);
        }
      } finally {
        capture.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };

  startedWorkers.add(handle);

  // Ready when it answers HTTP.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await handle.stop();
      throw new Error(`workerd exited with ${child.exitCode}:\n${stderr.join('\n')}`);
    }
    try {
      await fetch(url + '/__tallymark_ready');
      break;
    } catch {
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(`workerd did not start:\n${stderr.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  // A worker that records the probe (one that records unmatched routes) writes its points now:
  // waited for, so that they are not taken for a test's.
  if (worker.readyPoints && withAnalytics) await handle.waitForPoints(worker.readyPoints);
  handle.reset();
  return handle;
}

/** The example workers, as the harness runs them. */
export const workers = {
  quickstart: {
    name: 'quickstart',
    buildDir: path.join(root, 'examples', 'quickstart', 'build'),
    datasets: [{ binding: 'EVENTS', dataset: 'quickstart_events' }],
  },
  /** The quickstart built with tallymark's feature `dev-print`. */
  quickstartDevPrint: {
    name: 'quickstart',
    buildDir: path.join(root, 'examples', 'quickstart', 'build-dev-print'),
    datasets: [{ binding: 'EVENTS', dataset: 'quickstart_events' }],
  },
  links: {
    name: 'links',
    buildDir: path.join(root, 'examples', 'links', 'build'),
    datasets: [{ binding: 'LINKS_AE', dataset: 'links_events' }],
    durableObjects: [{ binding: 'LINK_STORE', className: 'LinkStore' }],
  },
  kiloclaw: {
    name: 'kiloclaw',
    buildDir: path.join(root, 'examples', 'kiloclaw', 'build'),
    datasets: [
      { binding: 'KILOCLAW_AE', dataset: 'kiloclaw_events' },
      { binding: 'KILOCLAW_CONTROLLER_AE', dataset: 'kiloclaw_controller_telemetry' },
    ],
    vars: { INTERNAL_API_KEY: 'test-internal-key' },
    durableObjects: [{ binding: 'KILOCLAW_INSTANCE', className: 'KiloClawInstance' }],
    queues: true,
  },
};
