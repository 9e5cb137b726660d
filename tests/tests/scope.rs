//! Per-invocation scopes: isolation of interleaved invocations, the 250-point budget, counting.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use tallymark::sink::MemorySink;
use tallymark::{limits::MAX_POINTS_PER_INVOCATION, Scope};
use tallymark_tests::{ApiEvent, Sample};

/// Pending once, then ready: an `.await` point where another request can run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

async fn request(user: &'static str) {
    Sample::point().event("first").user(user).emit();
    YieldOnce(false).await;
    Sample::point().event("second").user(user).emit();
    YieldOnce(false).await;
    Sample::point().event("third").user(user).emit();
}

#[test]
fn interleaved_invocations_never_see_each_other() {
    let (sink_a, sink_b) = (MemorySink::new(), MemorySink::new());
    let mut a = Box::pin(Scope::new(sink_a.clone()).run(request("user-a")));
    let mut b = Box::pin(Scope::new(sink_b.clone()).run(request("user-b")));
    let mut cx = Context::from_waker(Waker::noop());
    // Alternate polls, as an isolate does with two requests in flight.
    for _ in 0..2 {
        assert!(a.as_mut().poll(&mut cx).is_pending());
        assert!(Scope::current().is_none(), "a scope leaked out of its poll");
        assert!(b.as_mut().poll(&mut cx).is_pending());
    }
    assert!(a.as_mut().poll(&mut cx).is_ready());
    assert!(b.as_mut().poll(&mut cx).is_ready());

    for (sink, user) in [(sink_a, "user-a"), (sink_b, "user-b")] {
        let points = sink.points();
        let seen: Vec<(&str, &str)> = points
            .iter()
            .map(|p| (p.index().unwrap(), p.text("user").unwrap()))
            .collect();
        assert_eq!(seen, [("first", user), ("second", user), ("third", user)]);
    }
}

#[test]
fn nested_scopes_restore_the_outer_one() {
    let (outer, inner) = (MemorySink::new(), MemorySink::new());
    Scope::new(outer.clone()).run_sync(|| {
        Scope::new(inner.clone()).run_sync(|| Sample::point().event("inner").emit());
        Sample::point().event("outer").emit();
    });
    assert_eq!(inner.last().unwrap().index(), Some("inner"));
    assert_eq!(outer.len(), 1);
    assert_eq!(outer.last().unwrap().index(), Some("outer"));
}

/// Panics at its first poll; at the next, writes a point and completes.
struct PanicsOnce(bool);

impl Future for PanicsOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Sample::point().event("polled").emit();
        if !self.0 {
            self.0 = true;
            panic!("the handler panics");
        }
        Poll::Ready(())
    }
}

#[test]
fn a_poll_that_panics_restores_the_outer_scope_and_keeps_its_own() {
    let (outer, inner) = (MemorySink::new(), MemorySink::new());
    Scope::new(outer.clone()).run_sync(|| {
        let mut future = Box::pin(Scope::new(inner.clone()).run(PanicsOnce(false)));
        let mut cx = Context::from_waker(Waker::noop());
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = future.as_mut().poll(&mut cx);
        }));
        assert!(unwound.is_err());
        Sample::point().event("outer").emit();
        // The future got its scope back when the panic unwound: its next poll writes there.
        assert!(future.as_mut().poll(&mut cx).is_ready());
    });
    let indexes = |sink: &MemorySink| -> Vec<String> {
        sink.points()
            .iter()
            .map(|p| p.index().unwrap().to_owned())
            .collect()
    };
    assert_eq!(indexes(&outer), ["outer"]);
    assert_eq!(indexes(&inner), ["polled", "polled"]);
}

#[test]
fn an_invocation_writes_at_most_250_points_and_counts_the_rest() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    scope.run_sync(|| {
        for i in 0..300 {
            ApiEvent::point().event("bulk").value(i).emit();
        }
    });
    assert_eq!(sink.len(), MAX_POINTS_PER_INVOCATION as usize);
    assert_eq!(sink.last().unwrap().number("value"), Some(249.0));
    let stats = scope.stats();
    assert_eq!(stats.written, 250);
    assert_eq!(stats.dropped_over_limit, 50);
    assert_eq!(stats.failed, 0);
}

#[test]
fn the_budget_is_per_invocation() {
    let sink = MemorySink::new();
    for _ in 0..2 {
        Scope::new(sink.clone()).run_sync(|| {
            for _ in 0..200 {
                Sample::point().event("e").emit();
            }
        });
    }
    assert_eq!(sink.len(), 400);
}

#[test]
fn truncation_and_non_finite_doubles_are_counted() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    let huge = "x".repeat(20_000);
    scope.run_sync(|| {
        ApiEvent::point()
            .event("e")
            .label(huge.as_str())
            .duration_ms(f64::NAN)
            .value(f64::INFINITY)
            .emit();
    });
    let point = sink.last().unwrap();
    // `event` keeps its 1 byte; the label gives way.
    assert_eq!(point.text("label").unwrap().len(), 16_000 - 1);
    assert_eq!(point.doubles(), [0.0, f64::MAX]);
    let stats = scope.stats();
    assert_eq!(stats.truncated_fields, 1);
    assert_eq!(stats.non_finite_doubles, 2);
}

#[test]
fn points_outside_any_scope_are_counted_not_written() {
    let before = tallymark::global_stats().dropped_without_scope;
    Sample::point().event("orphan").emit();
    assert!(tallymark::global_stats().dropped_without_scope > before);
}

#[test]
fn a_scope_adds_its_counts_to_the_process_totals_when_it_ends() {
    let before = tallymark::global_stats();
    {
        let scope = Scope::new(MemorySink::new());
        scope.run_sync(|| {
            for _ in 0..260 {
                Sample::point().event("e").emit();
            }
        });
        assert_eq!(scope.stats().dropped_over_limit, 10);
    }
    // Other tests run in parallel and add their own counts, hence `>=`.
    let after = tallymark::global_stats();
    assert!(after.written >= before.written + 250);
    assert!(after.dropped_over_limit >= before.dropped_over_limit + 10);
}

#[test]
fn counts_of_other_threads_are_in_the_process_totals_while_they_run_and_after() {
    const ORPHANS: u64 = 1000; // far more than the other tests of this file emit outside a scope
    let before = tallymark::global_stats().dropped_without_scope;
    let (counted, wait_for_counted) = std::sync::mpsc::channel();
    let (finish, wait_for_finish) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        for _ in 0..ORPHANS {
            Sample::point().event("orphan").emit();
        }
        counted.send(()).unwrap();
        wait_for_finish.recv().unwrap();
    });
    wait_for_counted.recv().unwrap();
    let while_running = tallymark::global_stats().dropped_without_scope;
    finish.send(()).unwrap();
    other.join().unwrap();
    let after_it_ended = tallymark::global_stats().dropped_without_scope;
    assert!(
        while_running >= before + ORPHANS,
        "{before} -> {while_running}"
    );
    assert!(
        after_it_ended >= while_running,
        "{while_running} -> {after_it_ended}"
    );
}
