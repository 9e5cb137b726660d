//! A layout's schema exported for the tools that read its rows: JSON for programs, SQL for
//! Analytics Engine's SQL API (a projection that names every column), Markdown for a repository's
//! docs. The SQL and the Markdown list the index, then the blobs, then the doubles, by column; the
//! JSON lists the fields in the order the description gives them.
//!
//! A [`Layout`] describes what is exported. The runtime describes a layout from its `Schema`
//! (fields in declaration order, each with its Rust type), the `tallymark` command from a lock's
//! section (fields in column order, a number as `f64`): both render here, so the same layout
//! exports the same text wherever those two agree.
//!
//! ```
//! use tallymark_schema::export::{Field, Layout};
//! use tallymark_schema::Place;
//!
//! let layout = Layout {
//!     layout: "LinkEvent",
//!     dataset: "links",
//!     binding: "LINKS",
//!     fields: vec![
//!         Field { name: "event", ty: "String", index: true, slot: Some(Place::Blob(1)), doc: "The name." },
//!         Field { name: "duration_ms", ty: "f64", index: false, slot: Some(Place::Double(1)), doc: "" },
//!     ],
//! };
//! assert_eq!(
//!     layout.to_sql(),
//!     "SELECT\n  timestamp,\n  _sample_interval,\n  blob1 AS event,\n  double1 AS duration_ms\nFROM links"
//! );
//! ```

use crate::{Place, Section};
use std::fmt::Write as _;

/// A layout, as its exports describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout<'a> {
    /// The layout's type name.
    pub layout: &'a str,
    /// Its Analytics Engine dataset.
    pub dataset: &'a str,
    /// Its binding in the Worker's env.
    pub binding: &'a str,
    /// Its fields, in the order the JSON lists them.
    pub fields: Vec<Field<'a>>,
}

/// One field of a [`Layout`].
#[derive(Clone, Debug, PartialEq)]
pub struct Field<'a> {
    /// The field's name.
    pub name: &'a str,
    /// Its type as declared: `String`, `Vec<u8>`, `f64`, an enum's name.
    pub ty: &'a str,
    /// Whether it is (also) the index.
    pub index: bool,
    /// Its blob or double slot; `None` for a field that is only the index.
    pub slot: Option<Place>,
    /// Its doc comment.
    pub doc: &'a str,
}

impl Layout<'_> {
    /// Every column with the field it holds, in the order Analytics Engine numbers them: the
    /// index, blobs, doubles.
    fn columns(&self) -> Vec<(Place, &Field<'_>)> {
        let mut columns: Vec<(Place, &Field<'_>)> = Vec::new();
        for field in &self.fields {
            if field.index {
                columns.push((Place::Index, field));
            }
            if let Some(slot) = field.slot.filter(|slot| *slot != Place::Index) {
                columns.push((slot, field));
            }
        }
        columns.sort_by_key(|(place, _)| place.order());
        columns
    }

    /// The highest slot of a kind that a field holds: points carry exactly this many.
    fn highest(&self, of: fn(Place) -> Option<u8>) -> u8 {
        self.fields
            .iter()
            .filter_map(|field| field.slot.and_then(of))
            .max()
            .unwrap_or(0)
    }

    /// The layout as JSON:
    /// `{"layout","dataset","binding","blobCount","doubleCount","fields":[{"name","type","index","column","doc"}]}`
    /// where `column` is `blob3`, `double1`, or `null` for an index-only field.
    pub fn to_json(&self) -> String {
        let fields: Vec<serde_json::Value> = self
            .fields
            .iter()
            .map(|field| {
                serde_json::json!({
                    "name": field.name,
                    "type": field.ty,
                    "index": field.index,
                    "column": field.slot.map(|slot| slot.column()),
                    "doc": field.doc,
                })
            })
            .collect();
        let blobs = self.highest(|place| match place {
            Place::Blob(n) => Some(n),
            _ => None,
        });
        let doubles = self.highest(|place| match place {
            Place::Double(n) => Some(n),
            _ => None,
        });
        serde_json::json!({
            "layout": self.layout,
            "dataset": self.dataset,
            "binding": self.binding,
            "blobCount": blobs,
            "doubleCount": doubles,
            "fields": fields,
        })
        .to_string()
    }

    /// A query for Analytics Engine's SQL API that selects every column under its field's name,
    /// with `timestamp` and `_sample_interval` (weigh counts and sums by it: rows are sampled).
    /// A field that is both the index and a blob is selected once, from its blob.
    pub fn to_sql(&self) -> String {
        let mut selected = vec!["timestamp".to_owned(), "_sample_interval".to_owned()];
        for (place, field) in self.columns() {
            let also_a_blob = place == Place::Index && field.slot.is_some();
            if !also_a_blob {
                selected.push(format!("{} AS {}", place.column(), field.name));
            }
        }
        format!(
            "SELECT\n  {}\nFROM {}",
            selected.join(",\n  "),
            self.dataset
        )
    }

    /// A Markdown section for a repository's docs: the dataset, its binding and layout, and a
    /// table of its columns with each field's name, type and doc comment (on one line).
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### `{}`\n\nBinding `{}`, layout `{}`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n",
            self.dataset, self.binding, self.layout
        );
        for (place, field) in self.columns() {
            let doc = field.doc.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(
                out,
                "| `{}` | `{}` | `{}` | {} |",
                place.column(),
                field.name,
                field.ty,
                doc.replace('|', "\\|")
            );
        }
        out
    }
}

/// The Rust type a lock kind stands for (`text hashed` → `String`).
fn type_of(kind: &str) -> &str {
    let kind = kind
        .strip_suffix(" hashed")
        .or_else(|| kind.strip_suffix(" redacted"))
        .unwrap_or(kind);
    match kind {
        "text" => "String",
        "bytes" => "Vec<u8>",
        "number" => "f64",
        other => other.strip_prefix("enum ").unwrap_or(other),
    }
}

impl<'a> Layout<'a> {
    /// A lock's section as its exports describe it: its live fields in column order, each once
    /// (a field that is the index and a blob takes both). The lock keeps slots, kinds and
    /// one-line docs, not the order fields are declared in nor the Rust type of a number: so the
    /// JSON lists fields in column order and a number's type is `f64`, where a layout's `Schema`
    /// gives declaration order and the declared type. The SQL and the Markdown are the same.
    pub fn of_lock(section: &'a Section) -> Self {
        let mut entries: Vec<_> = section.entries.iter().filter(|e| !e.retired()).collect();
        entries.sort_by_key(|e| e.place.order());
        let mut fields: Vec<Field<'_>> = Vec::new();
        for entry in entries {
            let slot = (entry.place != Place::Index).then_some(entry.place);
            if let Some(field) = fields.iter_mut().find(|f| f.name == entry.field) {
                field.slot = field.slot.or(slot);
                continue;
            }
            fields.push(Field {
                name: &entry.field,
                ty: type_of(&entry.kind),
                index: entry.place == Place::Index,
                slot,
                doc: &entry.doc,
            });
        }
        Layout {
            layout: &section.layout,
            dataset: &section.dataset,
            binding: &section.binding,
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Declared out of column order, with an index-only field and a gap in the blobs.
    fn layout() -> Layout<'static> {
        Layout {
            layout: "Probe",
            dataset: "probes",
            binding: "PROBES",
            fields: vec![
                Field {
                    name: "duration_ms",
                    ty: "f64",
                    index: false,
                    slot: Some(Place::Double(1)),
                    doc: "Time |\n in ms.",
                },
                Field {
                    name: "note",
                    ty: "String",
                    index: false,
                    slot: Some(Place::Blob(3)),
                    doc: "",
                },
                Field {
                    name: "event",
                    ty: "String",
                    index: false,
                    slot: Some(Place::Blob(1)),
                    doc: "The name.",
                },
                Field {
                    name: "tenant",
                    ty: "String",
                    index: true,
                    slot: None,
                    doc: "Who.",
                },
            ],
        }
    }

    #[test]
    fn json_keeps_the_given_field_order_and_counts_the_highest_slots() {
        assert_eq!(
            layout().to_json(),
            r#"{"binding":"PROBES","blobCount":3,"dataset":"probes","doubleCount":1,"fields":[{"column":"double1","doc":"Time |\n in ms.","index":false,"name":"duration_ms","type":"f64"},{"column":"blob3","doc":"","index":false,"name":"note","type":"String"},{"column":"blob1","doc":"The name.","index":false,"name":"event","type":"String"},{"column":null,"doc":"Who.","index":true,"name":"tenant","type":"String"}],"layout":"Probe"}"#
        );
    }

    #[test]
    fn sql_selects_each_column_once_in_column_order() {
        assert_eq!(
            layout().to_sql(),
            "SELECT\n  timestamp,\n  _sample_interval,\n  index1 AS tenant,\n  blob1 AS event,\n  blob3 AS note,\n  double1 AS duration_ms\nFROM probes"
        );
    }

    #[test]
    fn markdown_lists_every_column_with_its_doc_on_one_line() {
        assert_eq!(
            layout().to_markdown(),
            "### `probes`\n\nBinding `PROBES`, layout `Probe`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n\
             | `index1` | `tenant` | `String` | Who. |\n\
             | `blob1` | `event` | `String` | The name. |\n\
             | `blob3` | `note` | `String` |  |\n\
             | `double1` | `duration_ms` | `f64` | Time \\| in ms. |\n"
        );
    }

    const LOCK: &str = "layout Event dataset events binding EVENTS
  index event text  # The name.
  blob1 event text  # The name.
  blob2 kind enum Kind
  blob3 retired old
  blob4 secret text hashed
  double1 duration_ms number  # Time | ms.

enum Kind values plain fancy
";

    fn section() -> Section {
        crate::parse(LOCK).unwrap().sections.remove(0)
    }

    #[test]
    fn json_lists_each_live_field_once() {
        assert_eq!(
            Layout::of_lock(&section()).to_json(),
            r#"{"binding":"EVENTS","blobCount":4,"dataset":"events","doubleCount":1,"fields":[{"column":"blob1","doc":"The name.","index":true,"name":"event","type":"String"},{"column":"blob2","doc":"","index":false,"name":"kind","type":"Kind"},{"column":"blob4","doc":"","index":false,"name":"secret","type":"String"},{"column":"double1","doc":"Time | ms.","index":false,"name":"duration_ms","type":"f64"}],"layout":"Event"}"#
        );
    }

    #[test]
    fn sql_and_markdown_name_every_column() {
        assert_eq!(
            Layout::of_lock(&section()).to_sql(),
            "SELECT\n  timestamp,\n  _sample_interval,\n  blob1 AS event,\n  blob2 AS kind,\n  blob4 AS secret,\n  double1 AS duration_ms\nFROM events"
        );
        assert_eq!(
            Layout::of_lock(&section()).to_markdown(),
            "### `events`\n\nBinding `EVENTS`, layout `Event`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n\
             | `index1` | `event` | `String` | The name. |\n\
             | `blob1` | `event` | `String` | The name. |\n\
             | `blob2` | `kind` | `Kind` |  |\n\
             | `blob4` | `secret` | `String` |  |\n\
             | `double1` | `duration_ms` | `f64` | Time \\| ms. |\n"
        );
    }
}
