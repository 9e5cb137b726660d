// A `point_only` event has no console line: a field it does not map would be lost.
use tallymark_tests::{JobEvent, Phase, Worker};

#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, point_only)]
pub enum Job {
    Started {
        #[tallymark(to = phase)]
        phase: Phase,
        attempt: u32,
        #[tallymark(skip)]
        request_id: String,
    },
}

fn main() {
    let event = Job::Started {
        phase: Phase::Running,
        attempt: 1,
        request_id: String::new(),
    };
    tallymark::events::emit(&event, &Worker::default());
}
