//! With the `off` feature, emitting compiles to nothing: no sink sees a point.
//! Run with `cargo test -p tallymark --features off,events --test off`.
#![cfg(feature = "off")]

use tallymark::sink::MemorySink;
use tallymark::Scope;

#[tallymark::layout(dataset = "d", binding = "B")]
struct Event {
    #[index]
    event: String,
    #[double(1)]
    n: f64,
}

#[test]
fn emitting_writes_nothing() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    scope.run_sync(|| Event::point().event("e").n(1).emit());
    assert!(sink.is_empty());
    assert_eq!(scope.stats(), tallymark::Stats::default());
}

#[tallymark::instrumented(Event, route = "GET /api/things", fields(n = 2))]
fn handler(id: u32) -> Result<u32, String> {
    tallymark::record!(event = id.to_string());
    if id == 0 {
        return Err("zero".into());
    }
    Ok(id)
}

#[test]
fn instrumented_functions_run_unchanged_and_write_nothing() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        assert_eq!(handler(3), Ok(3));
        assert_eq!(handler(0), Err("zero".into()));
    });
    assert!(sink.is_empty());
}

#[test]
fn the_schema_is_still_there() {
    use tallymark::Layout;
    assert_eq!(Event::SCHEMA.dataset(), "d");
    assert_eq!(Event::SCHEMA.fields().len(), 2);
}

// --- Nothing the attributes name is evaluated -------------------------------------------------------

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many times an expression given to an attribute or to `record` was evaluated.
static EVALUATED: AtomicUsize = AtomicUsize::new(0);

fn counted<T>(value: T) -> T {
    EVALUATED.fetch_add(1, Ordering::SeqCst);
    value
}

fn always(_: &EventPoint<'_>) -> bool {
    counted(true)
}

#[tallymark::instrumented(Event, event = "counted", emit_if = always, fields(n = counted(2.0)))]
fn counted_handler(id: u32) -> u32 {
    tallymark::record!(event = counted(id.to_string()));
    Event::record(|point| {
        point.n(counted(3.0));
    });
    id + 1
}

/// Rules written as closures get their types from the attribute under `off` too, so they compile.
#[tallymark::instrumented(Event, event = "closures",
    emit_if = |point| point.get_event() != "hidden",
    enrich = |point| { point.n(counted(1.0)); },
    ok_if = |result: &Result<u8, String>| result.is_ok(),
    error_if = |result: &Result<u8, String>| counted(result.is_err()))]
fn with_closures(fail: bool) -> Result<u8, String> {
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

#[test]
fn no_field_value_rule_or_record_is_evaluated() {
    assert_eq!(with_closures(false), Ok(1));
    assert_eq!(with_closures(true), Err("failed".into()));
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    assert_eq!(scope.run_sync(|| counted_handler(1)), 2);
    assert_eq!(EVALUATED.load(Ordering::SeqCst), 0);
    assert!(sink.is_empty());
    assert_eq!(
        scope.stats(),
        tallymark::Stats::default(),
        "not even counted"
    );
}

#[cfg(feature = "events")]
mod steps {
    use super::{counted, Event, EVALUATED};
    use std::cell::RefCell;
    use std::sync::atomic::Ordering;
    use tallymark::events::Reconcile;
    use tallymark::sink::{MemoryLines, MemorySink};
    use tallymark::Scope;

    #[derive(Default, tallymark::events::Dimensions)]
    #[tallymark(layout = Event)]
    struct State {
        #[tallymark(to = event)]
        name: Option<String>,
    }

    struct Machine {
        state: RefCell<State>,
    }

    impl Machine {
        #[tallymark::events::lifecycle_event(Event, event = "started", state = counted(self.state.borrow()), fields(n = counted(1.0)))]
        fn start(&self) -> Result<u8, String> {
            Ok(1)
        }

        #[tallymark::events::reconcile_event(Event, action = "sweep", context = pass, fields(n = counted(2.0)))]
        fn sweep(&self, pass: &Reconcile<'_, State>) -> u8 {
            2
        }
    }

    #[test]
    fn step_attributes_return_the_method_unchanged() {
        let machine = Machine {
            state: RefCell::new(State::default()),
        };
        let (sink, lines) = (MemorySink::new(), MemoryLines::new());
        let scope = Scope::new(sink.clone()).with_lines(lines.clone());
        scope.run_sync(|| {
            assert_eq!(machine.start(), Ok(1));
            let pass = Reconcile::new("alarm", &machine.state);
            assert_eq!(machine.sweep(&pass), 2);
        });
        assert_eq!(EVALUATED.load(Ordering::SeqCst), 0);
        assert!(sink.is_empty());
        assert!(lines.lines().is_empty());
    }
}

// --- What a Worker calls by hand ends without building its point -----------------------------------

/// How many times a hand-made call's enricher or emit rule ran.
static CALL_HOOKS_RUN: AtomicUsize = AtomicUsize::new(0);

fn enrich_counted(_: &mut EventPoint<'_>) {
    CALL_HOOKS_RUN.fetch_add(1, Ordering::SeqCst);
}

fn rule_counted(_: &EventPoint<'_>) -> bool {
    CALL_HOOKS_RUN.fetch_add(1, Ordering::SeqCst);
    true
}

#[test]
fn a_call_made_by_hand_runs_no_enricher_or_rule_and_writes_nothing() {
    use tallymark::{Call, Outcome};
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    scope.run_sync(|| {
        Call::<Event>::http("GET", "/things/1")
            .emit_if(rule_counted)
            .enrich(enrich_counted)
            .finish(Outcome::Error, Some("failed".into()));
        // Dropped before it finished, as a cancelled call is.
        drop(
            Call::<Event>::start("dropped", None)
                .emit_if(rule_counted)
                .enrich(enrich_counted),
        );
    });
    assert_eq!(CALL_HOOKS_RUN.load(Ordering::SeqCst), 0);
    assert!(sink.is_empty());
    assert_eq!(scope.stats(), tallymark::Stats::default());
}

#[cfg(feature = "events")]
mod events_by_hand {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tallymark::events::{self, Dimensions, LineShape, Reconcile};
    use tallymark::sink::{MemoryLines, MemorySink};
    use tallymark::Scope;

    #[tallymark::layout(dataset = "jobs", binding = "JOBS")]
    struct JobEvent {
        #[index]
        #[blob(1)]
        event: String,
        #[blob(2)]
        label: String,
    }

    /// How many times a state was asked for its dimensions (once per point built).
    static FILLED: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    impl Dimensions<JobEvent> for Counting {
        const LOCKED: &'static [&'static str] = &[];
        fn fill<'a>(&'a self, _: &mut JobEventPoint<'a>, _: bool) {
            FILLED.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[derive(tallymark::events::Event)]
    #[tallymark(layout = JobEvent, state = Counting, prefix = "job.")]
    enum JobLifecycle {
        Started {
            #[tallymark(to = label)]
            label: String,
        },
    }

    const LINE: LineShape = LineShape::DEFAULT.tagged("tag", "jobs");

    #[test]
    fn an_event_logged_by_hand_makes_no_line_and_no_point() {
        let (sink, lines) = (MemorySink::new(), MemoryLines::new());
        let state = RefCell::new(Counting);
        Scope::new(sink.clone())
            .with_lines(lines.clone())
            .run_sync(|| {
                let started = JobLifecycle::Started {
                    label: "nightly".into(),
                };
                events::log(&LINE, &started, &Counting);
                Reconcile::new("alarm", &state).log(&started);
            });
        assert_eq!(FILLED.load(Ordering::SeqCst), 0);
        assert!(sink.is_empty());
        assert!(lines.lines().is_empty());
    }
}
