// The load run's summary (load.js): each variant's medians over its rounds, and its ratios
// against its baseline, given two ways.
//
// - Of the medians: each variant's median over the rounds, then their quotient. It carries any
//   drift of the host between the rounds into the ratio.
// - Paired: in each round, the variant's figure over its baseline's from the same round (the two
//   ran within one round, so a host that slows down between rounds slows both), then the median
//   of those quotients and their range. This is the method of the benchmarks inside workerd (BENCHMARKS.md, "Inside workerd").
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
 * `variant`'s `field` over `base`'s in each round both ran: `{ median, min, max, rounds }`, or
 * null when no round has both.
 */
export const pairedRatio = (results, variant, base, field) => {
  const b = byRound(results, base, field);
  const ratios = [...byRound(results, variant, field)]
    .filter(([round]) => b.has(round))
    .map(([round, value]) => value / b.get(round));
  if (ratios.length === 0) return null;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
};

const FIELDS = [['rps', 'throughput'], ['p99', 'p99'], ['cpuUsPerRequest', 'CPU']];
const fixed = (x) => x.toFixed(3);

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
      'Paired: in each round, the variant over its baseline of the same round; the median of those, and their range.',
      '',
      '| variant | against | rounds | throughput | p99 | CPU |',
      '|---|---|---|---|---|---|',
    );
    for (const [v, base] of paired) {
      const cells = FIELDS.map(([field]) => pairedRatio(results, v, base, field));
      const rounds = cells[0]?.rounds ?? 0;
      const text = cells.map((c) => (c === null ? '-' : `${fixed(c.median)} (${fixed(c.min)}–${fixed(c.max)})`));
      lines.push(`| ${v} | ${base} | ${rounds} | ${text.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
