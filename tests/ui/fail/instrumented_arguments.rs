use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, route = "status")]
fn bad_route() {}

#[tallymark::instrumented(Sample, fields(user = String::new()))]
fn unnamed() {}

#[tallymark::instrumented(Sample, event = "e", event = "f")]
fn duplicate() {}

#[tallymark::instrumented(Sample, event = "")]
fn empty_event() {}

#[tallymark::instrumented(Sample, event = "e")]
const fn constant() {}

#[tallymark::instrumented]
fn no_layout() {}

fn main() {
    bad_route();
    unnamed();
    duplicate();
    empty_event();
    constant();
    no_layout();
}
