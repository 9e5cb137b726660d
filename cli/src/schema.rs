//! `tallymark schema`: a schema lock's layouts exported (JSON, SQL, Markdown) and checked, from the
//! lock file alone.
//!
//! The exports are those of `tallymark::Schema::to_json`, `to_sql` and `to_markdown` for the same
//! layout, as far as the lock records it: it keeps slots, kinds and one-line docs, not the order
//! fields are declared in nor the Rust type of a number. So the JSON lists fields in column order,
//! a number's type is `f64`, and a multi-line doc comment is joined into one line; for a layout
//! declared in column order with `f64` doubles and one-line docs, all three are identical (tested
//! against the runtime in `tests/schema_export.rs`).

use std::fmt::Write as _;
use tallymark_lock::{Lock, Place, Section};

/// One field of a layout, as the lock records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// The Rust type: `String`, `Vec<u8>`, an enum's name, or `f64` for a number.
    pub ty: String,
    /// Whether the field is (also) the index.
    pub index: bool,
    /// Its blob or double slot, if any.
    pub slot: Option<Place>,
    /// Its doc comment, on one line.
    pub doc: String,
}

/// Reads the lock at `path`.
pub fn read(path: &std::path::Path) -> Result<Lock, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the schema lock {}: {e}", path.display()))?;
    tallymark_lock::parse(&text).map_err(|e| format!("{} {e}", path.display()))
}

/// The Rust type a lock kind stands for (`text hashed` → `String`).
fn type_of(kind: &str) -> String {
    let kind = kind
        .strip_suffix(" hashed")
        .or_else(|| kind.strip_suffix(" redacted"))
        .unwrap_or(kind);
    match kind {
        "text" => "String".to_owned(),
        "bytes" => "Vec<u8>".to_owned(),
        "number" => "f64".to_owned(),
        other => other.strip_prefix("enum ").unwrap_or(other).to_owned(),
    }
}

/// The section's live fields, in column order (a field that is the index and a blob once).
pub fn fields(section: &Section) -> Vec<Field> {
    let mut entries: Vec<_> = section.entries.iter().filter(|e| !e.retired()).collect();
    entries.sort_by_key(|e| e.place.order());
    let mut fields: Vec<Field> = Vec::new();
    for entry in entries {
        let slot = (entry.place != Place::Index).then_some(entry.place);
        if let Some(field) = fields.iter_mut().find(|f| f.name == entry.field) {
            field.slot = field.slot.or(slot);
            continue;
        }
        fields.push(Field {
            name: entry.field.clone(),
            ty: type_of(&entry.kind),
            index: entry.place == Place::Index,
            slot,
            doc: entry.doc.clone(),
        });
    }
    fields
}

/// The highest slot of a kind (`blob` or `double`) that a live field holds.
fn highest(section: &Section, blob: bool) -> u8 {
    section
        .entries
        .iter()
        .filter(|e| !e.retired())
        .filter_map(|e| match (e.place, blob) {
            (Place::Blob(n), true) | (Place::Double(n), false) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Every column with its field, in AE's column order (index, blobs, doubles).
fn columns(section: &Section) -> Vec<(String, Field)> {
    let fields = fields(section);
    let mut columns = Vec::new();
    for field in &fields {
        if field.index {
            columns.push((Place::Index, field.clone()));
        }
        if let Some(slot) = field.slot {
            columns.push((slot, field.clone()));
        }
    }
    columns.sort_by_key(|(place, _)| place.order());
    columns
        .into_iter()
        .map(|(place, field)| (place.column(), field))
        .collect()
}

/// The layout as JSON, as `Schema::to_json`.
pub fn to_json(section: &Section) -> String {
    let fields: Vec<serde_json::Value> = fields(section)
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
        "layout": section.layout,
        "dataset": section.dataset,
        "binding": section.binding,
        "blobCount": highest(section, true),
        "doubleCount": highest(section, false),
        "fields": fields,
    })
    .to_string()
}

/// A query naming every column by its field, as `Schema::to_sql`.
pub fn to_sql(section: &Section) -> String {
    let mut selected = vec!["timestamp".to_owned(), "_sample_interval".to_owned()];
    for (column, field) in columns(section) {
        let also_a_blob = column == "index1" && field.slot.is_some();
        if !also_a_blob {
            selected.push(format!("{column} AS {}", field.name));
        }
    }
    format!(
        "SELECT\n  {}\nFROM {}",
        selected.join(",\n  "),
        section.dataset
    )
}

/// A Markdown section with a table of the columns, as `Schema::to_markdown`.
pub fn to_markdown(section: &Section) -> String {
    let mut out = format!(
        "### `{}`\n\nBinding `{}`, layout `{}`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n",
        section.dataset, section.binding, section.layout
    );
    for (column, field) in columns(section) {
        let _ = writeln!(
            out,
            "| `{column}` | `{}` | `{}` | {} |",
            field.name,
            field.ty,
            field.doc.replace('|', "\\|")
        );
    }
    out
}

/// Every problem of a lock that the macros would not catch by themselves, each naming its line:
/// a slot out of `1..=20`, two entries on one slot, no index or two, a field in two blobs or
/// doubles, two layouts of one dataset, a name that cannot be an identifier.
pub fn check(lock: &Lock) -> Vec<String> {
    let mut problems = Vec::new();
    let identifier = |name: &str| crate::store::is_dataset_name(name);
    for (i, section) in lock.sections.iter().enumerate() {
        let at = section.header();
        if !identifier(&section.dataset) {
            problems.push(format!("{at}: `{}` cannot name a dataset", section.dataset));
        }
        if !identifier(&section.binding) {
            problems.push(format!("{at}: `{}` cannot name a binding", section.binding));
        }
        if let Some(earlier) = lock.sections[..i]
            .iter()
            .find(|s| s.dataset == section.dataset || s.layout == section.layout)
        {
            problems.push(format!(
                "{at}: layout or dataset already declared at line {}",
                earlier.line
            ));
        }
        let indexes = section
            .entries
            .iter()
            .filter(|e| e.place == Place::Index && !e.retired())
            .count();
        if indexes != 1 {
            problems.push(format!(
                "{at}: {indexes} index entries; a layout has exactly one"
            ));
        }
        for (j, entry) in section.entries.iter().enumerate() {
            let at = entry.quoted();
            if let Place::Blob(n) | Place::Double(n) = entry.place {
                if !(1..=20).contains(&n) {
                    problems.push(format!("{at}: slots are numbered 1 to 20"));
                }
            }
            if section.entries[..j].iter().any(|e| e.place == entry.place) {
                problems.push(format!("{at}: {} is listed twice", entry.place));
            }
            let same_kind = |e: &&tallymark_lock::Entry| {
                std::mem::discriminant(&e.place) == std::mem::discriminant(&entry.place)
            };
            if !entry.retired()
                && section.entries[..j]
                    .iter()
                    .filter(same_kind)
                    .any(|e| !e.retired() && e.field == entry.field)
            {
                problems.push(format!("{at}: `{}` holds two slots", entry.field));
            }
            if let Some(name) = entry.kind.strip_prefix("enum ") {
                let name = name.split(' ').next().unwrap_or(name);
                if !lock.enums.iter().any(|e| e.name == name) {
                    problems.push(format!(
                        "{at}: enum `{name}` has no `enum {name} values ...` line"
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

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
        tallymark_lock::parse(LOCK).unwrap().sections.remove(0)
    }

    #[test]
    fn json_lists_each_live_field_once() {
        assert_eq!(
            to_json(&section()),
            r#"{"binding":"EVENTS","blobCount":4,"dataset":"events","doubleCount":1,"fields":[{"column":"blob1","doc":"The name.","index":true,"name":"event","type":"String"},{"column":"blob2","doc":"","index":false,"name":"kind","type":"Kind"},{"column":"blob4","doc":"","index":false,"name":"secret","type":"String"},{"column":"double1","doc":"Time | ms.","index":false,"name":"duration_ms","type":"f64"}],"layout":"Event"}"#
        );
    }

    #[test]
    fn sql_and_markdown_name_every_column() {
        assert_eq!(
            to_sql(&section()),
            "SELECT\n  timestamp,\n  _sample_interval,\n  blob1 AS event,\n  blob2 AS kind,\n  blob4 AS secret,\n  double1 AS duration_ms\nFROM events"
        );
        assert_eq!(
            to_markdown(&section()),
            "### `events`\n\nBinding `EVENTS`, layout `Event`.\n\n| column | field | type | meaning |\n|---|---|---|---|\n\
             | `index1` | `event` | `String` | The name. |\n\
             | `blob1` | `event` | `String` | The name. |\n\
             | `blob2` | `kind` | `Kind` |  |\n\
             | `blob4` | `secret` | `String` |  |\n\
             | `double1` | `duration_ms` | `f64` | Time \\| ms. |\n"
        );
    }

    #[test]
    fn a_sound_lock_has_no_problems() {
        assert_eq!(
            check(&tallymark_lock::parse(LOCK).unwrap()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn check_names_each_problem_and_its_line() {
        let lock = tallymark_lock::parse(
            "layout A dataset a binding B\n  blob1 x text\n  blob1 y text\n  blob21 z text\n  blob3 x text\n  double1 k enum Missing\n\nlayout C dataset a binding B-2\n  index e text\n  index f text\n",
        )
        .unwrap();
        assert_eq!(
            check(&lock),
            [
                "tallymark.lock line 1: `layout A dataset a binding B`: 0 index entries; a layout has exactly one",
                "tallymark.lock line 3: `blob1 y text`: blob1 is listed twice",
                "tallymark.lock line 4: `blob21 z text`: slots are numbered 1 to 20",
                "tallymark.lock line 5: `blob3 x text`: `x` holds two slots",
                "tallymark.lock line 6: `double1 k enum Missing`: enum `Missing` has no `enum Missing values ...` line",
                "tallymark.lock line 8: `layout C dataset a binding B-2`: `B-2` cannot name a binding",
                "tallymark.lock line 8: `layout C dataset a binding B-2`: layout or dataset already declared at line 1",
                "tallymark.lock line 8: `layout C dataset a binding B-2`: 2 index entries; a layout has exactly one",
                "tallymark.lock line 10: `index f text`: index is listed twice",
            ]
        );
    }
}
