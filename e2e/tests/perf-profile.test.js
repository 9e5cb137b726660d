// The profile of the load run (lib/perf-profile.js, `load.js --profile`): how perf's stacks are
// read and each sample given to its outermost matching frame. perf itself is not needed here;
// the samples are written as `perf script -F tid,ip,sym` prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeStacks, attributionTable, frameName, perfStacks } from '../lib/perf-profile.js';

const SCRIPT = `18307 
\t           d3f7c __libc_fork

18307 
\t    7f1c2a3b4c5d workerd::IoContext::now
\t    3a9f00012345 JS:web_time::time::instant::Instant::now::hb79a47f16475a49e-749-liftoff
\t    3a9f00012399 JS:tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env::h3357de556664fb77-219-turbofan
\t    7f1c2a3b0000 workerd::IoContext::runImpl

18307 
\t    3a9f00045678 JS:tallymark::sink::analytics_engine::wire::Wire::push_text::hbd1bb8237ce9f36d-236-turbofan
\t    3a9f00045699 JS:<tallymark::sink::analytics_engine::AnalyticsEngineSink as tallymark::sink::Sink>::write::ha5a5aa1e6f94ec38-187-turbofan
\t    3a9f000456aa JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-liftoff
\t    3a9f000456bb JS:kiloclaw::app::kiloclaw_status::{{closure}}::hdf5160a269f99f96-185-turbofan

18307 
\t    3a9f00045678 JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-turbofan
`;

async function* linesOf(text) {
  yield* text.split('\n');
}

test("a frame's name drops V8's marks, the symbol's hash and the function's index and tier", () => {
  assert.equal(
    frameName('JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-turbofan'),
    'tallymark::scope::emit_in',
  );
  assert.equal(frameName("JS:*'__wbg_tallymarkWriteDataPoint_0c52829be5583225 index.js:1:22114"),
    '__wbg_tallymarkWriteDataPoint_0c52829be5583225 index.js:1:22114');
  assert.equal(frameName('workerd::IoContext::now'), 'workerd::IoContext::now');
});

test('each sample goes to its outermost matching frame, whatever tier ran it', async () => {
  const stacks = [];
  for await (const stack of perfStacks(linesOf(SCRIPT))) stacks.push(stack);
  assert.equal(stacks.length, 4);
  assert.deepEqual(stacks[0], ['__libc_fork']);
  const { total, frames } = await attributeStacks(stacks, /tallymark/);
  assert.equal(total, 4);
  assert.deepEqual([...frames].sort(), [
    ['tallymark::scope::emit_in', 2],
    ['tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env', 1],
  ]);
});

test('the table gives each frame its samples, share and CPU µs per request', async () => {
  const attribution = await attributeStacks(perfStacks(linesOf(SCRIPT)), /tallymark/);
  // 4,000 samples a second: a sample is 250 µs, over 10 requests 25 µs each.
  assert.equal(attributionTable(attribution, 10), [
    '| outermost matching frame | samples | share of the thread | CPU µs / request |',
    '|---|---|---|---|',
    '| `tallymark::scope::emit_in` | 2 | 50.00% | 50.00 |',
    '| `tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env` | 1 | 25.00% | 25.00 |',
    '| every matching frame | 3 | 75.00% | 75.00 |',
    '| the thread | 4 | 100% | 100.0 |',
  ].join('\n'));
});
