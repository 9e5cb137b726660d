// A function nested in an instrumented body cannot reach its call: the nested function's
// `record!` is refused at its own tokens, as one outside any instrumented body is.
#[tallymark::instrumented(tallymark_tests::Sample, event = "outer")]
fn outer(user: &str) -> u8 {
    fn helper(user: &str) {
        tallymark::record!(user = user.to_owned());
    }
    helper(user);
    1
}

fn main() {
    let _ = outer("ada");
}
