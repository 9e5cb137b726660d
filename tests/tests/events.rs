//! Typed events against the in-memory sink: emitting with a state's dimensions, logging a line
//! then a point, the detail keys and values of lines, errors in points and lines, the step
//! attributes, and the guarantees of logging. Console lines byte-exact, points exact.

use std::cell::RefCell;
use tallymark::events::{Event, Json, LineShape, NameForm, Nullable, Reconcile};
use tallymark::sink::{MemoryLines, MemorySink, RecordedPoint};
use tallymark::Scope;
use tallymark_tests::{blobs, Channel, JobEvent, Phase, Worker};

/// A line shape of these tests' own, every setting changed: a tag first, the short name under
/// `step`, a step's duration and error under `tookMs` and `failure`.
const LINE: LineShape = LineShape::DEFAULT
    .tagged("kind", "sweep")
    .name_key("step", NameForm::Short)
    .step_keys("tookMs", "failure");

fn worker() -> Worker {
    Worker {
        owner: Some("acme".into()),
        region: Some("eu-west".into()),
        phase: Some(Phase::Queued),
        attempts: 2,
    }
}

/// Runs `f` in a scope capturing points and console lines.
fn capture<T>(f: impl FnOnce() -> T) -> (Vec<RecordedPoint>, Vec<String>) {
    let (sink, lines) = (MemorySink::new(), MemoryLines::new());
    Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(f);
    (sink.points(), lines.lines())
}

/// The blobs with the worker's dimensions and the given event, channel, phase and extras.
fn job_blobs(event: &str, channel: &str, phase: &str, extra: &[(usize, &str)]) -> Vec<String> {
    let mut set = vec![
        (1, event),
        (2, "acme"),
        (3, "eu-west"),
        (4, phase),
        (5, channel),
    ];
    set.extend_from_slice(extra);
    blobs::<JobEvent>(&set)
}

/// Events written with `emit`: a point, no line. Each carries its own phase, which wins over the
/// worker's; the type sets the channel of all of them.
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "job.", fields(channel = Channel::Queue), point_only)]
enum Lifecycle {
    Started {
        #[tallymark(to = phase)]
        phase: Phase,
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
    },
    Finished {
        #[tallymark(to = phase)]
        phase: Phase,
        #[tallymark(to = value)]
        value: f64,
    },
}

/// Events logged by a pass over the worker: a line, then a point (but the line-only one).
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "sweep.", fields(channel = Channel::CronJob))]
enum Sweep {
    /// Logged before the phase changes.
    PhaseChanged {
        old: Phase,
        new: Phase,
    },
    /// Keys of their own, a `null`, a mapped duration and label.
    Retried {
        owner: Nullable<String>,
        #[tallymark(key = "nextAt")]
        next_at: f64,
        delivered: bool,
        backoff: Nullable<f64>,
        #[tallymark(key = "tookMs")]
        #[tallymark(to = duration_ms)]
        took_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// Whole numbers written as JavaScript writes them; a number mapped to `value`.
    Expired {
        owner: Nullable<String>,
        queued_at: Nullable<f64>,
        age_hours: f64,
        #[tallymark(to = value)]
        value: f64,
    },
    /// An integer mapped to a double.
    Throttled {
        attempts: u32,
        #[tallymark(to = value)]
        limit: u32,
    },
    /// A duration that may be absent.
    Recovered {
        job: Nullable<String>,
        previous_error: Nullable<String>,
        had_error: bool,
        #[tallymark(key = "tookMs")]
        #[tallymark(to = duration_ms)]
        took_ms: Option<f64>,
    },
    /// An error detail: whole in the line, cut to the layout's limit in the point.
    DropFailed {
        job: String,
        #[tallymark(error_text)]
        error: String,
    },
    Cleared {
        job: String,
    },
    #[tallymark(line_only)]
    Noted {
        queue: String,
        region: String,
    },
}

// --- emit: a point with the state's dimensions ---------------------------------------------------

#[test]
fn emitted_events_take_dimensions_from_the_state_and_their_own_phase() {
    let state = worker();
    let (points, lines) = capture(|| {
        tallymark::events::emit(
            &Lifecycle::Started {
                phase: Phase::Running,
                duration_ms: 12.5,
            },
            &state,
        );
        tallymark::events::emit(
            &Lifecycle::Finished {
                phase: Phase::Done,
                value: 60_000.0,
            },
            &state,
        );
    });
    assert!(lines.is_empty(), "emit writes no console line");
    let expected = [
        ("job.started", "running", [12.5, 0.0]),
        ("job.finished", "done", [0.0, 60_000.0]),
    ];
    assert_eq!(points.len(), 2);
    for (point, (event, phase, doubles)) in points.iter().zip(expected) {
        assert_eq!(
            point.blob_texts(),
            job_blobs(event, "queue", phase, &[]),
            "{event}"
        );
        assert_eq!(point.doubles(), doubles, "{event}");
        assert_eq!(point.index(), Some(event));
    }
}

#[test]
fn absent_state_fields_are_written_empty() {
    let state = Worker::default();
    let (points, _) = capture(|| {
        tallymark::events::emit(
            &Lifecycle::Finished {
                phase: Phase::Done,
                value: 0.0,
            },
            &state,
        );
    });
    assert_eq!(
        points[0].blob_texts(),
        ["job.finished", "", "", "done", "queue", "", ""]
    );
}

struct Runner {
    state: RefCell<Worker>,
}

impl Runner {
    /// Timed as a whole, its event written only when it succeeds, with the state as the body left
    /// it; the attribute's phase wins over the state's.
    #[tallymark::events::lifecycle_event(JobEvent, event = "job.started", state = self.state.borrow(), fields(phase = Phase::Running, channel = Channel::Queue))]
    fn start(&self, fail: bool) -> Result<(), String> {
        if fail {
            return Err("no slot free".into());
        }
        let mut state = self.state.borrow_mut();
        state.phase = Some(Phase::Done);
        state.region = Some("eu-central".into());
        Ok(())
    }
}

#[test]
fn a_lifecycle_method_writes_its_event_on_success_only() {
    let runner = Runner {
        state: RefCell::new(worker()),
    };
    let started = std::time::Instant::now();
    let (points, _) = capture(|| {
        assert_eq!(runner.start(true), Err("no slot free".into()));
        assert_eq!(runner.start(false), Ok(()));
    });
    let around_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(points.len(), 1, "no event on the error path");
    assert_eq!(
        points[0].blob_texts(),
        blobs::<JobEvent>(&[
            (1, "job.started"),
            (2, "acme"),
            (3, "eu-central"),
            (4, "running"),
            (5, "queue")
        ])
    );
    // The measured duration (in ms, within the time around the call), and no value.
    let [duration_ms, value] = points[0].doubles() else {
        panic!("two doubles: {:?}", points[0].doubles())
    };
    assert!((0.0..=around_ms).contains(duration_ms), "{duration_ms} ms");
    assert_eq!(*value, 0.0);
}

/// A lifecycle method that returns no `Result` cannot fail, so its event is always written (the
/// decision documented with `lifecycle_event`): here, whatever number it returns.
impl Runner {
    /// Its inner attribute stays the method's (without it, `unused` fails the lint stage).
    #[tallymark::events::lifecycle_event(JobEvent, event = "job.paused", state = self.state.borrow())]
    fn pause(&self, queued: u32) -> u32 {
        #![allow(unused_variables)]
        let unused = queued;
        queued
    }
}

#[test]
fn a_lifecycle_method_without_a_result_always_writes_its_event() {
    let runner = Runner {
        state: RefCell::new(worker()),
    };
    let (points, _) = capture(|| {
        assert_eq!(runner.pause(0), 0);
        assert_eq!(runner.pause(7), 7);
    });
    let names: Vec<&str> = points.iter().map(|p| p.index().unwrap()).collect();
    assert_eq!(names, ["job.paused", "job.paused"]);
    assert_eq!(points[0].text("error"), Some(""));
}

// --- Reconcile::log: the line, then the point ---------------------------------------------------

#[test]
fn log_writes_the_line_then_the_point_with_the_state_of_that_moment() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        let pass = Reconcile::new("alarm", &state);
        pass.log(&Sweep::PhaseChanged {
            old: Phase::Queued,
            new: Phase::Running,
        });
        // Logged before the change, so the point holds the old phase.
        state.borrow_mut().phase = Some(Phase::Running);
    });
    // The default shape: the reason, then the full name under `event`, then the details.
    assert_eq!(
        lines,
        [r#"{"reason":"alarm","event":"sweep.phase_changed","old":"queued","new":"running"}"#]
    );
    assert_eq!(
        points[0].blob_texts(),
        job_blobs("sweep.phase_changed", "cron_job", "queued", &[])
    );
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

// --- events::log: a line without a reason, then the point -----------------------------------------

#[test]
fn log_outside_a_pass_writes_a_line_without_the_reason_then_the_point() {
    let (points, lines) = capture(|| {
        tallymark::events::log(
            &LINE,
            &Sweep::PhaseChanged {
                old: Phase::Queued,
                new: Phase::Running,
            },
            &worker(),
        );
        // A point-only type's details are its mapped fields.
        tallymark::events::log(
            &LINE,
            &Lifecycle::Finished {
                phase: Phase::Done,
                value: 3.0,
            },
            &worker(),
        );
        // A line-only event writes its line and no point.
        tallymark::events::log(
            &LINE,
            &Sweep::Noted {
                queue: "q-1".into(),
                region: "eu".into(),
            },
            &worker(),
        );
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","step":"phase_changed","old":"queued","new":"running"}"#,
            r#"{"kind":"sweep","step":"finished","phase":"done","value":3}"#,
            r#"{"kind":"sweep","step":"noted","queue":"q-1","region":"eu"}"#,
        ]
    );
    assert_eq!(points.len(), 2);
    assert_eq!(
        points[0].blob_texts(),
        job_blobs("sweep.phase_changed", "cron_job", "queued", &[])
    );
    assert_eq!(
        points[1].blob_texts(),
        job_blobs("job.finished", "queue", "done", &[])
    );
    assert_eq!(points[1].doubles(), [0.0, 3.0]);
}

#[test]
fn details_keep_their_order_keys_and_nulls_and_map_duration_and_label() {
    let mut w = worker();
    w.phase = Some(Phase::Running);
    let state = RefCell::new(w);
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&LINE)
            .log(&Sweep::Retried {
                owner: Nullable(Some("acme".into())),
                next_at: 1_800_000_000_000.0,
                delivered: true,
                backoff: Nullable(None),
                took_ms: 84.25,
                label: "second try".into(),
            });
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","reason":"alarm","step":"retried","owner":"acme","nextAt":1800000000000,"delivered":true,"backoff":null,"tookMs":84.25,"label":"second try"}"#
        ]
    );
    assert_eq!(
        points[0].blob_texts(),
        job_blobs("sweep.retried", "cron_job", "running", &[(7, "second try")])
    );
    assert_eq!(points[0].doubles(), [84.25, 0.0]);
}

#[test]
fn numbers_are_written_as_javascript_writes_them_and_map_to_value() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        let pass = Reconcile::new("alarm", &state).shaped(&LINE);
        pass.log(&Sweep::Expired {
            owner: Nullable(Some("acme".into())),
            queued_at: Nullable(Some(1000.0)),
            age_hours: 9.0,
            value: 32_400_000.0,
        });
        pass.log(&Sweep::Throttled {
            attempts: 5,
            limit: 3,
        });
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","reason":"alarm","step":"expired","owner":"acme","queued_at":1000,"age_hours":9,"value":32400000}"#,
            r#"{"kind":"sweep","reason":"alarm","step":"throttled","attempts":5,"limit":3}"#
        ]
    );
    assert_eq!(points[0].doubles(), [0.0, 32_400_000.0]);
    assert_eq!(points[1].doubles(), [0.0, 3.0]);
    assert_eq!(points[1].index(), Some("sweep.throttled"));
}

#[test]
fn an_absent_duration_is_left_out_of_the_line_and_written_as_zero() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        Reconcile::new("restart", &state)
            .shaped(&LINE)
            .log(&Sweep::Recovered {
                job: Nullable(Some("j-1".into())),
                previous_error: Nullable(None),
                had_error: false,
                took_ms: None,
            });
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","reason":"restart","step":"recovered","job":"j-1","previous_error":null,"had_error":false}"#
        ]
    );
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

#[test]
fn errors_are_cut_to_the_layouts_limit_in_the_point_only() {
    let state = RefCell::new(worker());
    let long = "e".repeat(250);
    let (points, lines) = capture(|| {
        Reconcile::new("drain", &state)
            .shaped(&LINE)
            .log(&Sweep::DropFailed {
                job: "j-1".into(),
                error: long.clone(),
            });
    });
    assert_eq!(
        lines[0],
        format!(
            r#"{{"kind":"sweep","reason":"drain","step":"drop_failed","job":"j-1","error":"{long}"}}"#
        )
    );
    // 25 bytes, the layout's `error_text`.
    assert_eq!(
        points[0].blob_texts(),
        job_blobs(
            "sweep.drop_failed",
            "cron_job",
            "queued",
            &[(6, &"e".repeat(25))]
        )
    );
}

#[test]
fn line_only_events_write_no_point() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        Reconcile::new("drain", &state).log(&Sweep::Noted {
            queue: "q-1".into(),
            region: "eu-west".into(),
        });
    });
    assert!(points.is_empty());
    assert_eq!(
        lines,
        [r#"{"reason":"drain","event":"sweep.noted","queue":"q-1","region":"eu-west"}"#]
    );
}

#[test]
fn the_catalog_lists_every_event_in_declaration_order() {
    assert_eq!(
        Sweep::ALL,
        [
            ("sweep.phase_changed", true),
            ("sweep.retried", true),
            ("sweep.expired", true),
            ("sweep.throttled", true),
            ("sweep.recovered", true),
            ("sweep.drop_failed", true),
            ("sweep.cleared", true),
            ("sweep.noted", false),
        ]
    );
    assert_eq!(
        Lifecycle::ALL,
        [("job.started", true), ("job.finished", true)]
    );
}

// --- Error details, every case -----------------------------------------------------------------

/// An event whose error detail has any type.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "sweep.", name = "probe",
        fields(channel = Channel::CronJob))]
struct Probe<T: tallymark::events::ErrorDetail> {
    #[tallymark(error_text)]
    error: T,
}

/// A value whose serialization fails (as a circular structure or a BigInt in JavaScript).
struct Unserializable;

impl serde::Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("circular"))
    }
}

fn probe<T: tallymark::events::ErrorDetail>(error: T) -> (String, String) {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&LINE)
            .log(&Probe { error });
    });
    (
        points[0].text("error").unwrap().to_owned(),
        lines[0].clone(),
    )
}

#[test]
fn every_error_serialization_case() {
    let prefix = r#"{"kind":"sweep","reason":"alarm","step":"probe""#;
    let cases: Vec<((String, String), &str, &str)> = vec![
        (probe(None::<String>), "", ""),
        (probe("boom"), "boom", r#","error":"boom""#),
        (probe(serde_json::Value::Null), "null", r#","error":null"#),
        (probe(42_i64), "42", r#","error":42"#),
        (probe(true), "true", r#","error":true"#),
        (
            probe(serde_json::json!({"code": 42})),
            r#"{"code":42}"#,
            r#","error":{"code":42}"#,
        ),
        (
            probe(serde_json::json!([1, "a"])),
            r#"[1,"a"]"#,
            r#","error":[1,"a"]"#,
        ),
        (
            probe(tallymark::events::ErrorMessage(std::io::Error::other("x"))),
            "x",
            r#","error":{}"#,
        ),
        (
            probe(Json(Unserializable)),
            "[unserializable error]",
            r#","error":"[unserializable]""#,
        ),
        (
            probe(Json(serde_json::json!("as is"))),
            "as is",
            r#","error":"as is""#,
        ),
    ];
    for ((text, line), want_text, want_detail) in cases {
        assert_eq!(text, want_text);
        assert_eq!(line, format!("{prefix}{want_detail}}}"));
    }
    // 25 bytes hold 12 two-byte characters and half of a 13th, which is left out.
    let (text, line) = probe("é".repeat(300));
    assert_eq!(text, "é".repeat(12));
    assert_eq!(line, format!(r#"{prefix},"error":"{}"}}"#, "é".repeat(300)));
}

// --- The guarantees of logging ------------------------------------------------------------------

/// A detail that cannot be serialized, outside the error field.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "sweep.", name = "odd",
        fields(channel = Channel::CronJob))]
struct Odd {
    payload: Unserializable,
    #[tallymark(to = label)]
    label: String,
}

#[test]
fn an_unserializable_detail_still_writes_the_line_and_the_same_point() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state).shaped(&LINE).log(&Odd {
            payload: Unserializable,
            label: "l".into(),
        });
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","reason":"alarm","step":"odd","payload":"[unserializable]","label":"l"}"#
        ]
    );
    assert_eq!(
        points[0].blob_texts(),
        job_blobs("sweep.odd", "cron_job", "queued", &[(7, "l")])
    );
}

/// A detail named like one of the line's first keys, of an event without a state.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, prefix = "sweep.", name = "shadow")]
struct Shadow {
    reason: &'static str,
    extra: u8,
}

#[test]
fn a_detail_named_reason_replaces_it_in_place() {
    let state = RefCell::new(());
    let (_, lines) = capture(|| {
        Reconcile::new("alarm", &state).shaped(&LINE).log(&Shadow {
            reason: "mine",
            extra: 1,
        });
    });
    assert_eq!(
        lines,
        [r#"{"kind":"sweep","reason":"mine","step":"shadow","extra":1}"#]
    );
}

/// Fields named as the parameters of the functions the derive writes (`details`, `point`).
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, prefix = "sweep.", name = "named")]
struct NamedLikeParameters {
    details: &'static str,
    #[tallymark(to = label)]
    point: &'static str,
}

#[test]
fn fields_named_like_the_generated_parameters_are_details_like_any_other() {
    let state = RefCell::new(());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&LINE)
            .log(&NamedLikeParameters {
                details: "all of them",
                point: "p1",
            });
    });
    assert_eq!(
        lines,
        [
            r#"{"kind":"sweep","reason":"alarm","step":"named","details":"all of them","point":"p1"}"#
        ]
    );
    assert_eq!(points.len(), 1);
    assert_eq!(
        points[0].blob_texts(),
        blobs::<JobEvent>(&[(1, "sweep.named"), (7, "p1")])
    );
    assert_eq!(points[0].index(), Some("sweep.named"));
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

/// An event that borrows its details, with a lifetime named as the derive's own might be.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = BorrowedState<'static>, prefix = "sweep.", name = "borrowed")]
struct Borrowed<'a> {
    #[tallymark(to = label)]
    label: &'a str,
}

/// A state that borrows its dimensions, with the same lifetime name.
#[derive(tallymark::events::Dimensions)]
#[tallymark(layout = JobEvent)]
struct BorrowedState<'a> {
    #[tallymark(to = owner)]
    owner: &'a str,
}

#[test]
fn an_event_and_its_state_may_borrow_their_fields() {
    let label = String::from("borrowed label");
    let state = RefCell::new(BorrowedState { owner: "acme" });
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&LINE)
            .log(&Borrowed { label: &label });
    });
    assert_eq!(
        lines,
        [r#"{"kind":"sweep","reason":"alarm","step":"borrowed","label":"borrowed label"}"#]
    );
    assert_eq!(points.len(), 1);
    assert_eq!(
        points[0].blob_texts(),
        blobs::<JobEvent>(&[(1, "sweep.borrowed"), (2, "acme"), (7, "borrowed label")])
    );
    assert_eq!(points[0].index(), Some("sweep.borrowed"));
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

#[test]
fn a_mutably_borrowed_state_does_not_panic() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        let _writer = state.borrow_mut();
        Reconcile::new("alarm", &state)
            .shaped(&LINE)
            .log(&Sweep::Cleared { job: "j-1".into() });
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(
        points[0].text("owner"),
        Some(""),
        "no dimensions, but the point is written"
    );
}

// --- #[reconcile_event] ---------------------------------------------------------------------------

/// The duration a step's line gives under `key`, as written, checked against its point's.
///
/// Only the measured duration varies: take it from the line, then compare the whole line. The
/// number is taken as written: a JSON round trip could print it differently.
fn written_duration(line: &str, key: &str, point: &RecordedPoint) -> String {
    let (_, rest) = line.split_once(&format!(r#""{key}":"#)).unwrap();
    let written = &rest[..rest.find([',', '}']).unwrap()];
    assert_eq!(written.parse::<f64>().unwrap(), point.doubles()[0]);
    assert!(point.doubles()[0] >= 0.0);
    written.to_owned()
}

struct Sweeper;

impl Sweeper {
    /// Named `reconcile.<action>`, the attribute's default prefix.
    #[tallymark::events::reconcile_event(JobEvent, action = "drain_queue", context = pass, fields(channel = Channel::CronJob))]
    async fn drain_queue(&self, pass: &Reconcile<'_, Worker>, fail: bool) -> Result<u8, String> {
        if fail {
            return Err("queue is locked".into());
        }
        Ok(1)
    }

    /// Fields computed from the arguments when the step begins (as `#[instrumented]` evaluates
    /// its fields), one borrowed from an argument; the body then changes the other argument: the
    /// value is the one at entry.
    #[tallymark::events::reconcile_event(JobEvent, action = "label", context = pass, fields(label = tag, value = f64::from(batch.len() as u8)))]
    fn label(&self, pass: &Reconcile<'_, Worker>, tag: &str, mut batch: String) -> usize {
        batch.push_str(" and more");
        batch.len()
    }

    /// Hands back a borrow of what it was lent mutably. Its body runs once: as a closure that
    /// may return what it captured by `&mut`, which one the compiler takes for `FnMut` may not.
    #[tallymark::events::reconcile_event(JobEvent, action = "pick", context = pass)]
    async fn pick<'s>(
        &self,
        pass: &Reconcile<'_, Worker>,
        slots: &'s mut [String],
    ) -> Result<&'s mut String, String> {
        slots.first_mut().ok_or_else(|| "no slot".to_owned())
    }

    /// Named with a prefix of its own; its inner attribute stays the method's (without it,
    /// `unused` fails the lint stage).
    #[tallymark::events::reconcile_event(JobEvent, action = "compact", prefix = "sweep.", context = pass)]
    fn compact(&self, pass: &Reconcile<'_, Worker>) {
        #![allow(unused_variables)]
        let unused = pass;
    }
}

#[test]
fn a_reconcile_step_is_timed_and_its_error_captured() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        let pass = Reconcile::new("drain", &state).shaped(&LINE);
        let result = futures_executor::block_on(Sweeper.drain_queue(&pass, true));
        assert_eq!(result, Err("queue is locked".into()));
        let result = futures_executor::block_on(Sweeper.drain_queue(&pass, false));
        assert_eq!(result, Ok(1));
    });
    assert_eq!(points.len(), 2);
    assert_eq!(
        points[0].blob_texts(),
        job_blobs(
            "reconcile.drain_queue",
            "cron_job",
            "queued",
            &[(6, "queue is locked")]
        )
    );
    assert_eq!(points[1].text("error"), Some(""));
    let duration = |line: &str, point: &RecordedPoint| written_duration(line, "tookMs", point);
    assert_eq!(
        lines[0],
        format!(
            r#"{{"kind":"sweep","reason":"drain","step":"drain_queue","tookMs":{},"failure":"queue is locked"}}"#,
            duration(&lines[0], &points[0])
        )
    );
    assert_eq!(
        lines[1],
        format!(
            r#"{{"kind":"sweep","reason":"drain","step":"drain_queue","tookMs":{}}}"#,
            duration(&lines[1], &points[1])
        )
    );
}

#[test]
fn a_step_may_return_what_it_borrowed_mutably() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| {
        let pass = Reconcile::new("drain", &state);
        let mut slots = vec!["a".to_owned()];
        let slot = futures_executor::block_on(Sweeper.pick(&pass, &mut slots)).unwrap();
        slot.push('!');
        assert_eq!(slots, ["a!"]);
    });
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].index(), Some("reconcile.pick"));
    assert_eq!(
        points[0].blob_texts(),
        job_blobs("reconcile.pick", "", "queued", &[])
    );
    assert_eq!(
        lines,
        [format!(
            r#"{{"reason":"drain","event":"reconcile.pick","duration_ms":{}}}"#,
            written_duration(&lines[0], "duration_ms", &points[0])
        )]
    );
}

/// A step's `fields(..)` may compute their values: they used to be constants, in a function that
/// could capture nothing, and `fields(label = label.clone())` did not compile.
#[test]
fn a_steps_fields_are_evaluated_when_it_begins() {
    let state = RefCell::new(worker());
    let (points, _) = capture(|| {
        let pass = Reconcile::new("drain", &state);
        let tag = String::from("batch b7");
        assert_eq!(Sweeper.label(&pass, &tag, "b7".to_owned()), 11);
    });
    assert_eq!(points[0].text("label"), Some("batch b7"));
    assert_eq!(points[0].number("value"), Some(2.0));
}

#[test]
fn a_reconcile_step_takes_the_prefix_it_is_given() {
    let state = RefCell::new(worker());
    let (points, lines) = capture(|| Sweeper.compact(&Reconcile::new("drain", &state)));
    assert_eq!(points[0].index(), Some("sweep.compact"));
    // The default shape: the full name, the duration under `duration_ms`.
    assert_eq!(
        lines[0],
        format!(
            r#"{{"reason":"drain","event":"sweep.compact","duration_ms":{}}}"#,
            written_duration(&lines[0], "duration_ms", &points[0])
        )
    );
}

// --- events inside an instrumented call ------------------------------------------------------------

#[tallymark::instrumented(JobEvent, event = "job.run", fields(label = "set by the call"))]
fn run_job(state: &Worker) {
    tallymark::record!(region = "recorded by the call");
    tallymark::events::emit(
        &Lifecycle::Started {
            phase: Phase::Running,
            duration_ms: 1.0,
        },
        state,
    );
}

/// An event carries its own fields, its type's constants and its state's dimensions, never the
/// fields of the call it is emitted in (`runtime/docs/record.md`).
#[test]
fn an_event_emitted_inside_an_instrumented_call_does_not_take_the_calls_fields() {
    let state = Worker {
        region: None,
        ..worker()
    };
    let (points, _) = capture(|| run_job(&state));
    let summary: Vec<(&str, &str, &str)> = points
        .iter()
        .map(|p| {
            (
                p.index().unwrap(),
                p.text("region").unwrap(),
                p.text("label").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("job.started", "", ""),
            ("job.run", "recorded by the call", "set by the call")
        ]
    );
}
