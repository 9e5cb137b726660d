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

#[tallymark::instrumented(Event, route = "status")]
fn bad_route() {}

#[tallymark::instrumented(Event, user_id = String::new())]
fn unnamed() {}

#[tallymark::instrumented(Event, event = "e", event = "f")]
fn duplicate() {}

#[tallymark::instrumented(Event, event = "")]
fn empty_event() {}

#[tallymark::instrumented(Event, event = "e")]
const fn constant() {}

#[tallymark::instrumented]
fn no_layout() {}

fn main() {
    bad_route();
    unnamed();
    duplicate();
    empty_event();
    constant();
    no_layout();
}
