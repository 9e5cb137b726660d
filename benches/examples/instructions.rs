//! Runs one variant of the handler benchmark `n` times, for counting instructions under
//! valgrind's callgrind (`scripts/bench.sh` does it): unlike time on a shared machine, the count
//! is the same on every run.
//!
//!   cargo run --release -p tallymark-benches --example instructions -- <variant> <n>
//!
//! Variants: `hand-written`, `instrumented`, `instrumented-in-scope` (200 calls per scope, as
//! handlers inside running invocations; the scopes are made between calls, so a run of 11,000
//! calls minus one of 1,000 counts 50 scopes made), `instrumented-scope-per-call`,
//! `tracing-collecting`.

use std::hint::black_box;
use tallymark_benches::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(variant), Some(Ok(n))) = (args.next(), args.next().map(|n| n.parse::<u64>())) else {
        eprintln!("usage: instructions <variant> <n>");
        std::process::exit(2);
    };
    tallymark::set_global_sink(&SINK);
    if variant == "instrumented-in-scope" {
        // As `3c` in the criterion benchmark: each call enters its running invocation's scope;
        // the scopes are made between calls.
        return in_running_scopes(n, |scope, calls| {
            for _ in 0..calls {
                let _ = black_box(call_instrumented_in(scope));
            }
        });
    }
    if variant == "hand-written-in-scope" {
        // As `2c`: one clock read per call, timed from a start read before every 200 calls.
        return in_running_scopes(n, |_, calls| {
            let started = tallymark::clock::now();
            for _ in 0..calls {
                let _ = black_box(call_hand_written_since(started));
            }
        });
    }
    let call: fn() -> Result<Response, Error> = match variant.as_str() {
        "hand-written" => call_hand_written,
        "instrumented" => call_instrumented,
        "instrumented-scope-per-call" => call_instrumented_in_new_scope,
        "tracing-collecting" => {
            tracing::subscriber::set_global_default(collecting_subscriber())
                .expect("the only subscriber");
            call_traced
        }
        _ => {
            eprintln!("unknown variant {variant}");
            std::process::exit(2);
        }
    };
    for _ in 0..n {
        let _ = black_box(call());
    }
}
