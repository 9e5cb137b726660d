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

#[tallymark::instrumented(Event, event = "e", user_id = 42_u64)]
fn handler() {
    tallymark::record!(duration_ms = "slow");
}

fn main() {
    handler();
}
