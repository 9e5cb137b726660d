use tallymark_tests::{JobEvent, Worker};

// A lifecycle step's state is read through a reference (a `Ref`, a `&`): a value is an error at
// the expression.
#[tallymark::events::lifecycle_event(JobEvent, event = "job.started", state = Worker::default())]
fn start() {}

fn main() {}
