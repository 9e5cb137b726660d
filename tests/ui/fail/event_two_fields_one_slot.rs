
#[derive(tallymark::Event)]
#[event(
    layout = kiloclaw::telemetry::KiloClawEvent,
    prefix = "reconcile.",
    fields(delivery = kiloclaw::telemetry::Delivery::Reconcile)
)]
enum Action {
    RepairMount {
        #[to(label)]
        label: String,
        #[to(label)]
        summary: String,
    },
    Other {
        #[to(delivery)]
        channel: String,
    },
}

fn main() {}
