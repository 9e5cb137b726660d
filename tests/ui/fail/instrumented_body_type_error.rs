use kiloclaw::telemetry::KiloClawEvent;

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/status")]
async fn handler() -> Result<u32, std::fmt::Error> {
    let count: u32 = "three";
    Ok(count)
}

fn main() {
    drop(handler());
}
