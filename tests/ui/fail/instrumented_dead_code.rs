#![deny(dead_code)]
use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, event = "e")]
fn never_called() {}

fn main() {
    KiloClawEvent::point().event("x").user_id("u").duration_ms(1).emit();
}
