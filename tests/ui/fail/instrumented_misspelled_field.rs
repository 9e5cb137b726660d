use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e", fields(usr = String::from("u1")))]
fn handler() {}

fn main() {
    handler();
}
