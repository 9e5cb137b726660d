// The main job: examples/kiloclaw in workerd on 127.0.0.1, its Analytics Engine points captured
// into a local store, a short scenario replayed, and the points printed by field name.
import fs from 'node:fs';
import path from 'node:path';
import { root, startWorker, workers } from './lib/workerd.js';

const storeDir = path.join(root, '.tallymark');
const store = path.join(storeDir, 'points.jsonl');
fs.mkdirSync(storeDir, { recursive: true });
fs.rmSync(store, { force: true });

const worker = await startWorker(workers.kiloclaw, { store });
const key = workers.kiloclaw.vars.INTERNAL_API_KEY;
const user = 'user-1';

async function step(title, run) {
  const response = await run();
  console.log(`  ${String(response.status).padEnd(4)} ${title}`);
}
const admin = (method, p, headers = {}) =>
  worker.fetch(p, { method, headers: { authorization: `Bearer ${user}`, ...headers } });
const platform = (method, p, body) =>
  worker.fetch(p, { method, headers: { 'x-internal-api-key': key }, body: body && JSON.stringify(body) });
const fake = (p, body) => worker.fetch(`/__fake/${p}?userId=${user}`, { method: 'POST', body: JSON.stringify(body) });

try {
  const schema = await (await worker.fetch('/__tallymark/schema')).json();
  console.log(`workerd ${worker.url} (pid ${worker.pid}); dataset ${schema.dataset}, binding ${schema.binding}\n`);
  console.log('scenario:');
  await step('GET  /api/kiloclaw/status', () => admin('GET', '/api/kiloclaw/status'));
  await step('GET  /api/admin/storage (always 410)', () => admin('GET', '/api/admin/storage'));
  await step('POST /api/admin/machine/restart (upstream throws)', () =>
    admin('POST', '/api/admin/machine/restart', { 'x-fake-failure': 'throw' }));
  await step('GET  /api/kiloclaw/status without a token (rejected, not recorded)', () =>
    worker.fetch('/api/kiloclaw/status'));
  await step('GET  /api/platform/versions (no user, success: not recorded)', () => platform('GET', '/api/platform/versions'));
  await step('POST /api/platform/provision', () => platform('POST', '/api/platform/provision', { userId: user }));
  await step('POST /api/platform/start', () => platform('POST', '/api/platform/start', { userId: user }));
  await step('POST /api/platform/stop', () => platform('POST', '/api/platform/stop', { userId: user }));
  await step('reconcile alarm: Fly reports the machine started', () => fake('alarm', {}));
  await step('POST /api/platform/destroy (the volume delete fails once)', async () => {
    await fake('fly', { deleteVolume: [{ error: 'volume busy' }] });
    return platform('POST', '/api/platform/destroy', { userId: user });
  });
  await step('reconcile alarm: the destroy completes', () => fake('alarm', {}));

  await worker.waitForPoints(14);
  await worker.settle(300);

  const fields = schema.fields;
  const rows = worker.points.map((point) =>
    fields.map((field) => {
      const [kind, slot] = [field.column?.replace(/\d+$/, ''), Number(field.column?.match(/\d+$/)?.[0])];
      if (kind === 'blob') return point.blobs[slot - 1] ?? '';
      if (kind === 'double') return String(Math.round(point.doubles[slot - 1] * 100) / 100);
      return point.index;
    }),
  );
  // Only the columns some point filled, so the table fits a terminal.
  const used = fields.map((_, i) => rows.some((row) => row[i] !== '' && row[i] !== '0'));
  const header = fields.filter((_, i) => used[i]).map((f) => `${f.name} (${f.column ?? 'index'})`);
  const body = rows.map((row) => row.filter((_, i) => used[i]));
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...body.map((r) => r[i].length))));
  const line = (cells) => cells.map((c, i) => c.slice(0, widths[i]).padEnd(widths[i])).join('  ');
  console.log(`\n${worker.points.length} data points captured (stored in ${path.relative(process.cwd(), store)}):\n`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) console.log(line(row));
  // The reconcile lines and the Durable Object's lifecycle lines, in the order written.
  const ours = (l) => l.startsWith('{"tag":"reconcile"') || l.startsWith('{"tag":"kiloclaw_do"');
  const lines = worker.stdout.filter(ours);
  console.log(`\nconsole lines (reconcile and lifecycle):\n${lines.map((l) => `  ${l}`).join('\n')}`);
} finally {
  await worker.stop();
}
