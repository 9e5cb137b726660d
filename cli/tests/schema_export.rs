//! `tallymark schema export` from a lock gives what `tallymark::Schema::to_json`, `to_sql` and
//! `to_markdown` give at run time for the same layout. The layout's lock is `cli/tallymark.lock`,
//! written by the layout macro (`TALLYMARK_LOCK=write cargo test -p tallymark-cli --no-run`) and
//! checked by it on every build, so the lock cannot drift from the layout below.

use std::process::Command;
use tallymark::Layout;

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Plan {
    Free,
    Pro,
}

/// Declared in column order with `f64` doubles and one-line docs: what a lock records in full.
#[tallymark::layout(dataset = "export_events", binding = "EXPORT_EVENTS")]
pub struct ExportEvent {
    /// The event name: `links.create`, ...
    #[index]
    #[blob(1)]
    event: String,
    /// Who | did it.
    #[blob(2)]
    owner: String,
    #[blob(3)]
    plan: Plan,
    /// Raw bytes.
    #[blob(5)]
    digest: Vec<u8>,
    /// Milliseconds.
    #[double(1)]
    duration_ms: f64,
    #[double(3)]
    size: f64,
}

fn export(format: &str) -> String {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock");
    let output = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .args([
            "schema",
            "export",
            "--lock",
            lock,
            "--layout",
            "ExportEvent",
        ])
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn json_is_the_runtimes() {
    assert_eq!(export("json"), ExportEvent::SCHEMA.to_json() + "\n");
}

#[test]
fn sql_is_the_runtimes() {
    assert_eq!(export("sql"), ExportEvent::SCHEMA.to_sql() + "\n");
}

#[test]
fn markdown_is_the_runtimes() {
    assert_eq!(export("markdown"), ExportEvent::SCHEMA.to_markdown());
}

#[test]
fn the_lock_is_sound() {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock");
    let output = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .args(["schema", "check", "--lock", lock])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{lock}: 1 layouts, 1 enums, sound\n")
    );
}
