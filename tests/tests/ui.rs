//! Compile-time rules: every error is checked with its exact text and where it points
//! (`ui/fail/*.stderr`); the pass cases compile under `#![deny(warnings)]`. With the `hashed`
//! feature (a default of this crate): `ui/fail/layout_privacy_mistakes.rs` hashes fields.
#![cfg(feature = "hashed")]

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
