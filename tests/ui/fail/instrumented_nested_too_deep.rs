fn f(x: u8) -> u8 {
    x
}

// Syntax nested past the macros' bound (32 levels, the function's `->` and braces two of them):
// one error, at the first bracket too deep; the function is left as it is and still compiles.
#[tallymark::instrumented(tallymark_tests::Sample, event = "e")]
fn handler() -> u8 {
    f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(f(1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
}

fn main() {
    handler();
}
