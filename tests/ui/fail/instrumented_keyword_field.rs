use tallymark_tests::Sample;

// A keyword is not a field name: one error at it, the other field kept.
#[tallymark::instrumented(Sample, event = "e", fields(use = String::from("u1"), user = String::from("u1")))]
fn handler() {}

fn main() {
    handler();
}
