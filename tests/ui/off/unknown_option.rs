// Under `off` the attribute's options are checked as without it.
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, evnt = "e")]
fn handler() {}

fn main() {
    handler();
}
