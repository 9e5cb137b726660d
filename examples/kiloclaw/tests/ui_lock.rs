//! The committed `tallymark.lock` at work: a layout that moves `sandbox_id` to another slot, or
//! changes the kind a slot holds, fails to compile with one error at the field, quoting the
//! lock's line (`tests/ui/*.stderr`). A test binary of its own: the lock is named through the
//! environment of this process, which the compilers trybuild starts inherit.

#[test]
fn the_committed_lock_rejects_a_moved_field_and_a_changed_kind() {
    // Only this process's cargo and rustc see these; no other test runs in this binary. The cases
    // are checked against the lock, never written into it, even under `TALLYMARK_LOCK=write`.
    std::env::remove_var("TALLYMARK_LOCK");
    std::env::set_var(
        "TALLYMARK_LOCK_PATH",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock"),
    );
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
