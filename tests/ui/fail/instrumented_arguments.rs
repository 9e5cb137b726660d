use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, route = "status")]
fn bad_route() {}

#[tallymark::instrumented(KiloClawEvent, fields(user_id = String::new()))]
fn unnamed() {}

#[tallymark::instrumented(KiloClawEvent, event = "e", event = "f")]
fn duplicate() {}

#[tallymark::instrumented(KiloClawEvent, event = "")]
fn empty_event() {}

#[tallymark::instrumented(KiloClawEvent, event = "e")]
const fn constant() {}

#[tallymark::instrumented]
fn no_layout() {}

fn main() {
    bad_route();
    unnamed();
    duplicate();
    empty_event();
    constant();
    no_layout();
}
