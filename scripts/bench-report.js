// Reads criterion's results for scripts/bench.sh.
//   record <criterion dir> <since>  prints one JSON line: the median (ns) of every benchmark run
//                                  after <since> (ms since the epoch)
//   summary <rounds file>   prints each round's medians and ratios, then their medians
//   interleaved <file>      prints the figures of each run of the interleaved benchmark (one JSON
//                           object per line), then their medians
'use strict';
const fs = require('fs');
const path = require('path');

// The ratios the targets are stated in (issue 6): [label, numerator, denominator].
const RATIOS = [
  ['3 / 2 (target ≤ 1.15)', 'handler/3 instrumented', 'handler/2 hand-written'],
  ['3b / 2', 'handler/3b instrumented, a scope per call', 'handler/2 hand-written'],
  ['3c / 2', "handler/3c instrumented, in a running invocation's scope", 'handler/2 hand-written'],
  ['4 / 3 (target ≥ 3)', 'handler/4 tracing instrument(err), collecting layer', 'handler/3 instrumented'],
  ['4 / 3c', 'handler/4 tracing instrument(err), collecting layer', "handler/3c instrumented, in a running invocation's scope"],
  ['4 / 2 (the most any code that does what 2 does can reach)', 'handler/4 tracing instrument(err), collecting layer', 'handler/2 hand-written'],
  ['5 / 3', 'handler/5 tracing instrument(err), JSON to io::sink', 'handler/3 instrumented'],
  ['typed reconcile / hand-written', 'reconcile event/typed event (console line + point)', 'reconcile event/hand-written serde_json line + point'],
];

function record(dir, since) {
  const medians = {};
  for (const group of fs.readdirSync(dir)) {
    const groupDir = path.join(dir, group);
    if (!fs.statSync(groupDir).isDirectory() || group === 'report') continue;
    for (const bench of fs.readdirSync(groupDir)) {
      const run = path.join(groupDir, bench, 'new');
      const estimates = path.join(run, 'estimates.json');
      if (!fs.existsSync(estimates) || fs.statSync(estimates).mtimeMs < since) continue;
      const { full_id: id } = JSON.parse(fs.readFileSync(path.join(run, 'benchmark.json')));
      medians[id] = JSON.parse(fs.readFileSync(estimates)).median.point_estimate;
    }
  }
  console.log(JSON.stringify(medians));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const readLines = (file) =>
  fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const header = (cells) => `| ${cells.join(' | ')} |\n|${cells.map(() => '---').join('|')}|`;

function summary(file) {
  const rounds = readLines(file);
  const ids = Object.keys(rounds[0]).sort();
  const names = rounds.map((_, i) => `round ${i + 1}`);
  console.log(`## Medians (ns)\n\n${header(['benchmark', ...names, 'median'])}`);
  for (const id of ids) {
    const values = rounds.map((round) => round[id]);
    console.log(`| ${id} | ${values.map((v) => v.toFixed(1)).join(' | ')} | ${median(values).toFixed(1)} |`);
  }
  console.log(`\n## Ratios (each from one round)\n\n${header(['ratio', ...names, 'median'])}`);
  for (const [label, numerator, denominator] of RATIOS) {
    if (!(numerator in rounds[0] && denominator in rounds[0])) continue;
    const values = rounds.map((round) => round[numerator] / round[denominator]);
    console.log(`| ${label} | ${values.map((v) => v.toFixed(2)).join(' | ')} | **${median(values).toFixed(2)}** |`);
  }
}

// Each figure of every run (ns per call, or a ratio), and its median over the runs.
function interleaved(file) {
  const runs = readLines(file);
  const names = runs.map((_, i) => `run ${i + 1}`);
  const format = (value) => (value < 10 ? value.toFixed(3) : value.toFixed(1));
  console.log(`## Interleaved (each figure is a median over one run's rounds)\n`);
  console.log(header(['figure', ...names, 'median']));
  for (const id of Object.keys(runs[0])) {
    const values = runs.map((run) => run[id]);
    const cells = [...values.map(format), `**${format(median(values))}**`];
    console.log(`| ${id} | ${cells.join(' | ')} |`);
  }
}

const [command, arg, since] = process.argv.slice(2);
if (command === 'record') record(arg, Number(since));
else if (command === 'summary') summary(arg);
else if (command === 'interleaved') interleaved(arg);
else {
  console.error(
    'usage: bench-report.js record <criterion dir> <since> | summary <rounds file> | interleaved <file>',
  );
  process.exit(2);
}
