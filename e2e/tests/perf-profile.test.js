// The profile of the load run (lib/perf-profile.js, `load.js --profile`): how perf's stacks are
// read and each sample given to its outermost matching frame. perf itself is not needed here;
// the samples are written as `perf script -F tid,period,ip,sym` prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ISOLATE_GROUPS, attributeSamples, attributionTable, frameName, groupsTable, perfSamples,
} from '../lib/perf-profile.js';

const SCRIPT = `15647     250000 
\t           d3f7c __libc_fork

15647     250000 
\t    7f1c2a3b4c5d workerd::IoContext::now
\t    3a9f00012345 JS:web_time::time::instant::Instant::now::hb79a47f16475a49e-749-liftoff
\t    3a9f00012399 JS:tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env::h3357de556664fb77-219-turbofan
\t    7f1c2a3b0000 workerd::IoContext::runImpl

15647     500000 
\t    3a9f00045678 JS:tallymark::sink::analytics_engine::wire::Wire::push_text::hbd1bb8237ce9f36d-236-turbofan
\t    3a9f00045699 JS:<tallymark::sink::analytics_engine::AnalyticsEngineSink as tallymark::sink::Sink>::write::ha5a5aa1e6f94ec38-187-turbofan
\t    3a9f000456aa JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-liftoff
\t    3a9f000456bb JS:kiloclaw::app::kiloclaw_status::{{closure}}::hdf5160a269f99f96-185-turbofan

15647     250000 
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

test("each sample's period goes to its outermost matching frame, whatever tier ran it", async () => {
  const samples = [];
  for await (const sample of perfSamples(linesOf(SCRIPT))) samples.push(sample);
  assert.equal(samples.length, 4);
  assert.deepEqual(samples[0], { ns: 250_000, frames: ['__libc_fork'] });
  const { total, frames } = await attributeSamples(samples, /tallymark/);
  assert.equal(total, 1_250_000);
  assert.deepEqual([...frames].sort(), [
    // One sample of 500,000 ns (perf sampled more slowly then), one of 250,000.
    ['tallymark::scope::emit_in', 750_000],
    ['tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env', 250_000],
  ]);
});

test('the table gives each frame its CPU time, share and CPU µs per request', async () => {
  const attribution = await attributeSamples(perfSamples(linesOf(SCRIPT)), /tallymark/);
  // Over 10 requests: 750 µs is 75 µs a request.
  assert.equal(attributionTable(attribution, 10), [
    '| outermost matching frame | CPU ms | share of the thread | CPU µs / request |',
    '|---|---|---|---|',
    '| `tallymark::scope::emit_in` | 0.8 | 60.00% | 75.00 |',
    '| `tallymark::sink::analytics_engine::<impl tallymark::scope::Scope>::from_env` | 0.3 | 20.00% | 25.00 |',
    '| every matching frame | 1.0 | 80.00% | 100.00 |',
    '| the thread | 1.3 | 100% | 125.0 |',
  ].join('\n'));
});

// A collection set off inside tallymark, lazy compilation, Liftoff's code running, and a worker's
// function compiled by TurboFan (its name holds `Compile`) running for workerd.
const GROUPED = `15647     100000 
\t    7f1c2a3b4c5d v8::internal::Scavenger::ScavengeObject
\t    7f1c2a3b4c6d v8::internal::Heap::CollectGarbage
\t    3a9f00045678 JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-turbofan

15647     200000 
\t    7f1c2a3b4c5d v8::internal::wasm::CompileLazy
\t    3a9f0000abcd Builtins_WasmCompileLazy
\t    3a9f00045699 JS:kiloclaw::app::kiloclaw_status::{{closure}}::hdf5160a269f99f96-185-liftoff

15647     300000 
\t    3a9f0000abcd Builtins_WasmLiftoffFrameSetup
\t    3a9f00045678 JS:tallymark::scope::emit_in::h7d7c55858cfc5c71-207-liftoff

15647     400000 
\t    3a9f0000beef JS:kiloclaw::routes::CompiledRoutes::matches::h0123456789abcdef-12-turbofan
\t    7f1c2a3b0000 workerd::IoContext::runImpl
`;

test('each sample goes to the first group any of its frames matches: collection, compilation, the pattern, the rest', async () => {
  const attribution = await attributeSamples(perfSamples(linesOf(GROUPED)), /tallymark/, ISOLATE_GROUPS, 'tallymark');
  assert.deepEqual([...attribution.groups], [
    // The collection counts as collection, though tallymark's code set it off...
    ['garbage collection', 100_000],
    ['compilation', 200_000],
    // ...and running code Liftoff or TurboFan compiled is not compiling, whatever its name.
    ['tallymark', 300_000],
    ['the rest', 400_000],
  ]);
  // The frames' table still gives tallymark's frame everything it called, the collection too.
  assert.deepEqual([...attribution.frames], [['tallymark::scope::emit_in', 400_000]]);
  assert.equal(attribution.total, 1_000_000);
});

test("the groups' table gives each round's CPU µs per request, group by group", async () => {
  const attribution = await attributeSamples(perfSamples(linesOf(GROUPED)), /tallymark/, ISOLATE_GROUPS, 'tallymark');
  assert.equal(groupsTable([{ variant: 'on-null', round: 2, requests: 10, attribution }]), [
    '| variant | round | the thread | garbage collection | compilation | tallymark | the rest |',
    '|---|---|---|---|---|---|---|',
    '| on-null | 2 | 100.0 | 10.0 | 20.0 | 30.0 | 40.0 |',
  ].join('\n'));
});
