// A rule of another type than `fn(&R) -> bool` for the function's return type `R`: an error at
// the rule.
fn is_small(value: &u8) -> bool {
    *value < 10
}

#[tallymark::instrumented(tallymark_tests::Sample, event = "e", ok_if = is_small)]
fn handler() -> Result<u8, String> {
    Ok(1)
}

fn main() {
    let _ = handler();
}
