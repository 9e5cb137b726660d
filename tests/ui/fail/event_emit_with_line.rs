// An event type with console lines cannot be emitted as a point alone: its details would be lost.
use tallymark_tests::{JobEvent, Worker};

#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker)]
pub enum Job {
    Retried { attempt: u32 },
}

fn main() {
    tallymark::events::emit(&Job::Retried { attempt: 2 }, &Worker::default());
}
