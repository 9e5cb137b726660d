// The load run's summary (lib/load-summary.js): medians, ratios of medians, and ratios paired
// round by round, on results shaped as load.js records them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  median, medianInterval, medianOf, pairedRatio, ratioOfMedians, summaryTables,
} from '../lib/load-summary.js';

// Three rounds; the host is twice as slow in round 3, for both variants. In each round `on` does
// 0.96 of `off`'s requests a second and takes 1.02 of its p99.
const round = (n, variant, rps, p99, cpu) => ({ round: n, variant, rps, p50: p99 / 2, p99, cpuUsPerRequest: cpu });
const RESULTS = [
  round(1, 'off', 2000, 10, 400), round(1, 'on', 1920, 10.2, 416),
  round(2, 'on', 1824, 10.2, 416), round(2, 'off', 1900, 10, 400),
  round(3, 'off', 1000, 20, 800), round(3, 'on', 960, 20.4, 832),
];

test('the median of an odd count is the middle value, of an even count the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test("a variant's median is rounded to one decimal, as the rounds report theirs", () => {
  assert.equal(medianOf(RESULTS, 'on', 'rps'), 1824);
  assert.equal(medianOf([round(1, 'on', 665.9, 1, 1), round(2, 'on', 666, 1, 1)], 'on', 'rps'), 666);
});

test("the ratio of medians carries the host's drift between rounds; the paired ratio does not", () => {
  // Medians: on 1824 (round 2), off 1900 (round 2): 0.96, as every round's own ratio is.
  assert.equal(ratioOfMedians(RESULTS, 'on', 'off', 'rps'), 1824 / 1900);
  assert.deepEqual(pairedRatio(RESULTS, 'on', 'off', 'rps'), { median: 0.96, interval: null, min: 0.96, max: 0.96, rounds: 3 });
  const drifted = RESULTS.map((r) => (r.round === 1 && r.variant === 'on' ? { ...r, rps: 960 } : r));
  // The host slowed down for `on` alone in round 1: `on`'s median falls to 960 (round 3, when
  // both were slow), so the ratio of medians halves; two rounds of three still pair at 0.96.
  assert.equal(ratioOfMedians(drifted, 'on', 'off', 'rps'), 960 / 1900);
  assert.deepEqual(pairedRatio(drifted, 'on', 'off', 'rps'), { median: 0.96, interval: null, min: 0.48, max: 0.96, rounds: 3 });
});

test('a round in which one of the pair did not run is left out of the paired ratio', () => {
  const partial = RESULTS.filter((r) => !(r.round === 3 && r.variant === 'off'));
  assert.equal(pairedRatio(partial, 'on', 'off', 'p99').rounds, 2);
  assert.equal(pairedRatio(partial, 'on', 'missing', 'p99'), null);
  assert.equal(ratioOfMedians(partial, 'on', 'missing', 'p99'), null);
});

test('the summary prints both tables; the baseline is compared with nothing', () => {
  assert.equal(summaryTables(RESULTS, ['off', 'on'], () => 'off'), [
    '| variant | requests/s (median) | p50 ms | p99 ms | workerd CPU µs / request | against | throughput | p99 | CPU |',
    '|---|---|---|---|---|---|---|---|---|',
    '| off | 1900 | 5 | 10 | 400 | - | - | - | - |',
    '| on | 1824 | 5.1 | 10.2 | 416 | off | 0.960 | 1.020 | 1.040 |',
    '',
    'Paired: in each round, the variant over its baseline of the same round; the median of those, the',
    "median's 95% interval (distribution-free, from 6 rounds up) and the range.",
    '',
    '| variant | against | rounds | throughput | p99 | CPU |',
    '|---|---|---|---|---|---|',
    '| on | off | 3 | 0.960 (95%: too few rounds; range 0.960–0.960) | 1.020 (95%: too few rounds; range 1.020–1.020) | 1.040 (95%: too few rounds; range 1.040–1.040) |',
  ].join('\n'));
});

test('without its baseline in the run, a variant gets no ratio and no paired row', () => {
  assert.equal(summaryTables(RESULTS, ['on'], () => 'off'), [
    '| variant | requests/s (median) | p50 ms | p99 ms | workerd CPU µs / request | against | throughput | p99 | CPU |',
    '|---|---|---|---|---|---|---|---|---|',
    '| on | 1824 | 5.1 | 10.2 | 416 | - | - | - | - |',
  ].join('\n'));
});

test("the median's interval is the k-th value from each end, with k as the binomial tail allows", () => {
  const ranks = (n) => Array.from({ length: n }, (_, i) => n - i);
  // Under 6 draws even the whole range misses the median more often than 1 time in 20.
  assert.equal(medianInterval(ranks(5)), null);
  // 6 and 7: the range itself, 1 − 2/2^n.
  assert.deepEqual(medianInterval(ranks(6)), { low: 1, high: 6, coverage: 1 - 2 / 64 });
  assert.deepEqual(medianInterval(ranks(7)), { low: 1, high: 7, coverage: 1 - 2 / 128 });
  // 21: the 6th from each end, since P(B ≤ 5) = 0.0133 and P(B ≤ 6) = 0.0392 for B ~ binomial(21, 1/2).
  const { low, high, coverage } = medianInterval(ranks(21));
  assert.deepEqual([low, high, +coverage.toFixed(4)], [6, 16, 0.9734]);
  // 100: the 40th to the 61st, as tables of the median's confidence interval give.
  assert.deepEqual([medianInterval(ranks(100)).low, medianInterval(ranks(100)).high], [40, 61]);
  // At 80% fewer draws suffice.
  assert.deepEqual(medianInterval(ranks(5), 0.8), { low: 1, high: 5, coverage: 1 - 2 / 32 });
  // Past 1,074 draws 2^-n is no double: the interval of 2,000 is still near the middle, about
  // 1.96 standard deviations (√2000 / 2 = 22.4) from it: the 956th to the 1,045th.
  assert.deepEqual([medianInterval(ranks(2000)).low, medianInterval(ranks(2000)).high], [956, 1045]);
  assert.throws(() => medianInterval(ranks(21), 1), RangeError);
  assert.throws(() => medianInterval(ranks(21), 0), RangeError);
});

test('with 6 rounds or more the paired cell gives the interval of its median', () => {
  const rounds = [0.9, 0.95, 0.96, 0.97, 0.98, 1.1].flatMap((r, i) => [
    round(i + 1, 'off', 1000, 10, 100), round(i + 1, 'on', 1000 * r, 10, 100),
  ]);
  const paired = summaryTables(rounds, ['off', 'on'], () => 'off').split('\n').at(-1);
  assert.equal(paired, '| on | off | 6 | 0.965 (95%: 0.900–1.100; range 0.900–1.100) | 1.000 (95%: 1.000–1.000; range 1.000–1.000) | 1.000 (95%: 1.000–1.000; range 1.000–1.000) |');
});
