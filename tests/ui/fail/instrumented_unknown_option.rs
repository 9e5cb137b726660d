use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, rout = "GET /users")]
fn misspelled_option() {}

#[tallymark::instrumented(Sample, event = "login", user = String::new())]
fn field_outside_fields() {}

fn main() {
    misspelled_option();
    field_outside_fields();
}
