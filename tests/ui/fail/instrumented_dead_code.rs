#![deny(dead_code)]
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e")]
fn never_called() {}

fn main() {
    Sample::point().event("x").user("u").emit();
}
