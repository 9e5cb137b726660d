use kiloclaw::telemetry::KiloClawEvent;
use tallymark::record as remember;

#[tallymark::instrumented(KiloClawEvent, event = "e")]
async fn handler(id: String) {
    remember!(user_id = id);
}

fn main() {
    drop(handler(String::new()));
}
