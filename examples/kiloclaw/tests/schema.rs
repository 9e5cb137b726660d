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
