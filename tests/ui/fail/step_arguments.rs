use tallymark::events::Reconcile;
use tallymark_tests::{Channel, JobEvent, Worker};

#[tallymark::events::reconcile_event(JobEvent, action = "a", action = "b", context = pass)]
fn named_twice(pass: &Reconcile<'_, Worker>) {
    let _ = pass;
}

#[tallymark::events::reconcile_event(JobEvent, action = "a", context = pass,
    fields(channel = Channel::CronJob, channel = Channel::Queue))]
fn constant_twice(pass: &Reconcile<'_, Worker>) {
    let _ = pass;
}

#[tallymark::events::lifecycle_event(JobEvent, event = "job.started")]
fn no_state() {}

fn main() {}
