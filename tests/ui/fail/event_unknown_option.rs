#[derive(tallymark::Event)]
#[event(layout = kiloclaw::telemetry::KiloClawEvent, prefx = "reconcile.")]
enum Action {
    #[event(nmae = "x")]
    Sweep,
}

fn main() {}
