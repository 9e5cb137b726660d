use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, event = "e")]
async fn handler(id: String) {
    tallymark::record!(usr_id = id);
}

fn main() {
    drop(handler(String::new()));
}
