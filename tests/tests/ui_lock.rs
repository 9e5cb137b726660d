//! The schema lock's rules (macros-core/src/lock.rs): each change a lock forbids is one error
//! at its field, quoting the lock's line (`ui/lock/fail/*.stderr`); an explicit rename compiles.
//! A test binary of its own: the lock is named through the environment of this process, which
//! the compiler runs trybuild starts inherit.

#[test]
fn ui_lock() {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/lock/tallymark.lock");
    // Only this process's cargo and rustc see these; no other test runs in this binary. The cases
    // are checked against the lock, never written into it, even under `TALLYMARK_LOCK=write`.
    std::env::remove_var("TALLYMARK_LOCK");
    std::env::set_var("TALLYMARK_LOCK_PATH", lock);
    let cases = trybuild::TestCases::new();
    cases.pass("ui/lock/pass/*.rs");
    cases.compile_fail("ui/lock/fail/*.rs");
}
