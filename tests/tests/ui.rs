//! Compile-time rules: every error is checked with its exact text and where it points
//! (`ui/fail/*.stderr`); the pass cases compile under `#![deny(warnings)]`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
