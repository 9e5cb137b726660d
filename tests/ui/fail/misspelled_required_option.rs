// A required option misspelled is one mistake: the did-you-mean, and not also "missing".
use tallymark::events::Reconcile;
use tallymark_tests::{JobEvent, Worker};

#[tallymark::events::reconcile_event(JobEvent, action = "a", contxt = pass)]
fn sweep(pass: &Reconcile<'_, Worker>) {
    let _ = pass;
}

#[tallymark::events::lifecycle_event(JobEvent, evnt = "job.started", state = worker.borrow())]
fn start(worker: &std::cell::RefCell<Worker>) {}

#[derive(tallymark::events::Event)]
#[tallymark(layuot = JobEvent)]
enum Sweep {
    Drained,
}

#[derive(tallymark::events::Dimensions)]
#[tallymark(layot = JobEvent)]
struct State {
    #[tallymark(to = owner)]
    owner: String,
}

fn main() {}
