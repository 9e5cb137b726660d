//! `tallymark ingest` on arbitrary bytes as a JSON Lines file: the line reader, the parser of one
//! point, and the insert into a store (in memory, new for each input).
//!
//! Input: the file's bytes.
//!
//! Asserted: nothing panics; every non-blank line is either loaded or rejected with its 1-based
//! number and a reason, exactly when it is not UTF-8 (`utf8_line`), `parse_line` rejects it or
//! its dataset differs only in case from an earlier line's (the store's tables are named
//! case-insensitively), and the store then holds the loaded points;
//! every accepted point is one Analytics Engine and the store accept (a dataset name SQLite does
//! not reserve, an index of at most 96 bytes, at most 20 blobs of at most 16,000 bytes together,
//! at most 20 finite doubles, a sample interval of at least 1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tallymark_cli::ingest::{self, BLOB_BYTES, INDEX_BYTES};
use tallymark_cli::store::{differs_only_in_case, is_storable, Store, SLOTS};

/// The time ingest gives a point without a timestamp.
const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let mut store = Store::open(Path::new(":memory:")).expect("an in-memory store");
    let report = ingest::ingest(&mut store, data, NOW).expect("the store is in memory");
    // Lines as `BufRead::lines` ends them: at each `\n`, without it or a `\r` before it.
    let lines = data.split_inclusive(|byte| *byte == b'\n').map(|line| {
        let line = match line.strip_suffix(b"\n") {
            Some(line) => line.strip_suffix(b"\r").unwrap_or(line),
            None => line,
        };
        ingest::utf8_line(line.to_vec())
    });
    let mut loaded = 0;
    let mut rejected = report.rejected.iter();
    // The datasets of the points loaded so far.
    let mut datasets: Vec<String> = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.as_ref().is_ok_and(|line| line.trim().is_empty()) {
            continue;
        }
        // A point whose dataset equals a loaded one's but for case is rejected, naming it.
        let expected = line
            .and_then(|line| ingest::parse_line(&line, NOW))
            .and_then(|point| {
                match datasets
                    .iter()
                    .find(|d| d.eq_ignore_ascii_case(&point.dataset) && **d != point.dataset)
                {
                    Some(loaded) => Err(differs_only_in_case(&point.dataset, loaded)),
                    None => Ok(point),
                }
            });
        match expected {
            Ok(point) => {
                loaded += 1;
                datasets.push(point.dataset.clone());
                assert!(is_storable(&point.dataset), "{}", point.dataset);
                assert!(point.index.len() <= INDEX_BYTES);
                assert!(point.blobs.len() <= SLOTS);
                assert!(point.blobs.iter().map(Vec::len).sum::<usize>() <= BLOB_BYTES);
                assert!(point.doubles.len() <= SLOTS);
                assert!(point.doubles.iter().all(|d| d.is_finite()));
                assert!(point.sample_interval >= 1);
            }
            Err(reason) => {
                let (number, said) = rejected.next().expect("each rejected line is reported");
                assert_eq!(*number, i + 1, "the rejected line's number");
                assert_eq!(*said, reason);
            }
        }
    }
    assert!(
        rejected.next().is_none(),
        "only rejected lines are reported"
    );
    assert_eq!(report.loaded, loaded);
    let stored: i64 = store
        .datasets()
        .expect("the datasets")
        .iter()
        .map(|dataset| {
            store
                .connection()
                .query_row(&format!("SELECT count(*) FROM \"{dataset}\""), [], |row| {
                    row.get::<_, i64>(0)
                })
                .expect("a count")
        })
        .sum();
    assert_eq!(
        stored,
        i64::try_from(loaded).expect("small"),
        "the store holds the loaded points"
    );
});
