//! A layout's schema exported for the tools that read its rows: JSON for programs, SQL for
//! Analytics Engine's SQL API (a projection that names every column), Markdown for a repository's
//! docs. Each lists the index, then the blobs, then the doubles, by column.

use crate::schema::{FieldSchema, Schema, Slot};
use std::fmt::Write as _;

/// One column of a point and the field it holds.
struct Column {
    /// `index1`, `blob3`, `double1`.
    name: String,
    field: &'static FieldSchema,
}

/// Every column, in the order Analytics Engine numbers them: the index, blobs, doubles.
fn columns(schema: &Schema) -> Vec<Column> {
    let mut columns: Vec<(u8, u8, Column)> = Vec::new();
    for field in schema.fields() {
        if field.is_index() {
            let name = "index1".to_owned();
            columns.push((0, 1, Column { name, field }));
        }
        match field.slot() {
            Some(slot @ Slot::Blob(n)) => columns.push((
                1,
                n,
                Column {
                    name: slot.column(),
                    field,
                },
            )),
            Some(slot @ Slot::Double(n)) => {
                columns.push((
                    2,
                    n,
                    Column {
                        name: slot.column(),
                        field,
                    },
                ));
            }
            None => {}
        }
    }
    columns.sort_by_key(|(group, n, _)| (*group, *n));
    columns.into_iter().map(|(_, _, column)| column).collect()
}

impl Schema {
    /// The schema as JSON, for tools (exporting the layout, naming columns in queries and tables):
    /// `{"layout","dataset","binding","blobCount","doubleCount","fields":[{"name","type","index","column","doc"}]}`
    /// where `column` is `blob3`, `double1`, or `null` for an index-only field.
    pub fn to_json(&self) -> String {
        let fields: Vec<serde_json::Value> = self
            .fields()
            .iter()
            .map(|field| {
                serde_json::json!({
                    "name": field.name(),
                    "type": field.ty(),
                    "index": field.is_index(),
                    "column": field.slot().map(|slot| slot.column()),
                    "doc": field.doc(),
                })
            })
            .collect();
        serde_json::json!({
            "layout": self.layout(),
            "dataset": self.dataset(),
            "binding": self.binding(),
            "blobCount": self.blob_count(),
            "doubleCount": self.double_count(),
            "fields": fields,
        })
        .to_string()
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
        let mut selected = vec!["timestamp".to_owned(), "_sample_interval".to_owned()];
        for column in columns(self) {
            let also_a_blob = column.name == "index1" && column.field.slot().is_some();
            if !also_a_blob {
                selected.push(format!("{} AS {}", column.name, column.field.name()));
            }
        }
        format!(
            "SELECT\n  {}\nFROM {}",
            selected.join(",\n  "),
            self.dataset()
        )
    }

    /// A Markdown section for a repository's docs: the dataset, its binding and layout, and a
    /// table of its columns with each field's name, type and doc comment.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### `{}`\n\nBinding `{}`, layout `{}`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n",
            self.dataset(),
            self.binding(),
            self.layout()
        );
        for column in columns(self) {
            let doc = column
                .field
                .doc()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(
                out,
                "| `{}` | `{}` | `{}` | {} |",
                column.name,
                column.field.name(),
                column.field.ty(),
                doc.replace('|', "\\|")
            );
        }
        out
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
