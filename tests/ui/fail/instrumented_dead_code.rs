#![deny(dead_code)]
#[tallymark::layout(dataset = "d", binding = "B")]
struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user_id: String,
    #[double(1)]
    duration_ms: f64,
}

#[tallymark::instrumented(Event, event = "e")]
fn never_called() {}

fn main() {
    Event::point().event("x").user_id("u").duration_ms(1).emit();
}
