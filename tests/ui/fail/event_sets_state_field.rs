use tallymark_tests::{Channel, JobEvent, Phase, Worker};

// `owner` and `region` are locked by the state: two errors, `owner`'s naming both events that
// set it. `phase` is the state's too, but overridable: an event may set it.
#[derive(tallymark::events::Event)]
#[tallymark(layout = JobEvent, state = Worker, prefix = "job.", fields(channel = Channel::Queue))]
enum Lifecycle {
    Started {
        #[tallymark(to = owner)]
        owner: String,
        #[tallymark(to = region)]
        region: String,
        #[tallymark(to = phase)]
        phase: Phase,
    },
    Finished {
        #[tallymark(to = owner)]
        owner: String,
    },
}

fn main() {}
