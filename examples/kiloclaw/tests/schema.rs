//! `SCHEMA.md`, the example's committed description of its datasets (per dataset, a column table
//! and a query that names every column), must match what its layouts export. The switch that
//! rewrites the lock rewrites it too: `TALLYMARK_LOCK=write cargo test -p kiloclaw` updates
//! `tallymark.lock` (the layout macro, as the crate compiles) and `SCHEMA.md` (this test) at once.

use kiloclaw::controller::ControllerEvent;
use kiloclaw::telemetry::KiloClawEvent;
use tallymark::{Layout, Schema};

/// Every layout of the example, one per dataset.
const SCHEMAS: [&Schema; 2] = [KiloClawEvent::SCHEMA, ControllerEvent::SCHEMA];

fn generated() -> String {
    let mut text = String::from(
        "# The datasets of examples/kiloclaw\n\nGenerated from the layouts by `tests/schema.rs` \
         (`TALLYMARK_LOCK=write cargo test -p kiloclaw`, which rewrites `tallymark.lock` too); \
         the lock records their history.\n",
    );
    for schema in SCHEMAS {
        text.push_str(&format!(
            "\n{}\nEvery column by name, for Analytics Engine's SQL API:\n\n```sql\n{}\n```\n",
            schema.to_markdown(),
            schema.to_sql()
        ));
    }
    text
}

#[test]
fn the_committed_schema_document_matches_the_layout() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/SCHEMA.md");
    let expected = generated();
    if std::env::var("TALLYMARK_LOCK").as_deref() == Ok("write") {
        std::fs::write(path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "SCHEMA.md is out of date: run `TALLYMARK_LOCK=write cargo test -p kiloclaw` and commit the diff"
    );
}

/// The lock and the exports describe the same columns: for every layout, every slot the lock
/// gives it holds, under the same name, the field the layout's schema (and so `SCHEMA.md`) puts
/// there.
#[test]
fn the_schema_lock_and_the_exports_name_the_same_columns() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock"))
        .expect("the example commits its lock");
    for schema in SCHEMAS {
        assert_lock_names_the_exported_columns(&lock, schema);
    }
}

fn assert_lock_names_the_exported_columns(lock: &str, schema: &Schema) {
    let layout = schema.layout();
    let section = lock
        .split("\nlayout ")
        .find(|section| section.starts_with(&format!("{layout} ")))
        .expect("the layout's section");
    let header = section.lines().next().unwrap();
    assert_eq!(
        header,
        format!(
            "{layout} dataset {} binding {}",
            schema.dataset(),
            schema.binding()
        )
    );
    let mut locked = Vec::new();
    for line in section
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("  "))
    {
        let mut words = line.split_whitespace();
        let (column, field) = (words.next().unwrap(), words.next().unwrap());
        if field != "retired" {
            locked.push((column.to_owned(), field.to_owned()));
        }
    }
    let mut exported: Vec<(String, String)> = Vec::new();
    for field in schema.fields() {
        if field.is_index() {
            exported.push(("index".to_owned(), field.name().to_owned()));
        }
        if let Some(slot) = field.slot() {
            exported.push((slot.column(), field.name().to_owned()));
        }
    }
    locked.sort();
    exported.sort();
    assert_eq!(locked, exported, "{layout}");
}

/// The exports made from the lock alone (`tallymark schema export --lock tallymark.lock`) are the
/// layouts' own: the same SQL and the same Markdown for both datasets, so `SCHEMA.md` could be
/// made from either.
#[test]
fn the_locks_exports_are_the_layouts() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock"))
        .expect("the example commits its lock");
    let lock = tallymark_schema::parse(&text).expect("the lock reads");
    for schema in SCHEMAS {
        let section = lock
            .sections
            .iter()
            .find(|section| section.layout == schema.layout())
            .expect("the layout's section");
        let exported = tallymark_schema::export::Layout::of_lock(section);
        assert_eq!(exported.to_sql(), schema.to_sql(), "{}", schema.layout());
        assert_eq!(
            exported.to_markdown(),
            schema.to_markdown(),
            "{}",
            schema.layout()
        );
    }
}
