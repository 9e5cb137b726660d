use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e")]
async fn handler(id: String) {
    tallymark::record!(usr = id);
}

fn main() {
    drop(handler(String::new()));
}
