//! `SCHEMA.md`, the example's committed description of its dataset (a column table and a query
//! that names every column), must match what its layout exports. Regenerate it with
//! `TALLYMARK_BLESS=1 cargo test -p kiloclaw --test schema`.

use kiloclaw::telemetry::KiloClawEvent;
use tallymark::Layout;

fn generated() -> String {
    let schema = KiloClawEvent::SCHEMA;
    format!(
        "# The datasets of examples/kiloclaw\n\nGenerated from the layouts by `tests/schema.rs` \
         (`TALLYMARK_BLESS=1 cargo test -p kiloclaw --test schema`); `tallymark.lock` records \
         their history.\n\n{}\nEvery column by name, for Analytics Engine's SQL API:\n\n```sql\n{}\n```\n",
        schema.to_markdown(),
        schema.to_sql()
    )
}

#[test]
fn the_committed_schema_document_matches_the_layout() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/SCHEMA.md");
    let expected = generated();
    if std::env::var_os("TALLYMARK_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "SCHEMA.md is out of date: run `TALLYMARK_BLESS=1 cargo test -p kiloclaw --test schema` and commit it"
    );
}

/// The lock and the exports describe the same columns: every slot the lock gives the layout
/// holds, under the same name, the field the layout's schema (and so `SCHEMA.md`) puts there.
#[test]
fn the_schema_lock_and_the_exports_name_the_same_columns() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tallymark.lock"))
        .expect("the example commits its lock");
    let schema = KiloClawEvent::SCHEMA;
    let section = lock
        .split("\nlayout ")
        .find(|section| section.starts_with("KiloClawEvent "))
        .expect("the layout's section");
    let header = section.lines().next().unwrap();
    assert_eq!(
        header,
        format!(
            "KiloClawEvent dataset {} binding {}",
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
    assert_eq!(locked, exported);
}
