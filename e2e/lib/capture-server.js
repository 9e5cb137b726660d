// A capture server in a process of its own, for the load run (scripts/load.sh): it receives the
// points workerd's analyticsEngine bindings post, counts them by dataset, index, user (blob2) and
// route (blob4), and answers `GET /__counts` with what it saw. Run apart from the load generator,
// its event loop never waits behind the requests being sent, and what it counts is what reached it.
//
//   node e2e/lib/capture-server.js [--keep-alive-ms N]   prints {"port": P} once listening
//
// By default every answer closes its connection (`Connection: close`): workerd then never sends a
// point on a connection this side is closing. `--keep-alive-ms N` keeps connections open instead,
// closing one after N ms idle (Node's default is 5,000; 0 never closes them), to reproduce the
// points lost when workerd writes on a connection as it closes (BENCHMARKS.md, "Load").
import http from 'node:http';
import { decodePoint } from './workerd.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

const KEEP_ALIVE = args.includes('--keep-alive-ms');

const counts = {
  // Requests begun, points decoded, bodies that did not decode, requests whose connection closed
  // before the body ended, connections opened, client errors (malformed or reset connections).
  received: 0, points: 0, bad: 0, aborted: 0, connections: 0, clientErrors: 0, byKey: {},
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__counts') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(counts));
    return;
  }
  counts.received += 1;
  if (!KEEP_ALIVE) res.shouldKeepAlive = false;
  const chunks = [];
  let ended = false;
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('close', () => {
    if (!ended) counts.aborted += 1;
  });
  req.on('end', () => {
    ended = true;
    try {
      const point = decodePoint(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const key = [point.dataset, point.index, point.blobs[1] ?? '', point.blobs[3] ?? ''].join('|');
      counts.byKey[key] = (counts.byKey[key] ?? 0) + 1;
      counts.points += 1;
      res.end('ok');
    } catch (error) {
      counts.bad += 1;
      res.statusCode = 400;
      res.end(String(error));
    }
  });
});
server.on('connection', () => {
  counts.connections += 1;
});
server.on('clientError', (_error, socket) => {
  counts.clientErrors += 1;
  socket.destroy();
});
server.keepAliveTimeout = option('--keep-alive-ms', 5000);
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', 4096, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
