//! Generated code trips no lint in the user's crate, pedantic ones included: `cargo clippy
//! --all-targets -- -D warnings` lints this file, which uses every macro.
#![warn(
    clippy::pedantic,
    clippy::impl_trait_in_params,
    clippy::same_name_method,
    unused_qualifications,
    unused_results,
    let_underscore_drop
)]
// The instrumented functions here are `async` and await nothing, as a router's handlers often are:
// their bodies run in a closure, so pedantic's `unused_async` speaks of them as written. (A body
// that invokes a macro the attribute does not know runs in an awaited `async` block instead,
// which the lint then does not see.)
#![allow(clippy::unused_async)]

use std::fmt;

#[derive(Clone, Copy, tallymark::FixedText)]
enum Kind {
    Http,
    Queue,
}

#[tallymark::layout(dataset = "hygiene", binding = "HYGIENE")]
struct Telemetry {
    /// The event.
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user_id: String,
    #[blob(3)]
    kind: Kind,
    #[blob(4)]
    route: String,
    #[blob(5)]
    error: String,
    #[blob(6)]
    outcome: String,
    #[double(1)]
    duration_ms: f64,
}

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("failure")
    }
}

fn queue(point: &mut TelemetryPoint<'_>) {
    let _ = point.kind(Kind::Queue);
}

fn always(point: &TelemetryPoint<'_>) -> bool {
    !point.get_event().is_empty()
}

#[tallymark::instrumented(Telemetry, route = "GET /api/things/:id", enrich = queue, emit_if = always, fields(kind = Kind::Http))]
async fn handler(id: u32) -> Result<u32, Failure> {
    tallymark::record!(user_id = id.to_string());
    if id == 0 {
        return Err(Failure);
    }
    Ok(id)
}

#[tallymark::instrumented(Telemetry, event = "sync")]
fn sync_handler(flag: bool) -> Option<u8> {
    flag.then_some(1)
}

/// Methods whose return types the body's block is given in other shapes: a borrow of `self`,
/// and `Self`.
struct Things(String);

impl Things {
    #[tallymark::instrumented(Telemetry, event = "things.name")]
    async fn name(&self) -> &str {
        &self.0
    }

    #[tallymark::instrumented(Telemetry, event = "things.copy")]
    async fn copied(&self) -> Self {
        Things(self.0.clone())
    }
}

// `()` spelled out (the user's own `-> ()` is the lint allowed here, not the expansion).
#[allow(clippy::unused_unit)]
#[tallymark::instrumented(Telemetry, event = "unit")]
async fn unit() -> () {}

#[tallymark::instrumented(Telemetry, event = "shown")]
async fn shown() -> impl fmt::Display {
    7
}

#[tallymark::instrumented(Telemetry, event = "infallible")]
async fn infallible() -> Result<u32, std::convert::Infallible> {
    Ok(1)
}

#[test]
fn every_return_type_runs() {
    let sink = tallymark::sink::MemorySink::new();
    let scope = tallymark::Scope::new(sink.clone());
    let things = Things("t".into());
    futures_executor::block_on(scope.run(async {
        assert_eq!(things.name().await, "t");
        assert_eq!(things.copied().await.0, "t");
        unit().await;
        assert_eq!(shown().await.to_string(), "7");
        assert_eq!(infallible().await, Ok(1));
    }));
    let events: Vec<String> = sink
        .points()
        .iter()
        .map(|point| point.text("event").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        events,
        ["things.name", "things.copy", "unit", "shown", "infallible"]
    );
}

#[test]
fn instrumented_code_runs() {
    let sink = tallymark::sink::MemorySink::new();
    let scope = tallymark::Scope::new(sink.clone());
    let result = futures_executor::block_on(scope.run(handler(0)));
    assert!(result.is_err());
    assert_eq!(scope.run_sync(|| sync_handler(true)), Some(1));
    let points = sink.points();
    assert_eq!(points[0].text("event"), Some("api.things.get"));
    assert_eq!(points[0].text("kind"), Some("queue"));
    assert_eq!(points[0].text("outcome"), Some("error"));
    assert_eq!(points[0].text("error"), Some("failure"));
    assert_eq!(points[0].text("user_id"), Some("0"));
    assert_eq!(points[1].text("outcome"), Some("ok"));
}

#[derive(Default, tallymark::events::Dimensions)]
#[tallymark(layout = Telemetry)]
struct State {
    #[tallymark(to = user_id)]
    user: Option<String>,
    #[tallymark(to = outcome, overridable)]
    phase: Option<String>,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Telemetry, state = State, prefix = "job.", fields(kind = Kind::Queue))]
enum JobEvent {
    Started {
        #[tallymark(to = route)]
        queue: String,
        attempt: Option<u32>,
    },
    #[tallymark(line_only)]
    Noted,
    Failed {
        #[tallymark(error_text)]
        error: String,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
    },
}

struct Worker {
    state: std::cell::RefCell<State>,
}

impl Worker {
    #[tallymark::events::lifecycle_event(Telemetry, event = "job.boot", state = self.state.borrow(), fields(kind = Kind::Http))]
    fn boot(&self) -> Result<(), Failure> {
        Ok(())
    }

    #[tallymark::events::reconcile_event(Telemetry, action = "sweep", context = rctx)]
    async fn sweep(&self, rctx: &tallymark::events::Reconcile<'_, State>) -> Result<(), Failure> {
        let _ = self.state.borrow().user.as_deref();
        Err(Failure)
    }
}

#[test]
fn typed_events_run() {
    let sink = tallymark::sink::MemorySink::new();
    let lines = tallymark::sink::MemoryLines::new();
    let worker = Worker {
        state: std::cell::RefCell::new(State {
            user: Some("u".into()),
            phase: None,
        }),
    };
    tallymark::Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(|| {
            let rctx = tallymark::events::Reconcile::new("alarm", &worker.state);
            rctx.log(&JobEvent::Started {
                queue: "q".into(),
                attempt: None,
            });
            rctx.log(&JobEvent::Noted);
            rctx.log(&JobEvent::Failed {
                error: "x".into(),
                duration_ms: 1.0,
            });
            assert!(worker.boot().is_ok());
            assert!(futures_executor::block_on(worker.sweep(&rctx)).is_err());
        });
    assert_eq!(sink.len(), 4);
    assert_eq!(lines.lines().len(), 4);
}
