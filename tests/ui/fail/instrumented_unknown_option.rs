#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user: String,
}

#[tallymark::instrumented(Event, rout = "GET /users")]
fn misspelled_option() {}

#[tallymark::instrumented(Event, event = "login", user = String::new())]
fn field_outside_fields() {}

fn main() {
    misspelled_option();
    field_outside_fields();
}
