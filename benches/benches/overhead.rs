//! Overhead of instrumentation, side by side in one run. See BENCHMARKS.md for the figures and how
//! to reproduce them: `cargo bench -p tallymark-benches`.

use criterion::{criterion_group, criterion_main, Criterion};
use kiloclaw::events::ReconcileEvent;
use kiloclaw::state::{InstanceState, InstanceStatus};
use kiloclaw::telemetry::{Delivery, KiloClawEvent};
use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use tallymark::{Reconcile, Scope};
use tallymark_benches::*;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Polls a future that completes without waiting (as every handler here does).
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked handlers never wait"),
    }
}

static SINK: ReusableSink = ReusableSink::new();
static LINES: ReusableLines = ReusableLines::new();
/// Where the collecting tracing layer copies span fields.
static TRACE_BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A minimal tracing layer that collects the span's fields into a reused buffer and times it.
struct CollectLayer;

struct Timing(Instant);

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
        ctx: LayerContext<'_, S>,
    ) {
        let mut buffer = TRACE_BUFFER.lock().unwrap();
        buffer.clear();
        attrs.record(&mut Visitor(&mut buffer));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Timing(Instant::now()));
        }
    }
    fn on_close(&self, id: tracing::span::Id, ctx: LayerContext<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if let Some(Timing(started)) = span.extensions().get::<Timing>() {
                black_box(started.elapsed());
            }
        }
    }
}

fn handlers(c: &mut Criterion) {
    tallymark::set_global_sink(&SINK);
    let mut group = c.benchmark_group("handler");
    group.bench_function("1 plain", |b| b.iter(|| run(plain(black_box(USER)))));
    group.bench_function("2 hand-written", |b| {
        b.iter(|| run(hand_written(black_box(USER), &SINK)))
    });
    group.bench_function("3 instrumented", |b| {
        b.iter(|| run(instrumented(black_box(USER))))
    });
    group.bench_function("3b instrumented, a scope per call", |b| {
        b.iter(|| {
            let scope = Scope::new(&SINK);
            run(scope.run(instrumented(black_box(USER))))
        })
    });
    let collect = tracing_subscriber::registry().with(CollectLayer);
    tracing::subscriber::with_default(collect, || {
        group.bench_function("4 tracing instrument(err), collecting layer", |b| {
            b.iter(|| run(traced(black_box(USER))))
        });
    });
    let json = tracing_subscriber::fmt()
        .json()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::sink)
        .finish();
    tracing::subscriber::with_default(json, || {
        group.bench_function("5 tracing instrument(err), JSON to io::sink", |b| {
            b.iter(|| run(traced(black_box(USER))))
        });
    });
    group.finish();
}

fn state() -> RefCell<InstanceState> {
    RefCell::new(InstanceState {
        user_id: Some(USER.into()),
        sandbox_id: Some(SANDBOX.into()),
        fly_app_name: Some("kc-app".into()),
        fly_machine_id: Some("m1".into()),
        status: Some(InstanceStatus::Running),
        openclaw_version: Some("2026.11.1".into()),
        tracked_image_tag: Some("img".into()),
        fly_region: Some("iad".into()),
        ..InstanceState::default()
    })
}

fn repair_mount() -> ReconcileEvent {
    ReconcileEvent::RepairMount {
        machine_id: "m1".into(),
        volume_id: "vol1".into(),
        duration_ms: 12.5,
        label: "repaired mount for volume vol1".into(),
    }
}

fn reconcile(c: &mut Criterion) {
    let mut group = c.benchmark_group("reconcile event");
    let state = state();
    group.bench_function("typed event (console line + point)", |b| {
        b.iter(|| {
            let event = repair_mount();
            Scope::new(&SINK).with_lines(&LINES).run_sync(|| {
                Reconcile::new("alarm", &state).log(black_box(&event));
            });
        })
    });
    group.bench_function("hand-written serde_json line + point", |b| {
        b.iter(|| {
            let event = repair_mount();
            let ReconcileEvent::RepairMount { machine_id, volume_id, duration_ms, label } = black_box(&event) else {
                unreachable!()
            };
            let line = serde_json::json!({
                "tag": "reconcile", "reason": "alarm", "action": "repair_mount",
                "machine_id": machine_id, "volume_id": volume_id, "durationMs": duration_ms, "label": label,
            });
            LINES.take(&line.to_string());
            let s = state.borrow();
            let mut point = KiloClawEvent::point();
            point
                .event("reconcile.repair_mount")
                .delivery(Delivery::Reconcile)
                .label(label.as_str())
                .duration_ms(*duration_ms)
                .user_id(&s.user_id)
                .sandbox_id(&s.sandbox_id)
                .fly_app_name(&s.fly_app_name)
                .fly_machine_id(&s.fly_machine_id)
                .status(s.status)
                .openclaw_version(&s.openclaw_version)
                .image_tag(&s.tracked_image_tag)
                .fly_region(&s.fly_region);
            SINK.take(&point.seal());
        })
    });
    group.finish();
}

criterion_group!(benches, handlers, reconcile);
criterion_main!(benches);
