use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, event = "e", fields(usr_id = String::from("u1")))]
fn handler() {}

fn main() {
    handler();
}
