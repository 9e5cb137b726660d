use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, event = "e", fields(user_id = 42_u64))]
fn handler() {
    tallymark::record!(duration_ms = "slow");
}

fn main() {
    handler();
}
