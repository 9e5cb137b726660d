
#[derive(tallymark::events::Event)]
#[tallymark(
    layout = tallymark_tests::JobEvent,
    prefix = "sweep.",
    fields(channel = tallymark_tests::Channel::CronJob)
)]
enum Sweep {
    Retried {
        #[tallymark(to = label)]
        label: String,
        #[tallymark(to = label)]
        summary: String,
    },
    Other {
        #[tallymark(to = channel)]
        via: String,
    },
}

fn main() {}
