//! The local store: one SQLite file holding Analytics Engine's rows, one table per dataset with
//! AE's columns (`dataset`, `timestamp`, `_sample_interval`, `index1`, `blob1..blob20`,
//! `double1..double20`).
//!
//! `timestamp` is stored as AE prints it, `YYYY-MM-DD hh:mm:ss` in UTC, so it sorts and compares
//! as time does. Blobs are stored as text when they are UTF-8, else as bytes. Tables are created by
//! [`Store::insert`] from validated dataset names only; no query text ever reaches the schema.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The store's default file, relative to the working directory.
pub const DEFAULT_PATH: &str = ".tallymark/points.db";

/// How many blobs and doubles a point has at most.
pub const SLOTS: usize = 20;

/// One data point, as Analytics Engine stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The dataset (table) it belongs to.
    pub dataset: String,
    /// When it was written, in seconds since the Unix epoch (AE keeps whole seconds).
    pub timestamp: i64,
    /// How many original points this row stands for.
    pub sample_interval: i64,
    /// The index (`index1`).
    pub index: Vec<u8>,
    /// `blob1..`, in order; missing blobs read as `''`.
    pub blobs: Vec<Vec<u8>>,
    /// `double1..`, in order; missing doubles read as `0`.
    pub doubles: Vec<f64>,
}

/// An open store.
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

/// Whether `name` can name a dataset: ASCII letters, digits and `_`, not starting with a digit,
/// at most 255 bytes (as Analytics Engine's dataset names).
pub fn is_dataset_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 255
}

/// Whether the store can hold a dataset of this name as a table: a dataset name
/// ([`is_dataset_name`]) that does not start with `sqlite_` in any case, which SQLite reserves.
pub fn is_storable(name: &str) -> bool {
    is_dataset_name(name)
        && !name
            .get(..7)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("sqlite_"))
}

/// Why `name` cannot name a table of the store, if it cannot ([`is_storable`]).
pub fn check_storable(name: &str) -> Result<(), String> {
    if !is_dataset_name(name) {
        Err(format!(
            "`{name}` cannot name a dataset (letters, digits and `_`, not starting with a digit)"
        ))
    } else if !is_storable(name) {
        Err(format!(
            "`{name}` cannot name a dataset in the local store (SQLite reserves names starting with `sqlite_`)"
        ))
    } else {
        Ok(())
    }
}

/// The column names of a dataset's table, in AE's order.
pub fn columns() -> Vec<String> {
    let mut names: Vec<String> = ["dataset", "timestamp", "_sample_interval", "index1"]
        .map(str::to_owned)
        .to_vec();
    names.extend((1..=SLOTS).map(|n| format!("blob{n}")));
    names.extend((1..=SLOTS).map(|n| format!("double{n}")));
    names
}

/// Whether `name` is one of AE's columns (case-sensitive, as AE's are).
pub fn is_column(name: &str) -> bool {
    let slot = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=SLOTS).contains(&n) && !name[prefix.len()..].starts_with('0'))
    };
    matches!(
        name,
        "dataset" | "timestamp" | "_sample_interval" | "index1"
    ) || slot("blob")
        || slot("double")
}

/// Whether `error` is the store failing (locked past the wait, damaged, unreadable, out of
/// memory), as opposed to a statement's own error (no such column, a function's bad argument).
pub fn is_store_failure(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{
        CannotOpen, DatabaseBusy, DatabaseCorrupt, DatabaseLocked, DiskFull, NotADatabase,
        OutOfMemory, SystemIoFailure,
    };
    matches!(
        error.sqlite_error_code(),
        Some(
            CannotOpen
                | DatabaseBusy
                | DatabaseCorrupt
                | DatabaseLocked
                | DiskFull
                | NotADatabase
                | OutOfMemory
                | SystemIoFailure
        )
    )
}

fn describe(path: &Path, error: &rusqlite::Error) -> String {
    let busy = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    let corrupt = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    );
    if busy {
        format!(
            "the store {} is locked by another process (is an ingest running?); try again when it ends",
            path.display()
        )
    } else if corrupt {
        format!(
            "the store {} is not a tallymark store or is damaged ({error}); move it away and ingest again",
            path.display()
        )
    } else {
        format!("the store {}: {error}", path.display())
    }
}

impl Store {
    /// The store of the file at `path` through `connection`, which waits up to 2 s for a lock
    /// another process holds.
    fn on(path: &Path, connection: Connection) -> Result<Store, String> {
        connection
            .busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|e| describe(path, &e))?;
        Ok(Store {
            connection,
            path: path.to_owned(),
        })
    }

    /// Opens the store for writing, creating the file (and its folder) when missing.
    pub fn open(path: &Path) -> Result<Store, String> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let connection = Connection::open(path).map_err(|e| describe(path, &e))?;
        let store = Store::on(path, connection)?;
        // WAL: readers (query, serve) never block the writer, nor the writer them.
        store
            .connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| describe(path, &e))?;
        // With WAL, NORMAL keeps the store consistent on a crash and skips a sync per commit.
        store
            .connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| describe(path, &e))?;
        // 64 MiB of page cache (SQLite's default is 2 MiB), so the timestamp index of a large
        // ingest whose points come out of time order stays in memory.
        store
            .connection
            .pragma_update(None, "cache_size", -65_536)
            .map_err(|e| describe(path, &e))?;
        store.datasets()?;
        Ok(store)
    }

    /// Opens an existing store read-only: no statement run through it can change the file.
    pub fn open_read_only(path: &Path) -> Result<Store, String> {
        if !path.exists() {
            return Err(format!(
                "no store at {}: load points first with `tallymark ingest`",
                path.display()
            ));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection =
            Connection::open_with_flags(path, flags).map_err(|e| describe(path, &e))?;
        let store = Store::on(path, connection)?;
        // Defence in depth (only checked SELECTs reach this connection): no other database can
        // be attached, and the connection refuses writes even to temporary tables.
        store
            .connection
            .set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_ATTACHED, 0)
            .map_err(|e| describe(path, &e))?;
        store
            .connection
            .pragma_update(None, "query_only", true)
            .map_err(|e| describe(path, &e))?;
        store.datasets()?;
        Ok(store)
    }

    /// The connection, for queries (read-only when opened with [`Store::open_read_only`]).
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// What `error`, met reading this store, means to the user.
    pub fn describe(&self, error: &rusqlite::Error) -> String {
        describe(&self.path, error)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The datasets the store holds, sorted by name.
    pub fn datasets(&self) -> Result<Vec<String>, String> {
        let mut statement = self
            .connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(|e| describe(&self.path, &e))?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| describe(&self.path, &e))?;
        Ok(names)
    }

    /// The stored dataset whose name differs from `dataset` only in case, if any (SQLite would
    /// take its table for `dataset`'s); an error when the store fails.
    pub fn dataset_differing_in_case(&self, dataset: &str) -> Result<Option<String>, String> {
        table_differing_in_case(&self.connection, dataset).map_err(|e| describe(&self.path, &e))
    }

    /// Why a point of `dataset` cannot be stored beside a stored dataset whose name differs from
    /// it only in case ([`differs_only_in_case`]), or `None`; an error when the store fails.
    pub fn case_clash(&self, dataset: &str) -> Result<Option<String>, String> {
        self.dataset_differing_in_case(dataset)
            .map(|other| other.map(|other| differs_only_in_case(dataset, &other)))
    }

    /// Inserts `points` in one transaction: all of them or, on an error, none.
    pub fn insert(&mut self, points: &[Point]) -> Result<(), String> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| describe(&path, &e);
        let transaction = self.connection.transaction().map_err(fail)?;
        let mut datasets: Vec<&str> = points.iter().map(|p| p.dataset.as_str()).collect();
        datasets.sort_unstable();
        datasets.dedup();
        for dataset in datasets {
            check_storable(dataset)?;
            if let Some(other) = table_differing_in_case(&transaction, dataset).map_err(fail)? {
                return Err(differs_only_in_case(dataset, &other));
            }
            transaction
                .execute_batch(&create_table(dataset))
                .map_err(fail)?;
            let mut statement = transaction.prepare(&insert_row(dataset)).map_err(fail)?;
            for point in points.iter().filter(|p| p.dataset == dataset) {
                let mut values: Vec<ValueRef<'_>> = Vec::with_capacity(4 + 2 * SLOTS);
                let timestamp = crate::time::format(point.timestamp);
                values.push(ValueRef::Text(point.dataset.as_bytes()));
                values.push(ValueRef::Text(timestamp.as_bytes()));
                values.push(ValueRef::Integer(point.sample_interval));
                values.push(blob_value(&point.index));
                for n in 0..SLOTS {
                    values.push(
                        point
                            .blobs
                            .get(n)
                            .map_or(ValueRef::Text(b""), |b| blob_value(b)),
                    );
                }
                for n in 0..SLOTS {
                    values.push(ValueRef::Real(point.doubles.get(n).copied().unwrap_or(0.0)));
                }
                statement
                    .execute(rusqlite::params_from_iter(
                        values
                            .into_iter()
                            .map(rusqlite::types::ToSqlOutput::Borrowed),
                    ))
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }
}

/// A blob as stored: text when it is UTF-8, else bytes.
fn blob_value(bytes: &[u8]) -> ValueRef<'_> {
    if std::str::from_utf8(bytes).is_ok() {
        ValueRef::Text(bytes)
    } else {
        ValueRef::Blob(bytes)
    }
}

/// Why `dataset` cannot be stored beside `other`, a dataset whose name differs from it only in
/// case.
pub fn differs_only_in_case(dataset: &str, other: &str) -> String {
    format!(
        "dataset `{dataset}` differs from `{other}` only in case, and the store's tables are \
         named case-insensitively (SQLite's rule): the two would share a table"
    )
}

/// The table of another dataset whose name equals `dataset` but for case, if the store has one.
/// SQLite matches table names case-insensitively, so such a dataset would write into that table.
fn table_differing_in_case(
    connection: &Connection,
    dataset: &str,
) -> rusqlite::Result<Option<String>> {
    connection
        .prepare_cached(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE AND name != ?1",
        )?
        .query_map([dataset], |row| row.get(0))?
        .next()
        .transpose()
}

/// `CREATE TABLE IF NOT EXISTS` for a dataset (its name already validated).
fn create_table(dataset: &str) -> String {
    let mut columns = vec![
        "dataset TEXT NOT NULL".to_owned(),
        "timestamp TEXT NOT NULL".to_owned(),
        "_sample_interval INTEGER NOT NULL".to_owned(),
        "index1 TEXT NOT NULL".to_owned(),
    ];
    columns.extend((1..=SLOTS).map(|n| format!("blob{n} TEXT NOT NULL DEFAULT ''")));
    columns.extend((1..=SLOTS).map(|n| format!("double{n} REAL NOT NULL DEFAULT 0")));
    format!(
        "CREATE TABLE IF NOT EXISTS \"{dataset}\" ({});\nCREATE INDEX IF NOT EXISTS \"{dataset} by time\" ON \"{dataset}\" (timestamp);",
        columns.join(", ")
    )
}

/// The insert statement of a dataset (its name already validated), with one parameter a column.
fn insert_row(dataset: &str) -> String {
    let names = columns();
    let parameters: Vec<String> = (1..=names.len()).map(|n| format!("?{n}")).collect();
    format!(
        "INSERT INTO \"{dataset}\" ({}) VALUES ({})",
        names.join(", "),
        parameters.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point of `dataset` with nothing in it.
    fn empty_point(dataset: &str) -> Point {
        Point {
            dataset: dataset.to_owned(),
            timestamp: 0,
            sample_interval: 1,
            index: Vec::new(),
            blobs: Vec::new(),
            doubles: Vec::new(),
        }
    }

    #[test]
    fn dataset_names_are_identifiers() {
        assert!(is_dataset_name("kiloclaw_events"));
        assert!(is_dataset_name("_x1"));
        assert!(!is_dataset_name("1x"));
        assert!(!is_dataset_name("a\"; DROP TABLE x; --"));
        assert!(!is_dataset_name(""));
        assert!(is_dataset_name("sqlite_events") && !is_storable("sqlite_events"));
        assert!(!is_storable("SQLite_x") && is_storable("sqlite") && is_storable("events"));
    }

    /// Found by the `ingest_line` fuzz target: the index of dataset `sqlite` was named
    /// `sqlite_by_time`, a name SQLite reserves, and the one of `x` took the name of a dataset
    /// `x_by_time`; either failed the whole ingest. An index name now holds a space, which no
    /// dataset name does.
    #[test]
    fn no_two_datasets_clash_in_the_store() {
        let mut store = Store::open(Path::new(":memory:")).unwrap();
        for dataset in ["sqlite", "x", "x_by_time"] {
            store.insert(&[empty_point(dataset)]).unwrap();
        }
        assert_eq!(store.datasets().unwrap(), ["sqlite", "x", "x_by_time"]);
    }

    /// Analytics Engine's dataset names are case-sensitive, SQLite's table names are not: a
    /// dataset that differs from a stored one only in case is refused, not mixed into its table,
    /// and the refused insert stores none of its points.
    #[test]
    fn datasets_differing_in_case_are_refused_not_mixed() {
        let refusal = differs_only_in_case("events", "Events");
        assert_eq!(
            refusal,
            "dataset `events` differs from `Events` only in case, and the store's tables are \
             named case-insensitively (SQLite's rule): the two would share a table"
        );
        let count = |store: &Store| -> i64 {
            store
                .connection()
                .query_row("SELECT count(*) FROM \"Events\"", [], |row| row.get(0))
                .unwrap()
        };
        let mut store = Store::open(Path::new(":memory:")).unwrap();
        store.insert(&[empty_point("Events")]).unwrap();
        assert_eq!(store.case_clash("events"), Ok(Some(refusal.clone())));
        assert_eq!(store.case_clash("Events"), Ok(None));
        // `Events` sorts first, so its point is written before `events` is refused.
        let batch = [empty_point("Events"), empty_point("events")];
        assert_eq!(store.insert(&batch).unwrap_err(), refusal);
        assert_eq!(
            (count(&store), store.datasets().unwrap()),
            (1, vec!["Events".to_owned()])
        );
        store.insert(&[empty_point("Events")]).unwrap();
        assert_eq!(count(&store), 2);

        // Both spellings new in one batch: neither table is made.
        let mut store = Store::open(Path::new(":memory:")).unwrap();
        assert_eq!(store.insert(&batch).unwrap_err(), refusal);
        assert!(store.datasets().unwrap().is_empty());
    }

    #[test]
    fn columns_are_aes() {
        assert!(is_column("blob1") && is_column("blob20") && is_column("double7"));
        assert!(!is_column("blob0") && !is_column("blob21") && !is_column("blob01"));
        assert!(is_column("_sample_interval") && !is_column("index2"));
        assert_eq!(columns().len(), 44);
    }
}

#[cfg(test)]
mod read_only_tests {
    use super::*;

    #[test]
    fn a_store_opened_read_only_refuses_every_write() {
        let dir = std::env::temp_dir().join(format!("tallymark-ro-{}", std::process::id()));
        let path = dir.join("points.db");
        let point = Point {
            dataset: "events".into(),
            timestamp: 0,
            sample_interval: 1,
            index: Vec::new(),
            blobs: Vec::new(),
            doubles: Vec::new(),
        };
        Store::open(&path).unwrap().insert(&[point]).unwrap();
        let store = Store::open_read_only(&path).unwrap();
        for sql in [
            "DELETE FROM events",
            "DROP TABLE events",
            "CREATE TABLE x (a)",
            "ATTACH DATABASE ':memory:' AS x",
            "PRAGMA journal_mode = DELETE",
            "CREATE TEMP TABLE x (a)",
        ] {
            assert!(store.connection().execute_batch(sql).is_err(), "{sql}");
        }
        assert_eq!(store.datasets().unwrap(), ["events"]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_that_is_not_a_store_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("tallymark-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("points.db");
        std::fs::write(&path, vec![7u8; 8192]).unwrap();
        let error = Store::open(&path).err().unwrap();
        assert_eq!(
            error,
            format!(
                "the store {} is not a tallymark store or is damaged (file is not a database); move it away and ingest again",
                path.display()
            )
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
