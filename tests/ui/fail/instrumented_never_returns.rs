// A function that never returns has no result to classify: one error, at its `!`.
#[tallymark::instrumented(tallymark_tests::Sample, event = "e")]
fn never() -> ! {
    panic!("stops here")
}

fn main() {
    if std::env::args().count() > 99 {
        never();
    }
}
