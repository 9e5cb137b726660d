//! A layout's schema exported for the tools that read its rows: JSON for programs, SQL for
//! Analytics Engine's SQL API (a projection that names every column), Markdown for a repository's
//! docs. The rendering is `tallymark_schema::export`'s, shared with `tallymark schema export`.

use crate::schema::{Schema, Slot};
use tallymark_schema::export::{Field, Layout};
use tallymark_schema::Place;

impl Schema {
    /// The layout as its exports describe it: its fields in declaration order, each with its
    /// Rust type. `tallymark schema export` describes a lock's layouts alike, and both render
    /// through the same code.
    fn description(&self) -> Layout<'_> {
        Layout {
            layout: self.layout(),
            dataset: self.dataset(),
            binding: self.binding(),
            fields: self
                .fields()
                .iter()
                .map(|field| Field {
                    name: field.name(),
                    ty: field.ty(),
                    index: field.is_index(),
                    slot: field.slot().map(|slot| match slot {
                        Slot::Blob(n) => Place::Blob(n),
                        Slot::Double(n) => Place::Double(n),
                    }),
                    doc: field.doc(),
                })
                .collect(),
        }
    }

    /// The schema as JSON, for tools (exporting the layout, naming columns in queries and tables):
    /// `{"layout","dataset","binding","blobCount","doubleCount","fields":[{"name","type","index","column","doc"}]}`
    /// where `column` is `blob3`, `double1`, or `null` for an index-only field; fields in
    /// declaration order.
    pub fn to_json(&self) -> String {
        self.description().to_json()
    }

    /// A query for Analytics Engine's SQL API that selects every column under its field's name,
    /// with `timestamp` and `_sample_interval` (weigh counts and sums by it: rows are sampled).
    /// A field that is both the index and a blob is selected once, from its blob.
    ///
    /// ```
    /// #[tallymark::layout(dataset = "links", binding = "LINKS")]
    /// pub struct LinkEvent {
    ///     #[index] #[blob(1)] event: String,
    ///     #[blob(2)] owner: String,
    ///     #[double(1)] duration_ms: f64,
    /// }
    ///
    /// use tallymark::Layout;
    /// assert_eq!(
    ///     LinkEvent::SCHEMA.to_sql(),
    ///     "SELECT\n  timestamp,\n  _sample_interval,\n  blob1 AS event,\n  blob2 AS owner,\n  double1 AS duration_ms\nFROM links"
    /// );
    /// ```
    pub fn to_sql(&self) -> String {
        self.description().to_sql()
    }

    /// A Markdown section for a repository's docs: the dataset, its binding and layout, and a
    /// table of its columns (the index, blobs, doubles) with each field's name, type and doc
    /// comment.
    pub fn to_markdown(&self) -> String {
        self.description().to_markdown()
    }
}

#[cfg(test)]
mod tests {
    use crate::test_layout::Probe;
    use crate::Layout;

    #[test]
    fn markdown_lists_every_column_in_column_order() {
        assert_eq!(
            Probe::SCHEMA.to_markdown(),
            "### `probes`\n\nBinding `PROBES`, layout `Probe`.\n\n\
             | column | field | type | meaning |\n|---|---|---|---|\n\
             | `index1` | `event` | `String` |  |\n\
             | `blob1` | `event` | `String` |  |\n\
             | `blob2` | `note` | `String` |  |\n\
             | `blob4` | `error` | `String` |  |\n\
             | `double1` | `duration_ms` | `f64` |  |\n"
        );
    }

    #[test]
    fn the_query_names_each_column_once() {
        assert_eq!(
            Probe::SCHEMA.to_sql(),
            "SELECT\n  timestamp,\n  _sample_interval,\n  blob1 AS event,\n  blob2 AS note,\n  \
             blob4 AS error,\n  double1 AS duration_ms\nFROM probes"
        );
    }
}
