//! Raw identifiers (`r#type`) name a field, a detail and an event by the name they spell: the
//! schema, its SQL, the console lines and the points never carry the `r#`.

use std::cell::RefCell;
use tallymark::events::Reconcile;
use tallymark::sink::{MemoryLines, MemorySink};
use tallymark::{Layout, Scope};

/// A layout with a field named by a keyword.
#[tallymark::layout(dataset = "kinds", binding = "KINDS")]
pub struct Kinds {
    #[index]
    #[blob(1)]
    event: String,
    /// The kind of thing.
    #[blob(2)]
    r#type: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Kinds, prefix = "kinds.")]
pub enum KindEvent {
    Seen {
        #[tallymark(to = r#type)]
        r#type: String,
        r#match: u32,
    },
}

#[test]
fn a_raw_identifier_names_its_field_detail_and_key_without_the_prefix() {
    let schema = <Kinds as Layout>::SCHEMA;
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["event", "type"]);
    assert!(
        schema.to_sql().contains("blob2 AS type"),
        "{}",
        schema.to_sql()
    );

    let (sink, lines, state) = (MemorySink::new(), MemoryLines::new(), RefCell::new(()));
    Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(|| {
            Reconcile::new("alarm", &state).log(&KindEvent::Seen {
                r#type: "disk".into(),
                r#match: 2,
            });
            Kinds::point().event("by_hand").r#type("net").emit();
        });
    assert_eq!(
        lines.lines(),
        [r#"{"reason":"alarm","event":"kinds.seen","type":"disk","match":2}"#]
    );
    let points: Vec<_> = sink
        .points()
        .iter()
        .map(|p| p.blob_texts().join(","))
        .collect();
    assert_eq!(points, ["kinds.seen,disk", "by_hand,net"]);
    assert_eq!(sink.last().unwrap().text("type"), Some("net"));
}
