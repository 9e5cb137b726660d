// A function that never returns has no result to classify: one error, at its `!`.
#[tallymark::instrumented(tallymark_tests::Sample, event = "e")]
fn never() -> ! {
    panic!("stops here")
}

fn main() {
    if std::env::args().count() > 99 {
        never();
    }
}

// The same for a step.
#[tallymark::events::lifecycle_event(tallymark_tests::JobEvent, event = "job.halted", state = worker.borrow())]
fn halt(worker: &std::cell::RefCell<tallymark_tests::Worker>) -> ! {
    let _ = worker;
    panic!("halted")
}
