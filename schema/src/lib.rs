//! What every part of tallymark (its macros at compile time, its runtime in a Worker, and the
//! `tallymark` command) must agree on, declared once for all:
//!
//! * the naming rules that name an HTTP call's event, and the roles instrumentation fills
//!   ([`names`]);
//! * the schema lock, `tallymark.lock`: what each slot of each dataset holds. This crate reads and
//!   writes the file ([`parse`], [`render`]); `tallymark-macros` checks layouts against it when a
//!   crate compiles, and the `tallymark` command reads it to name columns and export schemas;
//! * the exports ([`export`], cargo feature `export`, on by default): JSON for tools, a SQL
//!   projection for Analytics Engine's SQL API, Markdown for docs. The runtime's
//!   `Schema::to_json`/`to_sql`/`to_markdown` and `tallymark schema export` both render through it.
//!
//! The lock's format, one line per slot: `  <slot> <field> <kind>` with an optional `  # <doc>`, or
//! `  <slot> retired <field it held>`, under `layout <Name> dataset <d> binding <b>`; and one line
//! per `FixedText` enum: `enum <Name> values <text> <text> ...`. Blank lines and lines starting
//! with `#` are comments.
//!
//! ```
//! let text = "layout Event dataset events binding EVENTS\n  index event text\n  blob1 event text  # The name.\n  double1 duration_ms number\n";
//! let lock = tallymark_schema::parse(text).unwrap();
//! assert_eq!(lock.sections[0].dataset, "events");
//! assert_eq!(lock.sections[0].entries[1].doc, "The name.");
//! ```
#![warn(missing_docs)]

#[cfg(feature = "export")]
pub mod export;
pub mod names;

use std::fmt::Write as _;

/// The lock's file name, beside the crate's `Cargo.toml`.
pub const FILE_NAME: &str = "tallymark.lock";

/// The comment [`render`] writes at the top of every lock.
pub const HEADER: &str = "# tallymark schema lock: what each slot of each dataset holds. #[tallymark::layout] checks\n\
# the layouts against it when the crate compiles. Rewrite it with TALLYMARK_LOCK=write cargo check\n\
# and review the diff: only appended slots should appear.\n";

/// Where a slot entry sits in a point.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Place {
    /// The point's index (`index1` in SQL).
    Index,
    /// `blobN`, 1-based.
    Blob(u8),
    /// `doubleN`, 1-based.
    Double(u8),
}

impl std::fmt::Display for Place {
    /// As the lock writes it: `index`, `blob3`, `double1`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Index => f.write_str("index"),
            Place::Blob(n) => write!(f, "blob{n}"),
            Place::Double(n) => write!(f, "double{n}"),
        }
    }
}

impl Place {
    /// Reads a place as the lock writes it (`index`, `blob3`, `double1`); `None` for anything
    /// else. The number is not range-checked here.
    pub fn parse(text: &str) -> Option<Place> {
        if text == "index" {
            return Some(Place::Index);
        }
        let number = |prefix: &str| text.strip_prefix(prefix)?.parse::<u8>().ok();
        number("blob")
            .map(Place::Blob)
            .or_else(|| number("double").map(Place::Double))
    }

    /// The column Analytics Engine's SQL API names this place by: `index1`, `blob3`, `double1`.
    pub fn column(&self) -> String {
        match self {
            Place::Index => "index1".to_owned(),
            other => other.to_string(),
        }
    }

    /// A key that sorts places in column order: the index, then blobs, then doubles, by number.
    pub fn order(&self) -> (u8, u8) {
        match *self {
            Place::Index => (0, 0),
            Place::Blob(n) => (1, n),
            Place::Double(n) => (2, n),
        }
    }
}

/// One slot line of the lock, or one slot of a layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The slot.
    pub place: Place,
    /// The field it holds (or held, for a retired slot).
    pub field: String,
    /// `text`, `bytes`, `number` or `enum <Type>`, followed by ` hashed` or ` redacted` for a
    /// private field; `retired` for a retired slot.
    pub kind: String,
    /// The field's doc comment, on one line (empty when none).
    pub doc: String,
    /// The line as written in the lock (1-based number and text), for messages; `None` for an
    /// entry not read from a file.
    pub line: Option<(usize, String)>,
}

impl Entry {
    /// Whether the slot is retired: reserved, holding no field.
    pub fn retired(&self) -> bool {
        self.kind == "retired"
    }

    /// The entry as a lock line, without the line break.
    pub fn render(&self) -> String {
        if self.retired() {
            format!("  {} retired {}", self.place, self.field)
        } else if self.doc.is_empty() {
            format!("  {} {} {}", self.place, self.field, self.kind)
        } else {
            format!(
                "  {} {} {}  # {}",
                self.place, self.field, self.kind, self.doc
            )
        }
    }

    /// `` tallymark.lock line N: `...` ``, for messages (the rendered line when not read from a
    /// file).
    pub fn quoted(&self) -> String {
        match &self.line {
            Some((n, text)) => format!("{FILE_NAME} line {n}: `{}`", text.trim()),
            None => format!("{FILE_NAME}: `{}`", self.render().trim()),
        }
    }
}

/// One layout's section: its header line and its slot lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The Rust type that declares the layout.
    pub layout: String,
    /// The Analytics Engine dataset.
    pub dataset: String,
    /// The binding's name in `wrangler.toml`.
    pub binding: String,
    /// The slots, in file order.
    pub entries: Vec<Entry>,
    /// The 1-based number of the `layout` line (0 when not read from a file).
    pub line: usize,
}

impl Section {
    /// Appends the section to `out`: a blank line, the `layout` line, one line per entry.
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\nlayout {} dataset {} binding {}",
            self.layout, self.dataset, self.binding
        );
        for entry in &self.entries {
            let _ = writeln!(out, "{}", entry.render());
        }
    }

    /// `` tallymark.lock line N: `layout ...` ``, for messages.
    pub fn header(&self) -> String {
        format!(
            "{FILE_NAME} line {}: `layout {} dataset {} binding {}`",
            self.line, self.layout, self.dataset, self.binding
        )
    }
}

/// The values a `FixedText` enum writes, as the lock records them.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValues {
    /// The enum's Rust name.
    pub name: String,
    /// Every text it writes or once wrote.
    pub values: Vec<String>,
    /// The line's number (0 when not read from the file).
    pub line: usize,
}

impl EnumValues {
    /// The `enum` line, without the line break.
    pub fn render(&self) -> String {
        format!("enum {} values {}", self.name, self.values.join(" "))
    }
}

/// The whole lock: the layouts' sections and the enums, in file order.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Lock {
    /// One section per layout.
    pub sections: Vec<Section>,
    /// One entry per `FixedText` enum.
    pub enums: Vec<EnumValues>,
}

/// Reads a lock. An error names the first line that cannot be read: `line 4: unknown slot
/// `blob9x``.
pub fn parse(text: &str) -> Result<Lock, String> {
    let mut sections: Vec<Section> = Vec::new();
    let mut enums: Vec<EnumValues> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let (content, doc) = match raw.split_once("  # ") {
            Some((content, doc)) => (content, doc.trim()),
            None => (raw, ""),
        };
        let words: Vec<&str> = content.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["enum", name, "values", values @ ..] if !raw.starts_with(' ') => {
                enums.push(EnumValues {
                    name: (*name).to_owned(),
                    values: values.iter().map(|v| (*v).to_owned()).collect(),
                    line: n,
                });
            }
            ["layout", layout, "dataset", dataset, "binding", binding] => sections.push(Section {
                layout: (*layout).to_owned(),
                dataset: (*dataset).to_owned(),
                binding: (*binding).to_owned(),
                entries: Vec::new(),
                line: n,
            }),
            [place, field, kind @ ..] if !kind.is_empty() => {
                let section = sections
                    .last_mut()
                    .ok_or_else(|| format!("line {n}: a slot line before any `layout` line"))?;
                let place = Place::parse(place)
                    .ok_or_else(|| format!("line {n}: unknown slot `{place}`"))?;
                let (field, kind) = match (*field, kind) {
                    ("retired", [was]) => ((*was).to_owned(), "retired".to_owned()),
                    (field, kind) => (field.to_owned(), kind.join(" ")),
                };
                section.entries.push(Entry {
                    place,
                    field,
                    kind,
                    doc: doc.to_owned(),
                    line: Some((n, raw.to_owned())),
                });
            }
            _ => return Err(format!("line {n}: cannot read `{}`", raw.trim())),
        }
    }
    Ok(Lock { sections, enums })
}

/// Writes a lock: [`HEADER`], each section, then the enums.
pub fn render(lock: &Lock) -> String {
    let mut out = String::from(HEADER);
    for section in &lock.sections {
        section.render(&mut out);
    }
    if !lock.enums.is_empty() {
        out.push('\n');
    }
    for values in &lock.enums {
        let _ = writeln!(out, "{}", values.render());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_what_it_renders() {
        let text = format!(
            "{HEADER}\nlayout Event dataset events binding EVENTS\n  index event text  # The name.\n  blob1 event text  # The name.\n  blob2 kind enum Kind\n  blob3 retired old_field\n  double1 duration_ms number\n\nenum Kind values plain fancy\n"
        );
        let lock = parse(&text).unwrap();
        assert_eq!(lock.sections.len(), 1);
        let section = &lock.sections[0];
        assert_eq!(section.line, 5);
        assert_eq!(section.entries.len(), 5);
        assert_eq!(section.entries[2].kind, "enum Kind");
        assert!(section.entries[3].retired());
        assert_eq!(section.entries[3].field, "old_field");
        assert_eq!(lock.enums[0].values, ["plain", "fancy"]);
        assert_eq!(lock.enums[0].line, 12);
        assert_eq!(render(&lock), text);
    }

    #[test]
    fn a_line_that_cannot_be_read_is_an_error_naming_it() {
        assert_eq!(
            parse("layout A dataset a binding B\n  blob99x f text\n").unwrap_err(),
            "line 2: unknown slot `blob99x`"
        );
        assert_eq!(
            parse("  blob1 f text\n").unwrap_err(),
            "line 1: a slot line before any `layout` line"
        );
        assert_eq!(
            parse("layout A dataset a binding B\n  blob1\n").unwrap_err(),
            "line 2: cannot read `blob1`"
        );
    }

    #[test]
    fn places_read_render_and_sort_in_column_order() {
        assert_eq!(Place::parse("index"), Some(Place::Index));
        assert_eq!(Place::parse("blob12"), Some(Place::Blob(12)));
        assert_eq!(Place::parse("double3"), Some(Place::Double(3)));
        assert_eq!(Place::parse("double"), None);
        assert_eq!(Place::parse("index1"), None);
        assert_eq!(Place::Index.column(), "index1");
        assert_eq!(Place::Blob(2).column(), "blob2");
        let mut places = vec![
            Place::Double(1),
            Place::Blob(10),
            Place::Index,
            Place::Blob(2),
        ];
        places.sort_by_key(Place::order);
        assert_eq!(
            places,
            [
                Place::Index,
                Place::Blob(2),
                Place::Blob(10),
                Place::Double(1)
            ]
        );
    }

    #[test]
    fn entries_quote_their_line_or_their_rendering() {
        let lock = parse("layout A dataset a binding B\n  blob1 f text  # Doc.\n").unwrap();
        let entry = &lock.sections[0].entries[0];
        assert_eq!(
            entry.quoted(),
            "tallymark.lock line 2: `blob1 f text  # Doc.`"
        );
        let fresh = Entry {
            line: None,
            ..entry.clone()
        };
        assert_eq!(fresh.quoted(), "tallymark.lock: `blob1 f text  # Doc.`");
        assert_eq!(
            lock.sections[0].header(),
            "tallymark.lock line 1: `layout A dataset a binding B`"
        );
    }
}
