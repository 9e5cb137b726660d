use kiloclaw::state::InstanceState;
use kiloclaw::telemetry::{Delivery, KiloClawEvent};

#[derive(tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "instance.", fields(delivery = Delivery::Do))]
enum Lifecycle {
    Started {
        #[tallymark(to = user_id)]
        user_id: String,
        #[tallymark(to = fly_region)]
        region: String,
    },
}

fn main() {}
