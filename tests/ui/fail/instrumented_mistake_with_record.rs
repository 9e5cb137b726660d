// A mistake in the attribute gives its one error; the body's `record!` adds none.
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, evnt = "e")]
fn handler(id: String) {
    tallymark::record!(user = id);
}

fn main() {
    handler(String::new());
}
