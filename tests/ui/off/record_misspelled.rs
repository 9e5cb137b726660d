// Under `off` a `record!` in the body still checks its fields against the layout.
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e")]
fn handler(id: String) {
    tallymark::record!(usr = id);
}

fn main() {
    handler(String::new());
}
