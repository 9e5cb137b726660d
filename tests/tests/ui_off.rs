//! The compile errors of the instrumentation macros are the same with the `off` feature, which
//! compiles instrumentation out: code that builds with `off` builds without it. Run with
//! `cargo test -p tallymark-tests --no-default-features --features off --test ui_off` (the test
//! script's native stage).
#![cfg(feature = "off")]

#[test]
fn ui_off() {
    trybuild::TestCases::new().compile_fail("ui/off/*.rs");
}
