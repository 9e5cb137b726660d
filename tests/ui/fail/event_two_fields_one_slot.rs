
#[derive(tallymark::events::Event)]
#[tallymark(
    layout = kiloclaw::telemetry::KiloClawEvent,
    prefix = "reconcile.",
    fields(delivery = kiloclaw::telemetry::Delivery::Reconcile)
)]
enum Action {
    RepairMount {
        #[tallymark(to = label)]
        label: String,
        #[tallymark(to = label)]
        summary: String,
    },
    Other {
        #[tallymark(to = delivery)]
        channel: String,
    },
}

fn main() {}
