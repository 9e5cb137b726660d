//! One point as one line, for `tallymark dev` and `tallymark tail`: by field name when a schema
//! lock describes its dataset, else by slot.
//!
//! ```text
//! 2026-11-30 14:56:52 quickstart_events event=hello.get route="GET /hello/:name" error="" name=world duration_ms=1
//! 2026-11-30 14:56:52 quickstart_events index1=hello.get blob1=hello.get blob2="GET /hello/:name" blob3="" blob4=world double1=1
//! ```
//!
//! Text is written bare when it has no space, quote, `=` or control character, else as a JSON
//! string; bytes that are not UTF-8 as `0x` and hex. Without a lock, blobs are shown up to the last
//! one set and doubles up to the last one not zero.

use crate::store::Point;
use tallymark_schema::{Lock, Place};

/// Writes points as lines, with the field names of a lock when it has their dataset.
#[derive(Debug, Default)]
pub struct Shower {
    lock: Lock,
}

/// A value as shown.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text)
            if !text.is_empty()
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '=')) =>
        {
            text.to_owned()
        }
        Ok(text) => serde_json::Value::String(text.to_owned()).to_string(),
        Err(_) => {
            let mut hex = String::from("0x");
            for byte in bytes {
                hex.push_str(&format!("{byte:02x}"));
            }
            hex
        }
    }
}

fn number(value: f64) -> String {
    format!("{value}")
}

impl Shower {
    /// A shower naming fields after `lock`.
    pub fn new(lock: Lock) -> Shower {
        Shower { lock }
    }

    /// The line of `point`, without a line break.
    pub fn line(&self, point: &Point) -> String {
        let mut parts = vec![crate::time::format(point.timestamp), point.dataset.clone()];
        if point.sample_interval != 1 {
            parts.push(format!("_sample_interval={}", point.sample_interval));
        }
        let blob = |n: u8| {
            point
                .blobs
                .get(usize::from(n) - 1)
                .map_or_else(|| text(b""), |b| text(b))
        };
        let double = |n: u8| {
            number(
                point
                    .doubles
                    .get(usize::from(n) - 1)
                    .copied()
                    .unwrap_or(0.0),
            )
        };
        match self
            .lock
            .sections
            .iter()
            .find(|s| s.dataset == point.dataset)
        {
            Some(section) => {
                let mut entries: Vec<_> = section.entries.iter().filter(|e| !e.retired()).collect();
                // Column order, and a field that is the index and a blob shown once, from its blob.
                entries.sort_by_key(|e| {
                    let (kind, n) = e.place.order();
                    (if kind == 0 { 3 } else { kind }, n)
                });
                let mut shown: Vec<(&str, String)> = Vec::new();
                for entry in entries {
                    if shown.iter().any(|(name, _)| *name == entry.field) {
                        continue;
                    }
                    let value = match entry.place {
                        Place::Index => text(&point.index),
                        Place::Blob(n) => blob(n),
                        Place::Double(n) => double(n),
                    };
                    shown.push((&entry.field, value));
                }
                // Back to column order, with the index-only field (if any) first.
                shown.sort_by_key(|(name, _)| {
                    section
                        .entries
                        .iter()
                        .filter(|e| !e.retired() && e.field == *name)
                        .map(|e| e.place.order())
                        .max()
                });
                parts.extend(
                    shown
                        .into_iter()
                        .map(|(name, value)| format!("{name}={value}")),
                );
            }
            None => {
                parts.push(format!("index1={}", text(&point.index)));
                let blobs = point
                    .blobs
                    .iter()
                    .rposition(|b| !b.is_empty())
                    .map_or(0, |i| i + 1);
                for n in 1..=blobs {
                    parts.push(format!("blob{n}={}", blob(n as u8)));
                }
                let doubles = point
                    .doubles
                    .iter()
                    .rposition(|d| *d != 0.0)
                    .map_or(0, |i| i + 1);
                for n in 1..=doubles {
                    parts.push(format!("double{n}={}", double(n as u8)));
                }
            }
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point() -> Point {
        Point {
            dataset: "quickstart_events".into(),
            timestamp: 1_700_000_000,
            sample_interval: 1,
            index: b"hello.get".to_vec(),
            blobs: vec![
                b"hello.get".to_vec(),
                b"GET /hello/:name".to_vec(),
                Vec::new(),
                b"world".to_vec(),
                Vec::new(),
            ],
            doubles: vec![1.5, 0.0, 0.0],
        }
    }

    #[test]
    fn by_slot_without_a_lock() {
        assert_eq!(
            Shower::default().line(&point()),
            r#"2023-11-14 22:13:20 quickstart_events index1=hello.get blob1=hello.get blob2="GET /hello/:name" blob3="" blob4=world double1=1.5"#
        );
        let mut odd = point();
        odd.blobs = vec![vec![0xff, 0x00], b"a\"b=".to_vec()];
        odd.doubles = Vec::new();
        odd.sample_interval = 4;
        assert_eq!(
            Shower::default().line(&odd),
            r#"2023-11-14 22:13:20 quickstart_events _sample_interval=4 index1=hello.get blob1=0xff00 blob2="a\"b=""#
        );
    }

    #[test]
    fn by_name_with_a_lock() {
        let lock = tallymark_schema::parse(
            "layout Event dataset quickstart_events binding EVENTS\n  index event text\n  blob1 event text\n  blob2 route text\n  blob3 error text\n  blob4 name text\n  blob5 retired old\n  double1 duration_ms number\n",
        )
        .unwrap();
        assert_eq!(
            Shower::new(lock.clone()).line(&point()),
            r#"2023-11-14 22:13:20 quickstart_events event=hello.get route="GET /hello/:name" error="" name=world duration_ms=1.5"#
        );
        let lock = tallymark_schema::parse(
            "layout C dataset quickstart_events binding EVENTS\n  index sandbox text\n  blob1 event text\n  double2 n number\n",
        )
        .unwrap();
        assert_eq!(
            Shower::new(lock).line(&point()),
            "2023-11-14 22:13:20 quickstart_events sandbox=hello.get event=hello.get n=0"
        );
    }
}
