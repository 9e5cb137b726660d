//! The code the overhead benchmarks compare: one handler-shaped async function written five ways,
//! and a reconcile event logged two ways. Each writes the reference's 13-blob point into the same
//! reusable in-memory sink.

use kiloclaw::telemetry::{Delivery, KiloClawEvent};
use std::fmt;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use tallymark::sink::{LineSink, Sink, WriteError};
use tallymark::{DataPoint, HttpStatus, Scope};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The user every call serves.
pub const USER: &str = "user-1";
/// Its sandbox id.
pub const SANDBOX: &str = "dXNlci0x";

/// A response with a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response(pub u16);

impl HttpStatus for Response {
    fn http_status(&self) -> u16 {
        self.0
    }
}

/// A handler error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("upstream failed")
    }
}

impl std::error::Error for Error {}

/// A sink that copies every point into one reused buffer: after warm-up it allocates nothing, so
/// what is measured is the instrumentation, not the sink.
#[derive(Default)]
pub struct ReusableSink {
    buffer: Mutex<Vec<u8>>,
}

impl ReusableSink {
    /// An empty sink.
    pub const fn new() -> Self {
        ReusableSink {
            buffer: Mutex::new(Vec::new()),
        }
    }

    /// Copies `point` into the buffer.
    pub fn take(&self, point: &DataPoint<'_>) {
        let mut buffer = self
            .buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buffer.clear();
        buffer.extend_from_slice(point.index().as_bytes());
        for blob in point.blobs() {
            buffer.extend_from_slice(blob.as_bytes());
        }
        for double in point.doubles() {
            buffer.extend_from_slice(&double.to_le_bytes());
        }
    }
}

impl Sink for ReusableSink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        self.take(point);
        Ok(())
    }
}

/// Console lines into one reused buffer.
#[derive(Default)]
pub struct ReusableLines {
    buffer: Mutex<String>,
}

impl ReusableLines {
    /// An empty line buffer.
    pub const fn new() -> Self {
        ReusableLines {
            buffer: Mutex::new(String::new()),
        }
    }

    /// Copies `line` into the buffer.
    pub fn take(&self, line: &str) {
        let mut buffer = self
            .buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buffer.clear();
        buffer.push_str(line);
    }
}

impl LineSink for &'static ReusableLines {
    fn line(&self, line: &str) {
        self.take(line);
    }
}

/// The handler's own work (the same in every variant).
#[inline(never)]
pub async fn body(user: &str) -> Result<Response, Error> {
    black_box(user);
    Ok(Response(200))
}

/// 1. No instrumentation.
pub async fn plain(user: &'static str) -> Result<Response, Error> {
    body(user).await
}

/// 2. Hand-written: two clock reads, fill the point, push it.
pub async fn hand_written(user: &'static str, sink: &ReusableSink) -> Result<Response, Error> {
    hand_written_since(tallymark::clock::now(), user, sink).await
}

/// 2c. Hand-written, timed from an invocation start read before the call (one clock read per
/// call, as `#[instrumented]` in a scope does). The time is converted as tallymark converts it.
pub async fn hand_written_since(
    started: tallymark::clock::Instant,
    user: &'static str,
    sink: &ReusableSink,
) -> Result<Response, Error> {
    let result = body(user).await;
    let duration_ms = tallymark::clock::elapsed_ms(started);
    let mut point = KiloClawEvent::point();
    point
        .event("kiloclaw.status.get")
        .user_id(user)
        .delivery(Delivery::Http)
        .route("GET /api/kiloclaw/status")
        .sandbox_id(SANDBOX)
        .duration_ms(duration_ms);
    if let Ok(response) = &result {
        if response.0 >= 400 {
            point.error(format!("HTTP {}", response.0));
        }
    }
    sink.take(&point.seal());
    result
}

/// Fills the derived HTTP fields (as the example's `http_fields`, with the sandbox precomputed
/// so every variant does the same work).
pub fn http_fields(point: &mut kiloclaw::telemetry::KiloClawEventPoint<'_>) {
    point.delivery(Delivery::Http).sandbox_id(SANDBOX);
}

/// 3. `#[instrumented]`.
#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/status", enrich = http_fields, fields(user_id = user))]
pub async fn instrumented(user: &'static str) -> Result<Response, Error> {
    body(user).await
}

/// 4. and 5. tracing's `#[instrument(err)]` with the same fields.
#[tracing_attributes::instrument(err, skip_all, name = "kiloclaw.status.get", fields(
    user_id = user, delivery = "http", route = "GET /api/kiloclaw/status", sandbox_id = SANDBOX,
))]
pub async fn traced(user: &'static str) -> Result<Response, Error> {
    body(user).await
}

/// Polls a future that completes without waiting (as every handler here does). Inlined, so the
/// future is built where it is polled rather than moved into this function first.
#[inline(always)]
pub fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked handlers never wait"),
    }
}

/// The sink every variant writes to; the harnesses also make it the global sink.
pub static SINK: ReusableSink = ReusableSink::new();

/// Calls run in one invocation's scope by the in-scope variant (3c): within the 250-point budget,
/// so every call writes its point.
pub const CALLS_PER_SCOPE: u64 = 200;

// One call of each handler variant, as every harness makes it. Inlined, so each harness's loop
// builds the future where it is polled.

/// 1: no instrumentation.
#[inline(always)]
pub fn call_plain() -> Result<Response, Error> {
    run(plain(black_box(USER)))
}

/// 2: hand-written.
#[inline(always)]
pub fn call_hand_written() -> Result<Response, Error> {
    run(hand_written(black_box(USER), &SINK))
}

/// 2c: hand-written, timed from `started` (the invocation's start).
#[inline(always)]
pub fn call_hand_written_since(started: tallymark::clock::Instant) -> Result<Response, Error> {
    run(hand_written_since(started, black_box(USER), &SINK))
}

/// 3: `#[instrumented]` outside any scope (the global sink).
#[inline(always)]
pub fn call_instrumented() -> Result<Response, Error> {
    run(instrumented(black_box(USER)))
}

/// 3c: `#[instrumented]` inside the running invocation's `scope`.
#[inline(always)]
pub fn call_instrumented_in(scope: &Scope) -> Result<Response, Error> {
    run(scope.run(instrumented(black_box(USER))))
}

/// 3b: `#[instrumented]` in a scope of its own (a whole invocation).
#[inline(always)]
pub fn call_instrumented_in_new_scope() -> Result<Response, Error> {
    call_instrumented_in(&Scope::new(&SINK))
}

/// 4 and 5: tracing's `#[instrument(err)]`, with whatever subscriber is the default.
#[inline(always)]
pub fn call_traced() -> Result<Response, Error> {
    run(traced(black_box(USER)))
}

/// Runs `calls` calls of the in-scope variant's shape: makes a scope on [`SINK`] for every
/// [`CALLS_PER_SCOPE`] of them, as a Worker makes its invocation's scope before any handler runs,
/// and hands it to `block` with the number of calls to make in it. The scope is made before
/// `block` runs and dropped after, so a harness can time `block` alone.
pub fn in_running_scopes(calls: u64, mut block: impl FnMut(&Scope, u64)) {
    let mut remaining = calls;
    while remaining > 0 {
        let in_this_scope = remaining.min(CALLS_PER_SCOPE);
        block(&Scope::new(&SINK), in_this_scope);
        remaining -= in_this_scope;
    }
}

/// A `Registry` with [`CollectLayer`]: variant 4's subscriber.
pub fn collecting_subscriber() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry().with(CollectLayer)
}

/// Where [`CollectLayer`] copies what it collects.
static TRACE_BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

thread_local! {
    /// The spans [`CollectLayer`] has open on this thread: each one's id, start and collected
    /// bytes, reused from span to span so that collecting allocates nothing after warm-up.
    static OPEN_SPANS: std::cell::RefCell<Vec<(u64, Instant, Vec<u8>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A minimal tracing layer that collects what the point holds, as [`ReusableSink`] does: the
/// span's name and fields when it opens and its duration in milliseconds when it closes, kept
/// per thread without allocating, then copied into one shared buffer under one lock, as the sink
/// copies a point.
pub struct CollectLayer;

struct Visitor<'a>(&'a mut Vec<u8>);

impl tracing::field::Visit for Visitor<'_> {
    fn record_str(&mut self, _: &tracing::field::Field, value: &str) {
        self.0.extend_from_slice(value.as_bytes());
    }
    fn record_debug(&mut self, _: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = std::io::Write::write_fmt(self.0, format_args!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CollectLayer {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        _: LayerContext<'_, S>,
    ) {
        OPEN_SPANS.with(|open| {
            let mut open = open.borrow_mut();
            // A slot left by a closed span is reused with its buffer's capacity.
            let unused = open.iter().position(|(span, _, _)| *span == 0);
            let slot = match unused {
                Some(i) => i,
                None => {
                    open.push((0, Instant::now(), Vec::new()));
                    open.len() - 1
                }
            };
            let (span, started, bytes) = &mut open[slot];
            bytes.clear();
            bytes.extend_from_slice(attrs.metadata().name().as_bytes());
            attrs.record(&mut Visitor(bytes));
            *span = id.into_u64();
            *started = Instant::now();
        });
    }

    fn on_close(&self, id: tracing::span::Id, _: LayerContext<'_, S>) {
        OPEN_SPANS.with(|open| {
            let mut open = open.borrow_mut();
            let Some((span, started, bytes)) =
                open.iter_mut().find(|(span, _, _)| *span == id.into_u64())
            else {
                return;
            };
            let duration_ms = tallymark::clock::elapsed_ms(*started);
            let mut buffer = TRACE_BUFFER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            buffer.clear();
            buffer.extend_from_slice(bytes);
            buffer.extend_from_slice(&duration_ms.to_le_bytes());
            *span = 0;
        });
    }
}
