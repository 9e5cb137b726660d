//! Fields recorded into the running instrumented call: by `record!` in its body, and by the
//! layout's `record` from any function the call runs. Each test states one rule of
//! `runtime/src/active.rs`.

use futures_executor::block_on;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};
use tallymark::sink::{MemorySink, RecordedPoint};
use tallymark::{Call, Outcome, Scope};

/// A layout whose fields are written only by recording: a text, a number, and the event.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Job {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    step: String,
    #[blob(3)]
    owner: String,
    #[double(1)]
    items: f64,
}

/// A second layout, to show that a record finds the call of its own layout.
#[tallymark::layout(dataset = "audit", binding = "AUDIT")]
pub struct Audit {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    owner: String,
}

/// What the called functions do: they know nothing of the call.
fn load_owner(owner: &str) {
    Job::record(|point| {
        point.owner(owner.to_owned());
    });
}

fn count_items(items: u32) {
    Job::record(|point| {
        point.items(f64::from(items));
    });
}

fn fields(point: &RecordedPoint) -> (Vec<String>, Vec<f64>) {
    (
        point.blob_texts().into_iter().map(str::to_owned).collect(),
        point.doubles().to_vec(),
    )
}

fn captured<T>(run: impl FnOnce() -> T) -> (T, Vec<RecordedPoint>, tallymark::Stats) {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    let output = scope.run_sync(run);
    (output, sink.points(), scope.stats())
}

#[tallymark::instrumented(Job, event = "job.sync")]
fn sync_job() {
    load_owner("ada");
    count_items(3);
}

#[test]
fn a_called_function_records_into_the_sync_call_that_runs_it() {
    let ((), points, stats) = captured(sync_job);
    assert_eq!(points.len(), 1);
    assert_eq!(
        fields(&points[0]),
        (
            vec!["job.sync".into(), String::new(), "ada".into()],
            vec![3.0]
        )
    );
    assert_eq!(points[0].index(), Some("job.sync"));
    assert_eq!(stats.records_outside_call, 0);
}

#[tallymark::instrumented(Job, event = "job.async")]
async fn async_job(owner: &'static str, items: u32) {
    load_owner(owner);
    tallymark_tests::WaitOnce::default().await;
    count_items(items);
}

#[test]
fn a_called_function_records_into_the_async_call_across_awaits() {
    let sink = MemorySink::new();
    block_on(Scope::new(sink.clone()).run(async_job("ada", 7)));
    assert_eq!(
        fields(&sink.last().unwrap()),
        (
            vec!["job.async".into(), String::new(), "ada".into()],
            vec![7.0]
        )
    );
}

#[test]
fn two_calls_polled_in_turn_on_one_thread_keep_their_records_apart() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    let mut a = pin!(scope.run(async_job("ada", 1)));
    let mut b = pin!(scope.run(async_job("bob", 2)));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(a.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_ready());
    assert!(a.as_mut().poll(&mut cx).is_ready());
    let owners_and_items: Vec<(String, f64)> = sink
        .points()
        .iter()
        .map(|p| (p.text("owner").unwrap().to_owned(), p.doubles()[0]))
        .collect();
    assert_eq!(
        owners_and_items,
        [("bob".to_owned(), 2.0), ("ada".to_owned(), 1.0)]
    );
    assert_eq!(scope.stats().records_outside_call, 0);
}

#[tallymark::instrumented(Job, event = "job.ordered")]
fn ordered_job() {
    tallymark::record!(step = "body first", owner = "body");
    load_owner("callee");
    tallymark::record!(step = "body again");
}

#[test]
fn the_last_value_recorded_wins_whoever_recorded_it() {
    let ((), points, _) = captured(ordered_job);
    assert_eq!(
        points[0].blob_texts(),
        ["job.ordered", "body again", "callee"]
    );
}

#[tallymark::instrumented(Job, event = "job.callee_last")]
fn callee_last_job() {
    tallymark::record!(owner = "body");
    load_owner("callee");
}

#[test]
fn a_record_after_the_last_record_in_the_body_still_lands() {
    let ((), points, _) = captured(callee_last_job);
    assert_eq!(points[0].text("owner"), Some("callee"));
}

#[tallymark::instrumented(Job, event = "job.inner")]
fn inner_job() {
    load_owner("inner");
}

#[tallymark::instrumented(Audit, event = "audit.outer")]
fn audited() {
    Audit::record(|point| {
        point.owner("auditor");
    });
    inner_job();
    load_owner("nobody's");
}

#[test]
fn a_record_goes_to_the_innermost_running_call_of_its_layout() {
    let ((), points, stats) = captured(audited);
    let summary: Vec<(String, String)> = points
        .iter()
        .map(|p| {
            (
                p.index().unwrap().to_owned(),
                p.text("owner").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("job.inner".to_owned(), "inner".to_owned()),
            ("audit.outer".to_owned(), "auditor".to_owned())
        ]
    );
    // The last `load_owner` ran with no `Job` call running.
    assert_eq!(stats.records_outside_call, 1);
}

#[test]
fn outside_any_call_a_record_writes_nothing_and_is_counted() {
    let ((), points, stats) = captured(|| load_owner("ada"));
    assert!(points.is_empty());
    assert_eq!(stats.records_outside_call, 1);
    assert_eq!(stats.lost(), 0, "no point was lost, only a record");

    let before = tallymark::global_stats().records_outside_call;
    load_owner("outside any scope");
    assert!(tallymark::global_stats().records_outside_call > before);
}

#[test]
fn a_call_made_by_hand_takes_records_while_it_runs_code() {
    let ((), points, stats) = captured(|| {
        let call = Call::<Job>::start("job.by_hand", None);
        call.run_sync(|| load_owner("ada"));
        load_owner("after run_sync");
        call.finish(Outcome::Ok, None);
    });
    assert_eq!(points[0].text("owner"), Some("ada"));
    assert_eq!(stats.records_outside_call, 1);
}

#[test]
fn a_cancelled_call_keeps_what_was_recorded_before_it_was_dropped() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    {
        let mut job = Box::pin(scope.run(async_job("ada", 1)));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(job.as_mut().poll(&mut cx).is_pending());
    }
    let point = sink.last().unwrap();
    assert_eq!(
        fields(&point),
        (
            vec!["job.async".into(), String::new(), "ada".into()],
            vec![0.0]
        )
    );
    assert_eq!(scope.stats().records_outside_call, 0);
}
