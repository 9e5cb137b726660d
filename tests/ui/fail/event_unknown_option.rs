#[derive(tallymark::events::Event)]
#[tallymark(layout = kiloclaw::telemetry::KiloClawEvent, prefx = "reconcile.")]
enum Action {
    #[tallymark(nmae = "x")]
    Sweep,
}

fn main() {}
