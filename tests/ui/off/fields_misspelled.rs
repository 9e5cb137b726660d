// Under `off` the attribute still checks its fields against the layout.
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e", fields(usr = id))]
fn handler(id: String) {
    let _ = id;
}

fn main() {
    handler(String::new());
}
