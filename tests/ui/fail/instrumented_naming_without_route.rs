use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, event = "login", naming = "api_crud")]
fn login() {}

fn main() {
    login();
}
