//! `tallymark ingest` on arbitrary bytes as a JSON Lines file: the line reader, the parser of one
//! point, and the insert into a store (in memory, new for each input).
//!
//! Input: the file's bytes.
//!
//! Asserted: nothing panics; a file with a line that is not UTF-8 is an error naming that line's
//! number; otherwise every non-blank line is either loaded or rejected with its 1-based number and
//! a reason, exactly when `parse_line` rejects it or its dataset differs only in case from an
//! earlier line's (the store's tables are named case-insensitively), and the store then holds the
//! loaded points;
//! every accepted point is one Analytics Engine and the store accept (a dataset name SQLite does
//! not reserve, an index of at most 96 bytes, at most 20 blobs of at most 16,000 bytes together,
//! at most 20 finite doubles, a sample interval of at least 1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::BufRead;
use std::path::Path;
use tallymark_cli::ingest::{self, BLOB_BYTES, INDEX_BYTES};
use tallymark_cli::store::{differs_only_in_case, is_storable, Store, SLOTS};

/// The time ingest gives a point without a timestamp.
const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let mut store = Store::open(Path::new(":memory:")).expect("an in-memory store");
    let result = ingest::ingest(&mut store, data, NOW);
    let lines: Vec<Result<String, _>> = data.lines().collect();
    if let Some(unreadable) = lines.iter().position(Result::is_err) {
        let message = result.expect_err("a line that is not UTF-8 stops the ingest");
        let number = unreadable + 1;
        assert!(
            message.starts_with(&format!("cannot read line {number}: ")),
            "{message}"
        );
        return;
    }
    let report = result.expect("every line is UTF-8, and the store is in memory");
    let mut loaded = 0;
    let mut rejected = report.rejected.iter();
    // The datasets of the points loaded so far.
    let mut datasets: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.as_ref().expect("checked above");
        if line.trim().is_empty() {
            continue;
        }
        // A point whose dataset equals a loaded one's but for case is rejected, naming it.
        let expected = ingest::parse_line(line, NOW).and_then(|point| {
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
