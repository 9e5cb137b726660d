// `skip` sends a field nowhere: it cannot also be mapped.
use tallymark_tests::{JobEvent, Worker};

#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker)]
pub enum Job {
    Retried {
        #[tallymark(to = label, skip)]
        label: String,
    },
}

fn main() {}
