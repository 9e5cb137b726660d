//! `tallymark schema`: a schema lock's layouts exported (JSON, SQL, Markdown) and checked, from the
//! lock file alone.
//!
//! The exports are `tallymark_schema::export`'s, from the lock's description of each layout
//! (`Layout::of_lock`), rendered as `tallymark::Schema::to_json`, `to_sql` and `to_markdown`
//! render (tested against the runtime in `tests/schema_export.rs`).

use std::path::{Path, PathBuf};
use tallymark_schema::{Lock, Place};

/// Writes the schema lock of the crate at `dir` from its layouts, and returns the lock's path.
///
/// The layout macro writes the lock when the crate compiles with `TALLYMARK_LOCK=write` (and only
/// for the crate cargo was asked for, never a dependency); the crate's sources are touched first,
/// so that cargo compiles it again even when it is up to date.
pub fn write_lock(dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!(
            "{} has no Cargo.toml: give a crate's directory",
            dir.display()
        ));
    }
    touch_sources(&dir.join("src"))?;
    let status = std::process::Command::new("cargo")
        .args(["check", "--quiet", "--all-targets", "--manifest-path"])
        .arg(&manifest)
        .env("TALLYMARK_LOCK", "write")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo check of {} failed ({status}): fix what it says, then write the lock again",
            dir.display()
        ));
    }
    let lock = dir.join(tallymark_schema::FILE_NAME);
    if lock.is_file() {
        Ok(lock)
    } else {
        Err(format!(
            "{} has no #[tallymark::layout]: there is nothing to lock",
            dir.display()
        ))
    }
}

/// Sets the modification time of every `.rs` file under `dir` to now.
fn touch_sources(dir: &std::path::Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            touch_sources(&path)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|file| file.set_modified(std::time::SystemTime::now()))
                .map_err(|e| format!("cannot touch {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The lock a command reads, and where it was: the one given, else `dir`'s `tallymark.lock` when
/// there is one, else an empty lock and no path (points are then shown, and queried, by slot).
pub fn read_given_or_beside(
    given: Option<&Path>,
    dir: &Path,
) -> Result<(Lock, Option<PathBuf>), String> {
    let beside = dir.join(tallymark_schema::FILE_NAME);
    let path = match given {
        Some(path) => path.to_owned(),
        None if beside.exists() => beside,
        None => return Ok((Lock::default(), None)),
    };
    Ok((read(&path)?, Some(path)))
}

/// Reads the lock at `path`.
pub fn read(path: &Path) -> Result<Lock, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the schema lock {}: {e}", path.display()))?;
    tallymark_schema::parse(&text).map_err(|e| format!("{} {e}", path.display()))
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
            let same_kind = |e: &&tallymark_schema::Entry| {
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

    /// A sound lock: an index that is also a blob, an enum with its values, a retired slot.
    const LOCK: &str = "layout Job dataset jobs binding JOBS
  index name text
  blob1 name text
  blob2 phase enum Phase
  blob3 retired owner
  double1 attempts number

enum Phase values queued done
";

    #[test]
    fn a_sound_lock_has_no_problems() {
        assert_eq!(
            check(&tallymark_schema::parse(LOCK).unwrap()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn check_names_each_problem_and_its_line() {
        let lock = tallymark_schema::parse(
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
