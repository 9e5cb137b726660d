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
use tallymark::Scope;
use tallymark_benches::*;
use tracing_subscriber::layer::SubscriberExt;

static SINK: ReusableSink = ReusableSink::new();

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(variant), Some(Ok(n))) = (args.next(), args.next().map(|n| n.parse::<u64>())) else {
        eprintln!("usage: instructions <variant> <n>");
        std::process::exit(2);
    };
    tallymark::set_global_sink(&SINK);
    if variant == "instrumented-in-scope" {
        return in_running_scopes(n);
    }
    let call: fn() = match variant.as_str() {
        "hand-written" => || {
            let _ = black_box(run(hand_written(black_box(USER), &SINK)));
        },
        "instrumented" => || {
            let _ = black_box(run(instrumented(black_box(USER))));
        },
        "instrumented-scope-per-call" => || {
            let scope = Scope::new(&SINK);
            let _ = black_box(run(scope.run(instrumented(black_box(USER)))));
        },
        "tracing-collecting" => {
            let subscriber = tracing_subscriber::registry().with(CollectLayer);
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            || {
                let _ = black_box(run(traced(black_box(USER))));
            }
        }
        _ => {
            eprintln!("unknown variant {variant}");
            std::process::exit(2);
        }
    };
    for _ in 0..n {
        call();
    }
}

/// `n` calls in scopes of 200 calls each, as `3c` in the criterion benchmark: each call enters
/// its running invocation's scope, the scopes are made between calls.
fn in_running_scopes(n: u64) {
    let mut remaining = n;
    while remaining > 0 {
        let calls = remaining.min(200);
        let scope = Scope::new(&SINK);
        for _ in 0..calls {
            let _ = black_box(run(scope.run(instrumented(black_box(USER)))));
        }
        remaining -= calls;
    }
}
