use tallymark::record as remember;
use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "e")]
async fn handler(id: String) {
    remember!(user = id);
}

fn main() {
    drop(handler(String::new()));
}
