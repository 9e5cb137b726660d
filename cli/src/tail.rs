//! `tallymark tail`: follows the store and prints each point as it arrives (by field name with a
//! schema lock), whoever writes it (`tallymark dev`, `tallymark ingest`).

use crate::show::Shower;
use crate::store::{is_dataset_name, Point, Store, SLOTS};
use rusqlite::types::ValueRef;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// How often the store is read.
pub const POLL: Duration = Duration::from_millis(200);

/// Reads one row (`rowid, timestamp, _sample_interval, index1, blob1.., double1..`) as a point.
fn point(dataset: &str, row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Point)> {
    let bytes = |i: usize| -> rusqlite::Result<Vec<u8>> {
        Ok(match row.get_ref(i)? {
            ValueRef::Text(b) | ValueRef::Blob(b) => b.to_vec(),
            ValueRef::Null => Vec::new(),
            ValueRef::Integer(n) => n.to_string().into_bytes(),
            ValueRef::Real(x) => x.to_string().into_bytes(),
        })
    };
    let timestamp: String = row.get(1)?;
    Ok((
        row.get(0)?,
        Point {
            dataset: dataset.to_owned(),
            timestamp: crate::time::parse(&timestamp).unwrap_or(0),
            sample_interval: row.get(2)?,
            index: bytes(3)?,
            blobs: (0..SLOTS).map(|n| bytes(4 + n)).collect::<Result<_, _>>()?,
            doubles: (0..SLOTS)
                .map(|n| row.get::<_, f64>(4 + SLOTS + n))
                .collect::<Result<_, _>>()?,
        },
    ))
}

/// The points of `dataset` after `after` (a rowid), oldest first, with their rowids.
fn read_after(store: &Store, dataset: &str, after: i64) -> Result<Vec<(i64, Point)>, String> {
    if !is_dataset_name(dataset) {
        return Ok(Vec::new());
    }
    let columns = crate::store::columns();
    // The table name comes from the store's own schema and is checked to be an identifier.
    let sql = format!(
        "SELECT rowid, {} FROM \"{dataset}\" WHERE rowid > ?1 ORDER BY rowid",
        columns[1..].join(", ")
    );
    let fail = |e: rusqlite::Error| format!("the store {}: {e}", store.path().display());
    let mut statement = store.connection().prepare(&sql).map_err(fail)?;
    let rows = statement
        .query_map([after], |row| point(dataset, row))
        .map_err(fail)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(fail)
}

/// The highest rowid of `dataset` (0 when empty).
fn last_rowid(store: &Store, dataset: &str) -> Result<i64, String> {
    if !is_dataset_name(dataset) {
        return Ok(0);
    }
    store
        .connection()
        .query_row(
            &format!("SELECT coalesce(max(rowid), 0) FROM \"{dataset}\""),
            [],
            |row| row.get(0),
        )
        .map_err(|e| format!("the store {}: {e}", store.path().display()))
}

/// A store being followed: where each dataset was last read.
struct Follower {
    store: Store,
    seen: BTreeMap<String, i64>,
}

impl Follower {
    /// Follows the store at `db` from its end (with `all`, from its start), waiting for the
    /// file when it does not exist yet.
    fn start(db: &Path, all: bool) -> Result<Follower, String> {
        let mut waited = false;
        while !db.exists() {
            if !waited {
                eprintln!("tallymark tail: waiting for {} to be created", db.display());
                waited = true;
            }
            std::thread::sleep(POLL);
        }
        let store = Store::open_read_only(db)?;
        let mut seen: BTreeMap<String, i64> = BTreeMap::new();
        if !all {
            for dataset in store.datasets()? {
                let last = last_rowid(&store, &dataset)?;
                seen.insert(dataset, last);
            }
        }
        Ok(Follower { store, seen })
    }

    /// Prints the points stored since the last read.
    fn poll(&mut self, shower: &Shower, print: &mut impl FnMut(&str)) -> Result<(), String> {
        for dataset in self.store.datasets()? {
            let after = self.seen.get(&dataset).copied().unwrap_or(0);
            let points = read_after(&self.store, &dataset, after)?;
            if let Some((last, _)) = points.last() {
                self.seen.insert(dataset.clone(), *last);
            }
            for (_, point) in &points {
                print(&shower.line(point));
            }
        }
        Ok(())
    }
}

/// Follows the store at `db`, printing each new point through `print`; with `all`, the points
/// already there first. Never returns but on an error.
pub fn follow(
    db: &Path,
    shower: &Shower,
    all: bool,
    mut print: impl FnMut(&str),
) -> Result<(), String> {
    let mut follower = Follower::start(db, all)?;
    loop {
        follower.poll(shower, &mut print)?;
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_only_new_points_unless_all() {
        let dir = std::env::temp_dir().join(format!("tallymark-tail-{}", std::process::id()));
        // A store left by an earlier run of the same process id would hold points already.
        let _ = std::fs::remove_dir_all(&dir);
        let db = dir.join("points.db");
        let mut store = Store::open(&db).unwrap();
        let point = |event: &str| Point {
            dataset: "ev".into(),
            timestamp: 1_700_000_000,
            sample_interval: 1,
            index: event.as_bytes().to_vec(),
            blobs: vec![event.as_bytes().to_vec()],
            doubles: vec![2.5],
        };
        store.insert(&[point("old")]).unwrap();
        let mut lines = Vec::new();
        let mut print = |l: &str| lines.push(l.to_owned());
        let mut from_the_end = Follower::start(&db, false).unwrap();
        from_the_end.poll(&Shower::default(), &mut print).unwrap();
        let mut from_the_start = Follower::start(&db, true).unwrap();
        from_the_start.poll(&Shower::default(), &mut print).unwrap();
        assert_eq!(
            lines,
            ["2023-11-14 22:13:20 ev index1=old blob1=old double1=2.5"]
        );
        // Points stored while it follows, into a dataset it had not seen too, in order; each
        // once.
        lines.clear();
        let mut other = point("other");
        other.dataset = "another".into();
        store
            .insert(&[point("new"), other, point("newer")])
            .unwrap();
        let mut print = |l: &str| lines.push(l.to_owned());
        from_the_end.poll(&Shower::default(), &mut print).unwrap();
        from_the_end.poll(&Shower::default(), &mut print).unwrap();
        assert_eq!(
            lines,
            [
                "2023-11-14 22:13:20 another index1=other blob1=other double1=2.5",
                "2023-11-14 22:13:20 ev index1=new blob1=new double1=2.5",
                "2023-11-14 22:13:20 ev index1=newer blob1=newer double1=2.5",
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
