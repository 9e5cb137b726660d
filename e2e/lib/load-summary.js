// The load run's summary (load.js): each variant's medians over its rounds, and its ratios
// against its baseline, given two ways.
//
// - Of the medians: each variant's median over the rounds, then their quotient. It carries any
//   drift of the host between the rounds into the ratio.
// - Paired: in each round, the variant's figure over its baseline's from the same round (the two
//   ran within one round, so a host that slows down between rounds slows both), then the median
//   of those quotients, an interval for it and their range. This is the method of the benchmarks
//   inside workerd (BENCHMARKS.md, "Inside workerd").
//
// The interval says how far the median of a run's rounds may be from the one more rounds would
// give: rounds of the same builds differ by several percent on a shared host, so a median of a
// few rounds can fall either side of a target that the next run's misses.
//
// Rounds are matched by their number; a round where either variant did not run is left out.

/** The median of `xs` (the mean of the middle two when there is an even number). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The `field` of `variant` in each round, as a Map from round number to value. */
const byRound = (results, variant, field) => new Map(
  results.filter((r) => r.variant === variant).map((r) => [r.round, r[field]]),
);

/**
 * `variant`'s median of `field` over its rounds, rounded to the rounds' own precision of one
 * decimal (the median of an even number of rounds is a mean).
 */
export const medianOf = (results, variant, field) => +median([...byRound(results, variant, field).values()]).toFixed(1);

/** `variant`'s median of `field` over `base`'s, or null when either has no round. */
export const ratioOfMedians = (results, variant, base, field) => {
  const [v, b] = [byRound(results, variant, field), byRound(results, base, field)];
  return v.size === 0 || b.size === 0 ? null : medianOf(results, variant, field) / medianOf(results, base, field);
};

/**
 * `variant`'s `field` over `base`'s in each round both ran: `{ median, interval, min, max,
 * rounds }` (`interval`: {@link medianInterval} at 95%, null under 6 rounds), or null when no
 * round has both.
 */
export const pairedRatio = (results, variant, base, field) => {
  const b = byRound(results, base, field);
  const ratios = [...byRound(results, variant, field)]
    .filter(([round]) => b.has(round))
    .map(([round, value]) => value / b.get(round));
  if (ratios.length === 0) return null;
  return {
    median: median(ratios),
    interval: medianInterval(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    rounds: ratios.length,
  };
};

/**
 * An interval for the median of what `xs` were drawn from, assuming nothing of its shape but that
 * the draws are independent and alike: the k-th smallest and the k-th largest of `xs`, with k as
 * large as keeps the chance that the true median lies outside at most 1 − `confidence`. Of n
 * draws, how many fall below the true median is binomial (n, 1/2), and the interval misses it
 * when fewer than k do, or fewer than k lie above: `{ low, high, coverage }` (`coverage` is the
 * interval's own chance of holding it, at least `confidence`), or null when `xs` are too few for
 * any such k (under 6 at 95%). `confidence` is a probability strictly between 0 and 1.
 */
export function medianInterval(xs, confidence = 0.95) {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence is a probability between 0 and 1, not ${confidence}`);
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  const tailAllowed = (1 - confidence) / 2;
  // P(B < k) for B ~ binomial(n, 1/2), grown one term at a time while it stays allowed; each term,
  // C(n, k) / 2^n, is kept as its logarithm, since 2^-n underflows past n = 1074.
  let logTerm = n * Math.log(0.5);
  let below = 0;
  let k = 0;
  while (k < n / 2 && below + Math.exp(logTerm) <= tailAllowed) {
    below += Math.exp(logTerm);
    k += 1;
    logTerm += Math.log((n - k + 1) / k);
  }
  if (k === 0) return null;
  return { low: sorted[k - 1], high: sorted[n - k], coverage: 1 - 2 * below };
}

const FIELDS = [['rps', 'throughput'], ['p99', 'p99'], ['cpuUsPerRequest', 'CPU']];
const fixed = (x) => x.toFixed(3);

/** A paired ratio as the summary prints it: `median (95%: low–high; range min–max)`. */
const pairedCell = ({ median: m, interval, min, max }) => {
  const within = interval === null ? '95%: too few rounds' : `95%: ${fixed(interval.low)}–${fixed(interval.high)}`;
  return `${fixed(m)} (${within}; range ${fixed(min)}–${fixed(max)})`;
};

/**
 * The summary's two Markdown tables: each variant's medians and ratios of medians, then the
 * paired ratios with their range. `baselineOf(variant)` names the variant it is compared with.
 */
export function summaryTables(results, variants, baselineOf) {
  const lines = [
    '| variant | requests/s (median) | p50 ms | p99 ms | workerd CPU µs / request | against | throughput | p99 | CPU |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const compared = variants.map((v) => [v, baselineOf(v)]).map(([v, base]) => [v, variants.includes(base) && base !== v ? base : null]);
  for (const [v, base] of compared) {
    const ratios = FIELDS.map(([field]) => (base === null ? '-' : fixed(ratioOfMedians(results, v, base, field))));
    const medians = ['rps', 'p50', 'p99', 'cpuUsPerRequest'].map((field) => medianOf(results, v, field));
    lines.push(`| ${v} | ${medians.join(' | ')} | ${base ?? '-'} | ${ratios.join(' | ')} |`);
  }
  const paired = compared.filter(([, base]) => base !== null);
  if (paired.length > 0) {
    lines.push(
      '',
      'Paired: in each round, the variant over its baseline of the same round; the median of those, the',
      "median's 95% interval (distribution-free, from 6 rounds up) and the range.",
      '',
      '| variant | against | rounds | throughput | p99 | CPU |',
      '|---|---|---|---|---|---|',
    );
    for (const [v, base] of paired) {
      const cells = FIELDS.map(([field]) => pairedRatio(results, v, base, field));
      const rounds = cells[0]?.rounds ?? 0;
      const text = cells.map((c) => (c === null ? '-' : pairedCell(c)));
      lines.push(`| ${v} | ${base} | ${rounds} | ${text.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
