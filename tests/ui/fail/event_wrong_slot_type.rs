use kiloclaw::state::InstanceState;
use kiloclaw::telemetry::{Delivery, KiloClawEvent};

#[derive(tallymark::Event)]
#[event(layout = KiloClawEvent, state = InstanceState, prefix = "reconcile.", fields(delivery = Delivery::Reconcile))]
enum Action {
    RepairMount {
        #[to(duration_ms)]
        duration_ms: String,
    },
}

fn main() {}
