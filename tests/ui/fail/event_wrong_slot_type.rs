use tallymark_tests::{Channel, JobEvent, Worker};

#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "sweep.", fields(channel = Channel::CronJob))]
enum Sweep {
    Retried {
        #[tallymark(to = duration_ms)]
        duration_ms: String,
    },
}

fn main() {}
