//! Rebuild on change: the files a worker is built from (the crate's `src/`, `build.rs`,
//! `Cargo.toml`, `wrangler.toml`, `.dev.vars`), polled for their modification time and size
//! every [`POLL`]; a change is reported once the files have stayed still for [`SETTLE`] (an
//! editor's save can write several).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How often the files are looked at.
pub const POLL: Duration = Duration::from_millis(500);

/// How long the files must stay still before a change is reported.
pub const SETTLE: Duration = Duration::from_millis(300);

/// The files outside `src/` that are watched.
const FILES: [&str; 4] = ["Cargo.toml", "build.rs", "wrangler.toml", ".dev.vars"];

/// Each watched file (relative to the crate) with its modification time and size.
type Snapshot = BTreeMap<PathBuf, (Option<SystemTime>, u64)>;

/// Watches one crate.
pub struct Watcher {
    root: PathBuf,
    seen: Snapshot,
    next: Instant,
}

/// Adds the files under `dir` (relative to `root`) to `snapshot`.
fn walk(root: &Path, dir: &Path, snapshot: &mut Snapshot) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let relative = dir.join(entry.file_name());
        match entry.metadata() {
            Ok(meta) if meta.is_dir() => walk(root, &relative, snapshot),
            Ok(meta) => {
                snapshot.insert(relative, (meta.modified().ok(), meta.len()));
            }
            Err(_) => {}
        }
    }
}

fn snapshot(root: &Path) -> Snapshot {
    let mut snapshot = Snapshot::new();
    walk(root, Path::new("src"), &mut snapshot);
    for file in FILES {
        if let Ok(meta) = std::fs::metadata(root.join(file)) {
            snapshot.insert(PathBuf::from(file), (meta.modified().ok(), meta.len()));
        }
    }
    snapshot
}

impl Watcher {
    /// Watches the crate in `root`, from its files as they are now.
    pub fn new(root: &Path) -> Watcher {
        Watcher {
            root: root.to_owned(),
            seen: snapshot(root),
            next: Instant::now() + POLL,
        }
    }

    /// The files changed (added, modified or removed) since the last change reported, relative to
    /// the crate, once they have settled; empty when none did, or before the next poll is due.
    pub fn changes(&mut self) -> Vec<PathBuf> {
        if Instant::now() < self.next {
            return Vec::new();
        }
        self.next = Instant::now() + POLL;
        let mut now = snapshot(&self.root);
        if now == self.seen {
            return Vec::new();
        }
        loop {
            std::thread::sleep(SETTLE);
            let later = snapshot(&self.root);
            if later == now {
                break;
            }
            now = later;
        }
        let mut changed: Vec<PathBuf> = now
            .iter()
            .filter(|(path, state)| self.seen.get(*path) != Some(state))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(
            self.seen
                .keys()
                .filter(|path| !now.contains_key(*path))
                .cloned(),
        );
        changed.sort();
        self.seen = now;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_change_once_settled() {
        let root = std::env::temp_dir().join(format!("tallymark-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src/routes")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "// one").unwrap();
        std::fs::write(root.join("wrangler.toml"), "name = \"x\"").unwrap();
        std::fs::write(root.join("README.md"), "not watched").unwrap();
        let mut watcher = Watcher::new(&root);
        let wait = || std::thread::sleep(POLL + Duration::from_millis(50));
        wait();
        assert_eq!(watcher.changes(), Vec::<PathBuf>::new());
        // Edits, a new file, a file outside the watched ones; a size change is seen even
        // within the filesystem's timestamp granularity.
        std::fs::write(root.join("src/lib.rs"), "// two!").unwrap();
        std::fs::write(root.join("src/routes/mod.rs"), "").unwrap();
        std::fs::write(root.join("README.md"), "still not watched").unwrap();
        wait();
        assert_eq!(
            watcher.changes(),
            [
                PathBuf::from("src/lib.rs"),
                PathBuf::from("src/routes/mod.rs")
            ]
        );
        wait();
        assert_eq!(watcher.changes(), Vec::<PathBuf>::new());
        std::fs::remove_file(root.join("wrangler.toml")).unwrap();
        std::fs::write(root.join(".dev.vars"), "A=1").unwrap();
        wait();
        assert_eq!(
            watcher.changes(),
            [PathBuf::from(".dev.vars"), PathBuf::from("wrangler.toml")]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
