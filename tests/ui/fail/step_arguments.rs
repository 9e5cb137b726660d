use kiloclaw::state::InstanceState;
use tallymark::events::Reconcile;

#[tallymark::events::reconcile_event(kiloclaw::telemetry::KiloClawEvent, action = "a", action = "b", context = rctx)]
fn named_twice(rctx: &Reconcile<'_, InstanceState>) {
    let _ = rctx;
}

#[tallymark::events::reconcile_event(kiloclaw::telemetry::KiloClawEvent, action = "a", context = rctx, fields(delivery = kiloclaw::telemetry::Delivery::Reconcile, delivery = kiloclaw::telemetry::Delivery::Do))]
fn constant_twice(rctx: &Reconcile<'_, InstanceState>) {
    let _ = rctx;
}

#[tallymark::events::lifecycle_event(kiloclaw::telemetry::KiloClawEvent, event = "instance.started")]
fn no_state() {}

fn main() {}
