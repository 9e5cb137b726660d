//! The const description of a layout: what each slot of a dataset means.
//!
//! `#[tallymark::layout]` generates one [`Schema`] per layout. It is the single source of truth for
//! slot positions: sinks use it to name fields, tools use it to export the layout or write queries.

use crate::point::DataPoint;

/// The description of one dataset's layout.
#[derive(Debug)]
pub struct Schema {
    /// The Rust type that declares the layout.
    pub layout: &'static str,
    /// Analytics Engine dataset name.
    pub dataset: &'static str,
    /// Name of the Analytics Engine binding in `wrangler.toml`.
    pub binding: &'static str,
    /// Every field, in declaration order.
    pub fields: &'static [FieldSchema],
    /// The highest blob slot declared: points carry exactly this many blobs.
    pub blob_count: usize,
    /// The highest double slot declared: points carry exactly this many doubles.
    pub double_count: usize,
    /// Emits one `tracing` event for a point of this layout, with the fields as `tracing` fields.
    /// (Generated, because `tracing` field names must be known at compile time.)
    pub trace: fn(&DataPoint<'_>),
}

/// One named field of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    /// The field's name, used as its key in console lines, the in-memory sink and queries.
    pub name: &'static str,
    /// The declared Rust type, as written.
    pub ty: &'static str,
    /// Whether the field is (also) the point's index.
    pub index: bool,
    /// The blob or double slot the field occupies, if any (an index-only field has none).
    pub slot: Option<Slot>,
    /// The field's doc comment.
    pub doc: &'static str,
}

/// A numbered slot, 1-based as in Analytics Engine's SQL columns (`blob1`, `double1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `blobN`
    Blob(u8),
    /// `doubleN`
    Double(u8),
}

impl Slot {
    /// The SQL column name: `blob3`, `double1`.
    pub fn column(&self) -> String {
        match self {
            Slot::Blob(n) => format!("blob{n}"),
            Slot::Double(n) => format!("double{n}"),
        }
    }
}

impl Schema {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&'static FieldSchema> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The schema as JSON, for tools (exporting the layout, naming columns in queries and tables):
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
        serde_json::json!({
            "layout": self.layout,
            "dataset": self.dataset,
            "binding": self.binding,
            "blobCount": self.blob_count,
            "doubleCount": self.double_count,
            "fields": fields,
        })
        .to_string()
    }

    /// The field that is the index (`#[tallymark::layout]` guarantees exactly one).
    pub const fn index_field(&self) -> Option<&'static FieldSchema> {
        let fields: &'static [FieldSchema] = self.fields;
        let mut i = 0;
        while i < fields.len() {
            if fields[i].index {
                return Some(&fields[i]);
            }
            i += 1;
        }
        None
    }
}
