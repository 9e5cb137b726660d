//! An instrumented call allocates nothing on the success path before the sink takes the point,
//! and a point frees what it owns. (Deterministic, so a test rather than a benchmark.) This file
//! holds one test: nothing else runs in the process while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use tallymark::sink::{Sink, WriteError};
use tallymark::{DataPoint, HttpStatus, Scope};
use tallymark_tests::{ApiEvent, ApiEventPoint, Channel};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.fetch_add(1, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Takes points without allocating, and checks what it received.
struct Checking;

impl Sink for Checking {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        if point.dataset() == "notes" {
            // Protected on the way: the redacted fields are empty.
            assert_eq!(point.summary(), "notes.put");
            assert_eq!(point.get("note"), Some(tallymark::FieldValue::Text("")));
            assert_eq!(
                point.get("amount"),
                Some(tallymark::FieldValue::Number(0.0))
            );
            return Ok(());
        }
        assert_eq!(point.summary(), "users.get");
        assert_eq!(
            point.get("user"),
            Some(tallymark::FieldValue::Text("acme:ann"))
        );
        Ok(())
    }
}

struct Response(u16);

impl HttpStatus for Response {
    fn http_status(&self) -> u16 {
        self.0
    }
}

fn http(point: &mut ApiEventPoint<'_>) {
    point.channel(Channel::Web).tenant("acme");
}

/// Records a field while it runs, so its call keeps the point from the start.
#[tallymark::instrumented(ApiEvent, route = "GET /api/users/:id", enrich = http, fields(user = user))]
async fn status(user: &'static str) -> Result<Response, std::fmt::Error> {
    tallymark::record!(label = "fresh");
    Ok(Response(200))
}

/// Records nothing while it runs, so its call builds the point when it ends.
#[tallymark::instrumented(ApiEvent, event = "users.get", enrich = http, fields(user = user))]
async fn status_deferred(user: &'static str) -> Result<Response, std::fmt::Error> {
    Ok(Response(200))
}

/// A layout with redacted fields: its point is protected before the sink takes it, the values
/// it replaces kept aside to be put back, without allocating.
#[tallymark::layout(dataset = "notes", binding = "NOTES")]
pub struct Note {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[redacted]
    note: String,
    #[double(1)]
    #[redacted]
    amount: f64,
}

#[tallymark::instrumented(Note, event = "notes.put", fields(note = note, amount = 2.5))]
async fn put_note(note: &'static str) -> Result<Response, std::fmt::Error> {
    Ok(Response(200))
}

fn poll_once<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the handler never waits"),
    }
}

#[test]
fn an_instrumented_call_allocates_nothing_before_the_sink() {
    let scope = Scope::new(Checking);
    scope.run_sync(|| {
        // Warm up lazily initialised thread-locals.
        assert!(poll_once(status("acme:ann")).is_ok());
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..100 {
            assert!(poll_once(status("acme:ann")).is_ok());
            assert!(poll_once(status_deferred("acme:ann")).is_ok());
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(after - before, 0, "allocations in 200 instrumented calls");
    });
    assert_eq!(scope.stats().written, 201);

    let scope = Scope::new(Checking);
    scope.run_sync(|| {
        assert!(poll_once(put_note("private")).is_ok());
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..100 {
            assert!(poll_once(put_note("private")).is_ok());
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(
            after - before,
            0,
            "allocations in 100 calls with redacted fields"
        );
    });
    assert_eq!(scope.stats().written, 101);

    // A point that owns some of its blobs frees them when dropped (a point that only borrows
    // skips dropping its blobs).
    let (allocated, freed) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        FREES.load(Ordering::Relaxed),
    );
    for _ in 0..10 {
        let mut point = ApiEvent::point();
        point
            .event("owned")
            .error(format!("HTTP {}", 500))
            .label(String::from("first"))
            .label(String::from("overwritten"));
        drop(point);
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - allocated;
    let freed = FREES.load(Ordering::Relaxed) - freed;
    assert_eq!(
        (allocated, freed),
        (30, 30),
        "(allocations, frees) of 10 points"
    );
}
