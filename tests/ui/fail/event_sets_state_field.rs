use kiloclaw::state::InstanceState;
use kiloclaw::telemetry::{Delivery, KiloClawEvent};

#[derive(tallymark::Event)]
#[event(layout = KiloClawEvent, state = InstanceState, prefix = "instance.", fields(delivery = Delivery::Do))]
enum Lifecycle {
    Started {
        #[to(user_id)]
        user_id: String,
        #[to(fly_region)]
        region: String,
    },
}

fn main() {}
