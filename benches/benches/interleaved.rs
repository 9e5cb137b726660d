//! The handler benchmark's ratios, measured with the variants interleaved.
//!
//! On a shared virtual machine the speed of the whole machine drifts: for a second or more every
//! call is 30% slower, then fast again. criterion measures one benchmark after another, so two
//! variants can land in different phases and their ratio swings (3 / 2 from 0.79 to 1.48 across
//! the rounds of two runs on 2026-11-28). Here every round times one block of calls of each variant, back to back, so
//! the blocks of a round share the machine's phase; each ratio is taken within a round, and the
//! median over many rounds is reported. The tracing variant uses a global subscriber, as a
//! service would (criterion's variant 4 sets it per benchmark, which costs tracing 1.5% more
//! instructions).
//!
//!   cargo bench -p tallymark-benches --bench interleaved [-- <rounds>] [--json]
//!
//! The default of 20,000 rounds takes about 4 seconds. With `--json`, prints one JSON object (each
//! variant's median and each ratio) instead of tables: `scripts/bench.sh` runs several processes,
//! because where the heap and stack land also moves the figures, by up to 7% from one process to
//! the next.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tallymark::Scope;
use tallymark_benches::*;

/// Calls per timed block: 20–70 µs, long against a clock read, short against the machine's phases.
/// One block of variant 3c runs in one scope, as in the other harnesses.
const CALLS_PER_BLOCK: u64 = CALLS_PER_SCOPE;
/// Rounds run first and not recorded.
const WARM_UP_ROUNDS: usize = 1_000;
const DEFAULT_ROUNDS: usize = 20_000;

/// One handler variant: its label, and a function that times one block of its calls.
struct Variant {
    label: &'static str,
    time_block: fn() -> Duration,
}

const VARIANTS: [Variant; 6] = [
    Variant {
        label: "2",
        time_block: || time_calls(call_hand_written),
    },
    Variant {
        label: "2c",
        time_block: || {
            // As 3c: the invocation's start is read before its calls run.
            let started = tallymark::clock::now();
            time_calls(|| call_hand_written_since(started))
        },
    },
    Variant {
        label: "3",
        time_block: || time_calls(call_instrumented),
    },
    Variant {
        label: "3c",
        time_block: || {
            // As in criterion's 3c: the invocation's scope exists before its calls run.
            let scope = Scope::new(&SINK);
            time_calls(|| call_instrumented_in(&scope))
        },
    },
    Variant {
        label: "3b",
        time_block: || time_calls(call_instrumented_in_new_scope),
    },
    Variant {
        label: "4",
        time_block: || time_calls(call_traced),
    },
];

/// The ratios reported: (numerator, denominator, target).
const RATIOS: [(&str, &str, &str); 7] = [
    ("3", "2", "≤ 1.15"),
    ("3c", "2c", ""),
    ("3c", "2", ""),
    ("3b", "2", ""),
    ("4", "3", "≥ 3"),
    ("4", "3c", ""),
    ("4", "2", "the ceiling"),
];

/// Times [`CALLS_PER_BLOCK`] calls of `call`.
fn time_calls<T>(mut call: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..CALLS_PER_BLOCK {
        black_box(call());
    }
    started.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the rounds to run.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let json = args.iter().any(|arg| arg == "--json");
    tallymark::set_global_sink(&SINK);
    tracing::subscriber::set_global_default(collecting_subscriber()).expect("the only subscriber");

    // ns per call of each variant, one entry per recorded round.
    let mut per_call: Vec<Vec<f64>> = VARIANTS
        .iter()
        .map(|_| Vec::with_capacity(rounds))
        .collect();
    for round in 0..WARM_UP_ROUNDS + rounds {
        // Rotated each round, so no variant always follows the same one.
        for k in 0..VARIANTS.len() {
            let v = (round + k) % VARIANTS.len();
            let elapsed = (VARIANTS[v].time_block)();
            if round >= WARM_UP_ROUNDS {
                per_call[v].push(elapsed.as_nanos() as f64 / CALLS_PER_BLOCK as f64);
            }
        }
    }
    let variants = VARIANTS
        .iter()
        .zip(&per_call)
        .map(|(variant, ns)| (variant.label.to_owned(), quartiles(ns.clone())));
    let ratios = RATIOS.iter().map(|(numerator, denominator, _)| {
        let ratios = samples(&per_call, numerator)
            .iter()
            .zip(samples(&per_call, denominator))
            .map(|(n, d)| n / d)
            .collect();
        (format!("{numerator} / {denominator}"), quartiles(ratios))
    });
    if json {
        let figures: Vec<String> = variants
            .map(|(label, [_, median, _])| format!("\"{label} (ns)\":{median}"))
            .chain(ratios.map(|(label, [_, median, _])| format!("\"{label}\":{median}")))
            .collect();
        println!("{{{}}}", figures.join(","));
        return;
    }
    println!("## Interleaved: {rounds} rounds of {CALLS_PER_BLOCK} calls per variant\n");
    println!("| variant | median ns per call | quartiles |\n|---|---|---|");
    for (label, [q1, median, q3]) in variants {
        println!("| {label} | {median:.1} | {q1:.1}–{q3:.1} |");
    }
    println!(
        "\n| ratio (each within one round) | median | quartiles | target |\n|---|---|---|---|"
    );
    for ((label, [q1, median, q3]), (_, _, target)) in ratios.zip(RATIOS) {
        println!("| {label} | **{median:.3}** | {q1:.3}–{q3:.3} | {target} |");
    }
}

/// The per-round figures of the variant labelled `label`.
fn samples<'a>(per_call: &'a [Vec<f64>], label: &str) -> &'a [f64] {
    let v = VARIANTS.iter().position(|v| v.label == label);
    &per_call[v.expect("a variant the ratios name")]
}

/// The first quartile, the median and the third quartile of `values`.
fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    [1, 2, 3].map(|q| values[(values.len() - 1) * q / 4])
}
