#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user_id: String,
    #[double(1)]
    duration_ms: f64,
}

#[tallymark::instrumented(Event, route = "GET /api/status")]
async fn handler() -> Result<u32, std::fmt::Error> {
    let count: u32 = "three";
    Ok(count)
}

fn main() {
    drop(handler());
}
