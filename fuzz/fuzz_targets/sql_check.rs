//! The `tallymark` command's SQL path on arbitrary text: the checker (is this SQL Analytics Engine
//! accepts?), the resolution of field names from a schema lock, the translation to SQLite, and the
//! query run on a small in-memory store, its result rendered in every format.
//!
//! Input: the SQL, as UTF-8 (other bytes are skipped).
//!
//! Asserted: nothing panics; a rejection says why and how to fix it; an accepted query's AE SQL
//! (what `query --remote` sends, field names replaced by columns) is accepted in turn; a SELECT's
//! translation returns SQLite or an error; running it returns rows or an error, and the rows
//! render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tallymark_cli::output::{render, Format};
use tallymark_cli::sql::names::Names;
use tallymark_cli::sql::{self, translate, types, Request};
use tallymark_cli::store::{Point, Store};

/// The lock of the SQL unit tests (cli/src/sql/tests.rs): `event`, `user_id` and `duration_ms`
/// of dataset `events` are field names.
const LOCK: &str = "layout Event dataset events binding EVENTS
  index event text
  blob1 event text
  blob2 user_id text
  double1 duration_ms number
";

thread_local! {
    static NAMES: Names = Names::from_lock(tallymark_schema_lock());
    /// A store in memory with a few points in `events` and `weather` (the dataset of AE's
    /// examples), made once per process: queries only read it.
    static STORE: Store = store();
}

fn tallymark_schema_lock() -> tallymark_schema::Lock {
    tallymark_schema::parse(LOCK).expect("the lock parses")
}

fn store() -> Store {
    let mut store = Store::open(std::path::Path::new(":memory:")).expect("an in-memory store");
    let point =
        |dataset: &str, timestamp: i64, index: &[u8], blobs: &[&[u8]], doubles: &[f64]| Point {
            dataset: dataset.to_owned(),
            timestamp,
            sample_interval: 1 + timestamp % 3,
            index: index.to_vec(),
            blobs: blobs.iter().map(|b| b.to_vec()).collect(),
            doubles: doubles.to_vec(),
        };
    let points = [
        point(
            "events",
            1_700_000_000,
            b"a.get",
            &[b"a.get", b"user-1"],
            &[1.5],
        ),
        point(
            "events",
            1_700_000_061,
            b"b.post",
            &[b"b.post", b"\xff\xfe"],
            &[-0.0, 7.0],
        ),
        point("events", 1_700_086_400, b"", &[], &[]),
        point(
            "weather",
            1_600_000_000,
            b"paris",
            &[b"paris", "é".as_bytes()],
            &[21.5, 1e300],
        ),
        point(
            "weather",
            1_600_003_600,
            b"oslo",
            &[b"oslo"],
            &[-3.0, f64::MIN_POSITIVE],
        ),
    ];
    store.insert(&points).expect("the points insert");
    store
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    NAMES.with(|names| check(text, names));
});

fn check(text: &str, names: &Names) {
    let prepared = match sql::prepare(text, names) {
        Ok(prepared) => prepared,
        Err(rejection) => {
            assert!(!rejection.reason.is_empty() && !rejection.fix.is_empty());
            return;
        }
    };
    if let Err(rejection) = sql::prepare(&prepared.ae_sql, &Names::default()) {
        panic!(
            "accepted, but its AE SQL is not:\n{text}\n{}\n{rejection}",
            prepared.ae_sql
        );
    }
    if let Request::Select(query) = &prepared.request {
        let _ = translate::to_sqlite(query).map(|local| local.to_string());
        let _ = types::output_names(query);
        let _ = types::output_types(query);
    }
    STORE.with(|store| {
        if let Ok(result) = sql::run(store, &prepared) {
            for format in [Format::Json, Format::Jsonl, Format::Tsv, Format::Table] {
                let _ = render(&result, format);
            }
        }
    });
}
