//! Overhead of instrumentation, side by side in one run. See BENCHMARKS.md for the figures and how
//! to reproduce them: `cargo bench -p tallymark-benches`.

use criterion::{criterion_group, criterion_main, Criterion};
use kiloclaw::events::ReconcileEvent;
use kiloclaw::state::{InstanceState, InstanceStatus};
use kiloclaw::telemetry::{Delivery, KiloClawEvent};
use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tallymark::events::Reconcile;
use tallymark::Scope;
use tallymark_benches::*;

static LINES: ReusableLines = ReusableLines::new();

fn handlers(c: &mut Criterion) {
    tallymark::set_global_sink(&SINK);
    let mut group = c.benchmark_group("handler");
    group.bench_function("1 plain", |b| b.iter(call_plain));
    group.bench_function("2 hand-written", |b| b.iter(call_hand_written));
    group.bench_function("3 instrumented", |b| b.iter(call_instrumented));
    group.bench_function("3c instrumented, in a running invocation's scope", |b| {
        // As in a Worker: the invocation's scope exists before the handler runs; scopes are made
        // and dropped outside the timing.
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            in_running_scopes(iters, |scope, calls| {
                let started = Instant::now();
                for _ in 0..calls {
                    let _ = black_box(call_instrumented_in(scope));
                }
                timed += started.elapsed();
            });
            timed
        })
    });
    group.bench_function("3b instrumented, a scope per call", |b| {
        b.iter(call_instrumented_in_new_scope)
    });
    tracing::subscriber::with_default(collecting_subscriber(), || {
        group.bench_function("4 tracing instrument(err), collecting layer", |b| {
            b.iter(call_traced)
        });
    });
    let json = tracing_subscriber::fmt()
        .json()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::sink)
        .finish();
    tracing::subscriber::with_default(json, || {
        group.bench_function("5 tracing instrument(err), JSON to io::sink", |b| {
            b.iter(call_traced)
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
