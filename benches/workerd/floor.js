// The floor of the workerd benchmark (scripts/bench-workerd.sh): the benchmark worker in plain
// JavaScript, writing the same points with `writeDataPoint` and nothing in between. See src/lib.rs
// for the points.
const ROUTE = /^\/write\/(\d+)$/;

export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    const match = ROUTE.exec(url.pathname);
    if (!match) return new Response('Not Found', { status: 404 });
    const count = Number(match[1]);
    const user = url.searchParams.get('user') ?? '';
    const region = url.searchParams.get('region') ?? '';
    const plan = url.searchParams.get('plan') ?? '';
    const vary = url.searchParams.get('vary') === '1';
    const dataset = env.BENCH_AE;
    if (url.searchParams.get('calls') === '1') {
      // Each point as its own invocation writes it (JavaScript has nothing more to set up).
      for (let call = 0; call < count; call++) {
        const callStarted = Date.now();
        dataset.writeDataPoint({
          indexes: [user],
          blobs: ['call.get', user, 'GET /call', '', region, plan],
          doubles: [Date.now() - callStarted, 0],
        });
      }
      return new Response(`ok ${count}`);
    }
    for (let item = 1; item < count; item++) {
      const route = vary ? `/items/${item}` : '';
      dataset.writeDataPoint({ indexes: [user], blobs: ['bench.item_written', user, route, '', region, plan], doubles: [0, item] });
    }
    const response = new Response(`ok ${count}`);
    dataset.writeDataPoint({
      indexes: [user],
      blobs: ['write.get', user, 'GET /write/:count', '', region, plan],
      doubles: [Date.now() - started, 0],
    });
    return response;
  },
};
