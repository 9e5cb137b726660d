use kiloclaw::state::InstanceState;
use kiloclaw::telemetry::{Delivery, KiloClawEvent};

#[derive(tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "reconcile.", fields(delivery = Delivery::Reconcile))]
enum Action {
    RepairMount {
        #[tallymark(to = lable)]
        label: String,
    },
}

fn main() {}
