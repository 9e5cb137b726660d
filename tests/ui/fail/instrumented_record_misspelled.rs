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

#[tallymark::instrumented(Event, event = "e")]
async fn handler(id: String) {
    tallymark::record!(usr_id = id);
}

fn main() {
    drop(handler(String::new()));
}
