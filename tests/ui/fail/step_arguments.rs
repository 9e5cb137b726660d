use kiloclaw::state::InstanceState;
use tallymark::Reconcile;

#[tallymark::reconcile_event(kiloclaw::telemetry::KiloClawEvent, action = "a", action = "b", context = rctx)]
fn named_twice(rctx: &Reconcile<'_, InstanceState>) {
    let _ = rctx;
}

#[tallymark::reconcile_event(kiloclaw::telemetry::KiloClawEvent, action = "a", context = rctx, delivery = kiloclaw::telemetry::Delivery::Reconcile, delivery = kiloclaw::telemetry::Delivery::Do)]
fn constant_twice(rctx: &Reconcile<'_, InstanceState>) {
    let _ = rctx;
}

#[tallymark::lifecycle_event(kiloclaw::telemetry::KiloClawEvent, event = "instance.started")]
fn no_state() {}

fn main() {}
