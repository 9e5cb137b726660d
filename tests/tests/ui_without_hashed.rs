//! Without tallymark's `hashed` feature a `#[hashed]` field is one compile error, at its attribute,
//! naming the feature. Run with
//! `cargo test -p tallymark-tests --no-default-features --features off --test ui_without_hashed`
//! (the test script's native stage, in the same build as `ui_off`).
#![cfg(not(feature = "hashed"))]

#[test]
fn ui_without_hashed() {
    trybuild::TestCases::new().compile_fail("ui/without_hashed/*.rs");
}
