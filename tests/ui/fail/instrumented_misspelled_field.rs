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

#[tallymark::instrumented(Event, event = "e", usr_id = String::from("u1"))]
fn handler() {}

fn main() {
    handler();
}
