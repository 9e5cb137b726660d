use tallymark_tests::{JobEvent, Worker};

// A constant of the type on a field the state supplies: one error, at the constant's field.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "job.", fields(owner = String::from("o")))]
enum Lifecycle {
    Started,
}

fn main() {}
