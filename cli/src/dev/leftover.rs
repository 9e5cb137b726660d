//! A workerd left running by a `tallymark dev` that was killed with SIGKILL (which skips its
//! clean-up), stopped by the next one. Each `dev` records the workerd it runs in
//! `dev-<port>.pid` beside the store: its own PID and command line, workerd's PID and command line
//! (which names the run's folder, so it is unique) and that folder. A later `dev` reads every
//! record there; when the recorded `dev` no longer runs (no process with that PID and command
//! line), and the recorded PID still runs exactly the recorded workerd command line, it stops that
//! workerd (SIGTERM, then SIGKILL) and removes the record and the run's folder. A PID reused by
//! another program has another command line, and is never signalled.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One running `dev` and its workerd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The `tallymark dev` process.
    pub dev_pid: u32,
    /// Its command line, arguments joined by spaces.
    pub dev_command: String,
    /// Its workerd.
    pub workerd_pid: u32,
    /// workerd's command line, arguments joined by spaces.
    pub workerd_command: String,
    /// The folder workerd runs in (its config and modules).
    pub run_dir: PathBuf,
}

/// The command line process `pid` runs, arguments joined by spaces (`None` when there is no such
/// process, or it has ended and awaits its parent).
pub fn command_line(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok();
    let line = match raw {
        Some(raw) => raw
            .split(|b| *b == 0)
            .filter(|part| !part.is_empty())
            .map(|part| String::from_utf8_lossy(part).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        // No /proc (macOS): ps prints the arguments joined by spaces.
        None => {
            let output = std::process::Command::new("ps")
                .args(["-ww", "-o", "command=", "-p", &pid.to_string()])
                .output()
                .ok()?;
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }
    };
    (!line.is_empty()).then_some(line)
}

/// This process's command line, as [`command_line`] reads it.
pub fn own_command_line() -> String {
    command_line(std::process::id())
        .unwrap_or_else(|| std::env::args().collect::<Vec<_>>().join(" "))
}

/// The record file of the `dev` serving `port` with its store in `store_dir`.
pub fn path(store_dir: &Path, port: u16) -> PathBuf {
    store_dir.join(format!("dev-{port}.pid"))
}

/// Writes `record` to `file` (replacing the previous one).
pub fn write(file: &Path, record: &Record) -> Result<(), String> {
    let text = json!({
        "dev_pid": record.dev_pid,
        "dev_command": record.dev_command,
        "workerd_pid": record.workerd_pid,
        "workerd_command": record.workerd_command,
        "run_dir": record.run_dir.to_string_lossy(),
    });
    std::fs::write(file, format!("{text}\n"))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// Reads a record; `None` when it is not one.
fn read(file: &Path) -> Option<Record> {
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    let pid = |key: &str| value.get(key)?.as_u64().and_then(|p| u32::try_from(p).ok());
    let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
    Some(Record {
        dev_pid: pid("dev_pid")?,
        dev_command: text("dev_command")?,
        workerd_pid: pid("workerd_pid")?,
        workerd_command: text("workerd_command")?,
        run_dir: PathBuf::from(text("run_dir")?),
    })
}

/// Sends `signal` to `pid` with kill(1) (the standard library has no such call without `unsafe`).
fn signal(pid: u32, signal: &str) {
    let _ = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status();
}

/// Ends the workerd of `record`: SIGTERM, and SIGKILL when it still runs after 3 s. True when
/// it is gone.
fn stop(record: &Record) -> bool {
    let running = || command_line(record.workerd_pid).as_deref() == Some(&record.workerd_command);
    for (name, wait) in [("-TERM", 3), ("-KILL", 2)] {
        signal(record.workerd_pid, name);
        let deadline = Instant::now() + Duration::from_secs(wait);
        while Instant::now() < deadline {
            if !running() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    !running()
}

/// Stops every workerd recorded in `store_dir` whose `dev` has gone, and forgets the records of
/// `dev`s that are gone; returns a line for each workerd stopped.
pub fn stop_leftovers(store_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(store_dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("dev-") && n.ends_with(".pid"))
        })
        .collect();
    files.sort();
    let mut lines = Vec::new();
    for file in files {
        let Some(record) = read(&file) else {
            continue;
        };
        if command_line(record.dev_pid).as_deref() == Some(&record.dev_command) {
            continue; // Its dev still runs: not a leftover.
        }
        if command_line(record.workerd_pid).as_deref() == Some(&record.workerd_command) {
            if !stop(&record) {
                lines.push(format!(
                    "tallymark dev: could not stop workerd (PID {}) left running by an earlier tallymark dev (PID {})",
                    record.workerd_pid, record.dev_pid
                ));
                continue;
            }
            lines.push(format!(
                "tallymark dev: stopped workerd (PID {}) left running by an earlier tallymark dev (PID {})",
                record.workerd_pid, record.dev_pid
            ));
        }
        let _ = std::fs::remove_dir_all(&record.run_dir);
        let _ = std::fs::remove_file(&file);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command};

    /// A process that waits, with a command line of its own (returned once its command line
    /// reads back: just after the spawn, the kernel may still be setting it up).
    fn sleeper(seconds: &str) -> Child {
        let child = Command::new("sleep").arg(seconds).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while command_line(child.id()).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        child
    }

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tallymark-leftover-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_workerd_whose_dev_is_gone_is_stopped_and_forgotten() {
        let store = dir("gone");
        let run_dir = store.join("run");
        std::fs::create_dir_all(&run_dir).unwrap();
        let mut workerd = sleeper("61");
        let mut dev = sleeper("62");
        let record = Record {
            dev_pid: dev.id(),
            dev_command: "sleep 62".to_owned(),
            workerd_pid: workerd.id(),
            workerd_command: "sleep 61".to_owned(),
            run_dir: run_dir.clone(),
        };
        write(&path(&store, 8787), &record).unwrap();
        assert_eq!(read(&path(&store, 8787)), Some(record.clone()));
        // Its dev runs: nothing is touched.
        assert_eq!(stop_leftovers(&store), Vec::<String>::new());
        assert_eq!(command_line(workerd.id()).as_deref(), Some("sleep 61"));
        // Its dev is gone: workerd is stopped, the record and the run's folder removed.
        dev.kill().unwrap();
        dev.wait().unwrap();
        // (workerd is this test's child: once signalled it awaits this test as a zombie, whose
        // command line is empty: gone.)
        assert_eq!(
            stop_leftovers(&store),
            [format!(
                "tallymark dev: stopped workerd (PID {}) left running by an earlier tallymark dev (PID {})",
                record.workerd_pid, record.dev_pid
            )]
        );
        assert!(!workerd.wait().unwrap().success());
        assert!(!run_dir.exists());
        assert!(!path(&store, 8787).exists());
        let _ = std::fs::remove_dir_all(store);
    }

    #[test]
    fn a_reused_pid_running_something_else_is_never_signalled() {
        let store = dir("reused");
        let mut other = sleeper("63");
        let record = Record {
            dev_pid: u32::MAX - 1,
            dev_command: "tallymark dev".to_owned(),
            workerd_pid: other.id(),
            workerd_command: "workerd serve /tmp/tallymark-dev-1/config.capnp --experimental"
                .to_owned(),
            run_dir: store.join("run"),
        };
        write(&path(&store, 9000), &record).unwrap();
        assert_eq!(stop_leftovers(&store), Vec::<String>::new());
        assert_eq!(command_line(other.id()).as_deref(), Some("sleep 63"));
        assert!(
            !path(&store, 9000).exists(),
            "the stale record is forgotten"
        );
        other.kill().unwrap();
        other.wait().unwrap();
        let _ = std::fs::remove_dir_all(store);
    }
}
