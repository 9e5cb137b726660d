#[derive(tallymark::events::Event)]
#[tallymark(layout = tallymark_tests::JobEvent, prefx = "sweep.")]
enum Sweep {
    #[tallymark(nmae = "x")]
    Drain,
}

fn main() {}
