//! `tallymark ingest`: points from JSON Lines into the store.
//!
//! One JSON object a line: `dataset`, `index`, `blobs` (strings, or arrays of byte values as
//! workerd delivers them), `doubles`, and optionally `timestamp` (RFC 3339 text, or epoch
//! milliseconds; default now; within a DateTime's range, up to [`crate::time::DATE_TIME_MAX`])
//! and `sample_interval` (default 1). A line that is not such an object (not UTF-8 included) is
//! rejected with its number and counted; the others are loaded, in transactions of [`BATCH`]
//! points.

use crate::store::{check_storable, differs_only_in_case, Point, Store, SLOTS};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::BufRead;

/// How many points one transaction inserts.
pub const BATCH: usize = 10_000;

/// The most bytes an index may have (Analytics Engine drops points with a longer one).
pub const INDEX_BYTES: usize = 96;

/// The most bytes a point's blobs may have together (workerd's limit).
pub const BLOB_BYTES: usize = 16_000;

/// What an ingest did.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    /// Points loaded.
    pub loaded: usize,
    /// Each rejected line: its 1-based number and why.
    pub rejected: Vec<(usize, String)>,
}

/// Reads `input` line by line and loads every valid point into `store`.
pub fn ingest(store: &mut Store, input: impl BufRead, now: i64) -> Result<Report, String> {
    let mut report = Report::default();
    let mut batch = Vec::with_capacity(BATCH);
    // Each dataset's name as first stored or read, by its name in lower case: a line whose
    // dataset differs from one of them only in case is rejected, not the whole ingest stopped
    // by the insert's refusal (`Store::insert`).
    let mut spellings: HashMap<String, String> = store
        .datasets()?
        .into_iter()
        .map(|name| (name.to_ascii_lowercase(), name))
        .collect();
    for (i, line) in byte_lines(input).enumerate() {
        let number = i + 1;
        let line = line.map_err(|e| format!("cannot read line {number}: {e}"))?;
        let point = match utf8_line(line) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => {
                parse_line(&line, now).and_then(|point| spelled_as_first(point, &mut spellings))
            }
            Err(reason) => Err(reason),
        };
        match point {
            Ok(point) => batch.push(point),
            Err(reason) => report.rejected.push((number, reason)),
        }
        if batch.len() == BATCH {
            store.insert(&batch)?;
            report.loaded += batch.len();
            batch.clear();
        }
    }
    store.insert(&batch)?;
    report.loaded += batch.len();
    Ok(report)
}

/// The lines of `input` as bytes, each without its `\n` or `\r\n` (as `BufRead::lines` ends
/// them), so that a line that is not UTF-8 is rejected by its number rather than ending the read.
fn byte_lines(mut input: impl BufRead) -> impl Iterator<Item = std::io::Result<Vec<u8>>> {
    std::iter::from_fn(move || {
        let mut line = Vec::new();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(_) => {
                if line.ends_with(b"\n") {
                    line.pop();
                    if line.ends_with(b"\r") {
                        line.pop();
                    }
                }
                Some(Ok(line))
            }
            Err(e) => Some(Err(e)),
        }
    })
}

/// A line's bytes as text, or why they are not UTF-8 (the reason its line is rejected with).
pub fn utf8_line(line: Vec<u8>) -> Result<String, String> {
    String::from_utf8(line).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("not UTF-8: byte {} is {:#04X}", at + 1, e.as_bytes()[at])
    })
}

/// `point`, unless its dataset differs only in case from the spelling `spellings` holds for it
/// (recording a new dataset's).
fn spelled_as_first(
    point: Point,
    spellings: &mut HashMap<String, String>,
) -> Result<Point, String> {
    let first = spellings
        .entry(point.dataset.to_ascii_lowercase())
        .or_insert_with(|| point.dataset.clone());
    if *first == point.dataset {
        Ok(point)
    } else {
        Err(differs_only_in_case(&point.dataset, first))
    }
}

/// One line as a point, or why it is not one.
pub fn parse_line(line: &str, now: i64) -> Result<Point, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(object) = value else {
        return Err("not a JSON object".to_owned());
    };
    if let Some(key) = object.keys().find(|key| {
        ![
            "dataset",
            "index",
            "blobs",
            "doubles",
            "timestamp",
            "sample_interval",
        ]
        .contains(&key.as_str())
    }) {
        return Err(format!(
            "unknown key `{key}` (expected dataset, index, blobs, doubles, timestamp, sample_interval)"
        ));
    }
    let dataset = match object.get("dataset") {
        // Found by the `ingest_line` fuzz target: a `sqlite_` name failed the insert, and the
        // whole ingest with it.
        Some(Value::String(name)) => check_storable(name).map(|()| name.clone())?,
        _ => return Err("`dataset` is missing or not text".to_owned()),
    };
    let index = match object.get("index") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => bytes(value).map_err(|e| format!("`index`: {e}"))?,
    };
    if index.len() > INDEX_BYTES {
        return Err(format!(
            "`index` has {} bytes; Analytics Engine allows {INDEX_BYTES}",
            index.len()
        ));
    }
    let blobs = list(&object, "blobs")?
        .iter()
        .enumerate()
        .map(|(i, value)| match value {
            Value::Null => Ok(Vec::new()),
            value => bytes(value).map_err(|e| format!("blob{}: {e}", i + 1)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total: usize = blobs.iter().map(Vec::len).sum();
    if total > BLOB_BYTES {
        return Err(format!(
            "the blobs have {total} bytes together; Analytics Engine allows {BLOB_BYTES}"
        ));
    }
    let doubles = list(&object, "doubles")?
        .iter()
        .enumerate()
        .map(|(i, value)| {
            value
                .as_f64()
                .filter(|d| d.is_finite())
                .ok_or_else(|| format!("double{} is not a finite number", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let timestamp = match object.get("timestamp") {
        None | Some(Value::Null) => now,
        Some(written) => timestamp(written)?,
    };
    let sample_interval = match object.get("sample_interval") {
        None | Some(Value::Null) => 1,
        Some(value) => value
            .as_i64()
            .filter(|n| *n >= 1)
            .ok_or_else(|| "`sample_interval` is not a whole number ≥ 1".to_owned())?,
    };
    Ok(Point {
        dataset,
        timestamp,
        sample_interval,
        index,
        blobs,
        doubles,
    })
}

/// A `timestamp`, RFC 3339 text or epoch milliseconds, in whole seconds since the epoch (AE keeps
/// whole seconds), or why it is not a time a DateTime holds.
fn timestamp(written: &Value) -> Result<i64, String> {
    let seconds = match written {
        Value::String(text) => crate::time::parse_rfc3339(text).ok_or_else(|| {
            format!("`timestamp` \"{text}\" is not RFC 3339 (2024-01-02T03:04:05Z)")
        })?,
        // Past i64 (a u64): out of range as well.
        Value::Number(ms) if ms.is_i64() || ms.is_u64() => {
            ms.as_i64().map_or(i64::MAX, |ms| ms.div_euclid(1000))
        }
        Value::Number(_) => {
            return Err("`timestamp` is not a whole number of milliseconds".to_owned())
        }
        _ => return Err("`timestamp` is neither RFC 3339 text nor epoch milliseconds".to_owned()),
    };
    if crate::time::is_date_time(seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "`timestamp` {written} is outside a DateTime's range, {} to {} UTC (epoch milliseconds 0 to {})",
            crate::time::format(0),
            crate::time::format(crate::time::DATE_TIME_MAX),
            crate::time::DATE_TIME_MAX * 1000 + 999
        ))
    }
}

/// The array under `key` (empty when absent), at most [`SLOTS`] long.
fn list<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) if items.len() <= SLOTS => Ok(items),
        Some(Value::Array(items)) => Err(format!(
            "`{key}` has {} items; a point has at most {SLOTS}",
            items.len()
        )),
        Some(_) => Err(format!("`{key}` is not an array")),
    }
}

/// A blob or index: text, or an array of byte values.
pub(crate) fn bytes(value: &Value) -> Result<Vec<u8>, String> {
    match value {
        Value::String(text) => Ok(text.as_bytes().to_vec()),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_u64()
                    .and_then(|b| u8::try_from(b).ok())
                    .ok_or_else(|| "a byte array holds a value that is not 0..=255".to_owned())
            })
            .collect(),
        _ => Err("neither text nor an array of bytes".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_line_reads_every_field() {
        let point = parse_line(
            r#"{"dataset":"ev","index":"a","blobs":["x",[104,105],null],"doubles":[1.5,2],"timestamp":"2023-11-14T22:13:20Z","sample_interval":4}"#,
            0,
        )
        .unwrap();
        assert_eq!(
            point,
            Point {
                dataset: "ev".into(),
                timestamp: 1_700_000_000,
                sample_interval: 4,
                index: b"a".to_vec(),
                blobs: vec![b"x".to_vec(), b"hi".to_vec(), Vec::new()],
                doubles: vec![1.5, 2.0],
            }
        );
    }

    #[test]
    fn defaults_and_epoch_milliseconds() {
        let point = parse_line(r#"{"dataset":"ev"}"#, 42).unwrap();
        assert_eq!((point.timestamp, point.sample_interval), (42, 1));
        let point = parse_line(r#"{"dataset":"ev","timestamp":1700000000999}"#, 0).unwrap();
        assert_eq!(point.timestamp, 1_700_000_000);
        // A DateTime's range, from its first millisecond to its last.
        let point = parse_line(r#"{"dataset":"ev","timestamp":0}"#, 42).unwrap();
        assert_eq!(point.timestamp, 0);
        let point = parse_line(r#"{"dataset":"ev","timestamp":4294967295999}"#, 0).unwrap();
        assert_eq!(point.timestamp, 4_294_967_295);
        let point =
            parse_line(r#"{"dataset":"ev","timestamp":"2106-02-07T06:28:15Z"}"#, 0).unwrap();
        assert_eq!(point.timestamp, 4_294_967_295);
    }

    /// A timestamp a DateTime cannot hold (ClickHouse's DateTime: 1970-01-01 00:00:00 to
    /// 2106-02-07 06:28:15 UTC) is rejected: nanoseconds were stored as 1970, microseconds as a
    /// year past 9999 that every time function then failed to read.
    #[test]
    fn a_timestamp_outside_a_date_times_range_is_rejected() {
        let range = "outside a DateTime's range, 1970-01-01 00:00:00 to 2106-02-07 06:28:15 UTC (epoch milliseconds 0 to 4294967295999)";
        let cases = [
            ("1700000000000000000", "1700000000000000000"),
            ("1700000000000000", "1700000000000000"),
            ("4294967296000", "4294967296000"),
            ("18446744073709551615", "18446744073709551615"),
            ("-1", "-1"),
            (r#""1969-12-31T23:59:59Z""#, r#""1969-12-31T23:59:59Z""#),
            (r#""2106-02-07T06:28:16Z""#, r#""2106-02-07T06:28:16Z""#),
        ];
        for (timestamp, shown) in cases {
            let line = format!(r#"{{"dataset":"a","timestamp":{timestamp}}}"#);
            assert_eq!(
                parse_line(&line, 0).unwrap_err(),
                format!("`timestamp` {shown} is {range}"),
                "{line}"
            );
        }
    }

    #[test]
    fn malformed_lines_say_why() {
        let cases = [
            ("{", "not JSON (EOF while parsing an object at line 1 column 1)"),
            ("[1]", "not a JSON object"),
            (r#"{"index":"a"}"#, "`dataset` is missing or not text"),
            (r#"{"dataset":"a b"}"#, "`a b` cannot name a dataset (letters, digits and `_`, not starting with a digit)"),
            (r#"{"dataset":"sqlite_events"}"#, "`sqlite_events` cannot name a dataset in the local store (SQLite reserves names starting with `sqlite_`)"),
            (r#"{"dataset":"a","blob":[]}"#, "unknown key `blob` (expected dataset, index, blobs, doubles, timestamp, sample_interval)"),
            (r#"{"dataset":"a","doubles":["1"]}"#, "double1 is not a finite number"),
            (r#"{"dataset":"a","blobs":["",[256]]}"#, "blob2: a byte array holds a value that is not 0..=255"),
            (r#"{"dataset":"a","timestamp":"yesterday"}"#, "`timestamp` \"yesterday\" is not RFC 3339 (2024-01-02T03:04:05Z)"),
            (r#"{"dataset":"a","sample_interval":0}"#, "`sample_interval` is not a whole number ≥ 1"),
            (r#"{"dataset":"a","doubles":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}"#, "`doubles` has 21 items; a point has at most 20"),
        ];
        for (line, reason) in cases {
            assert_eq!(parse_line(line, 0).unwrap_err(), reason, "{line}");
        }
        let long = format!(r#"{{"dataset":"a","index":"{}"}}"#, "x".repeat(97));
        assert_eq!(
            parse_line(&long, 0).unwrap_err(),
            "`index` has 97 bytes; Analytics Engine allows 96"
        );
    }

    /// A line that is not UTF-8 is rejected with its number, as any line that is not a point; it
    /// stopped the whole ingest ("stream did not contain valid UTF-8"). Lines may end in CRLF.
    #[test]
    fn a_line_that_is_not_utf8_is_rejected_by_line() {
        let mut store = Store::open(std::path::Path::new(":memory:")).unwrap();
        let lines = b"{\"dataset\":\"ev\"}\r\n{\"dataset\":\"e\xffv\"}\n\r\n{\"dataset\":\"ev\"}";
        let report = ingest(&mut store, &lines[..], 0).unwrap();
        assert_eq!(
            report,
            Report {
                loaded: 2,
                rejected: vec![(2, "not UTF-8: byte 14 is 0xFF".to_owned())],
            }
        );
    }

    /// Found by the `ingest_line` fuzz target: datasets `Ovents` and `ovents` in one file stopped
    /// the whole ingest at the insert, since the store's tables are named case-insensitively.
    /// The later spelling's lines are rejected with their numbers, against a dataset already in
    /// the store too.
    #[test]
    fn a_dataset_differing_from_another_only_in_case_is_rejected_by_line() {
        let mut store = Store::open(std::path::Path::new(":memory:")).unwrap();
        let first = ingest(&mut store, &b"{\"dataset\":\"Ovents\"}\n"[..], 0).unwrap();
        assert_eq!((first.loaded, first.rejected.len()), (1, 0));
        let lines = "{\"dataset\":\"ovents\"}\n{\"dataset\":\"Ovents\"}\n{\"dataset\":\"x\"}\n{\"dataset\":\"X\"}\n";
        let report = ingest(&mut store, lines.as_bytes(), 0).unwrap();
        assert_eq!(report.loaded, 2);
        assert_eq!(
            report.rejected,
            [
                (1, differs_only_in_case("ovents", "Ovents")),
                (4, differs_only_in_case("X", "x")),
            ]
        );
        assert_eq!(store.datasets().unwrap(), ["Ovents", "x"]);
    }
}
