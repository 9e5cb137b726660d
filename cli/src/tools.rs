//! The pinned tools `tallymark dev` builds and runs a worker with, each installed only when the
//! right version is missing (as `scripts/tools.sh` does for this repository):
//!
//! - `worker-build` [`WORKER_BUILD_VERSION`] (`cargo install --locked`);
//! - `wasm-bindgen-cli` at the version of `wasm-bindgen` in the crate's `Cargo.lock`;
//! - `workerd` [`WORKERD_VERSION`] and binaryen's `wasm-opt` [`BINARYEN_VERSION`], the npm
//!   packages `e2e/package-lock.json` pins, installed with `npm install` into
//!   [`cache_dir`]`/npm-<workerd>-<binaryen>`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `workerd` npm package's version (as `e2e/package-lock.json` pins it).
pub const WORKERD_VERSION: &str = "1.20261117.1";
/// The `binaryen` npm package's version, whose `wasm-opt` worker-build runs.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The `worker-build` version (as `scripts/tools.sh` pins it).
pub const WORKER_BUILD_VERSION: &str = "0.8.7";

/// Where downloaded tools are kept: `$TALLYMARK_CACHE`, else `$XDG_CACHE_HOME/tallymark`, else
/// `~/.cache/tallymark`.
pub fn cache_dir() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("TALLYMARK_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("tallymark")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("tallymark")))
        .unwrap_or_else(|| std::env::temp_dir().join("tallymark-cache"))
}

/// Prints a step, as the repository's scripts do.
pub fn log(message: &str) {
    eprintln!("==> {message}");
}

/// The last word of `program --version`'s output, if it runs.
fn version_of(program: &OsStrLike) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace().last().map(str::to_owned)
}

type OsStrLike = std::ffi::OsStr;

/// The last lines a command printed, and the log file they are copied into.
struct Output {
    tail: std::collections::VecDeque<String>,
    file: Option<std::fs::File>,
    /// Why the log file could not be written (a full disk…), if it could not.
    file_error: Option<String>,
}

/// How many of a failed command's last lines are shown.
const TAIL_LINES: usize = 30;

impl Output {
    fn push(&mut self, line: &[u8]) {
        use std::io::Write as _;
        if let Some(file) = self.file.as_mut() {
            if let Err(e) = file.write_all(line).and_then(|()| file.write_all(b"\n")) {
                self.file_error = Some(e.to_string());
                self.file = None;
            }
        }
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail
            .push_back(String::from_utf8_lossy(line).trim_end().to_owned());
    }
}

/// Copies `stream`'s lines into `output` until it ends.
fn collect(
    stream: impl std::io::Read + Send + 'static,
    output: &std::sync::Arc<std::sync::Mutex<Output>>,
) -> std::thread::JoinHandle<()> {
    let output = std::sync::Arc::clone(output);
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stream)
            .split(b'\n')
            .map_while(Result::ok)
        {
            if let Ok(mut output) = output.lock() {
                output.push(&line);
            }
        }
    })
}

/// Runs `command` to the end, printing `what` and then a progress line every ten seconds; its
/// output is copied into `log_file` and its last lines kept, to be shown when it fails (from
/// memory: a log that could not be written, on a full disk, still shows what it printed). When
/// `cancel` is set while it runs, it is killed and the run fails.
pub fn run_logged(
    mut command: Command,
    what: &str,
    log_file: &Path,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<(), String> {
    use std::process::Stdio;
    log(what);
    let (file, file_error) = match std::fs::File::create(log_file) {
        Ok(file) => (Some(file), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let output = std::sync::Arc::new(std::sync::Mutex::new(Output {
        tail: std::collections::VecDeque::new(),
        file,
        file_error,
    }));
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let readers: Vec<_> = [
        child.stdout.take().map(|s| collect(s, &output)),
        child.stderr.take().map(|s| collect(s, &output)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let started = std::time::Instant::now();
    let mut next = 10;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => return Err(format!("waiting for {:?}: {e}", command.get_program())),
        }
        if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst)) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let elapsed = started.elapsed().as_secs();
        if elapsed >= next {
            eprintln!(
                "    … still running ({elapsed} s; log: {})",
                log_file.display()
            );
            next += 10;
        }
    };
    for reader in readers {
        let _ = reader.join();
    }
    let Some(status) = status else {
        return Err(format!("{what}: stopped"));
    };
    if status.success() {
        return Ok(());
    }
    let output = output
        .lock()
        .map_err(|_| format!("{what} failed ({status})"))?;
    let lines = if output.tail.is_empty() {
        "(it printed nothing)".to_owned()
    } else {
        Vec::from(output.tail.clone()).join("\n")
    };
    let log = match &output.file_error {
        Some(e) => format!("its log {} could not be written: {e}", log_file.display()),
        None => format!("all of it is in {}", log_file.display()),
    };
    Err(format!(
        "{what} failed ({status}); its last lines ({log}):\n{lines}"
    ))
}

/// The version of `package` in the `Cargo.lock` of `dir` or the nearest folder above it.
pub fn locked_version(dir: &Path, package: &str) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let lock = dir
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.exists())?;
    let text = std::fs::read_to_string(lock).ok()?;
    let table: toml::Table = text.parse().ok()?;
    table
        .get("package")?
        .as_array()?
        .iter()
        .filter_map(toml::Value::as_table)
        .find(|p| p.get("name").and_then(toml::Value::as_str) == Some(package))
        .and_then(|p| p.get("version")?.as_str().map(str::to_owned))
}

/// Makes sure `worker-build` and the matching `wasm-bindgen` are installed (installing them with
/// cargo when not), and that rustup has the wasm target; `logs` is where install logs go.
pub fn ensure_build_tools(crate_dir: &Path, logs: &Path) -> Result<(), String> {
    if Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            !String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == "wasm32-unknown-unknown")
        })
    {
        let mut command = Command::new("rustup");
        command.args(["target", "add", "wasm32-unknown-unknown"]);
        run_logged(
            command,
            "adding the wasm32-unknown-unknown target",
            &logs.join("rustup.log"),
            None,
        )?;
    }
    if version_of("worker-build".as_ref()).as_deref() != Some(WORKER_BUILD_VERSION) {
        let mut command = Command::new("cargo");
        command.args([
            "install",
            "worker-build",
            "--version",
            WORKER_BUILD_VERSION,
            "--locked",
            "--force",
        ]);
        run_logged(
            command,
            &format!("installing worker-build {WORKER_BUILD_VERSION} (a few minutes, once)"),
            &logs.join("install-worker-build.log"),
            None,
        )?;
    }
    if let Some(want) = locked_version(crate_dir, "wasm-bindgen") {
        if version_of("wasm-bindgen".as_ref()).as_deref() != Some(want.as_str()) {
            let mut command = Command::new("cargo");
            // Not --locked: its lockfile pins a dependency version the registry no longer serves.
            command.args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]);
            run_logged(
                command,
                &format!("installing wasm-bindgen-cli {want}, as Cargo.lock's wasm-bindgen (a few minutes, once)"),
                &logs.join("install-wasm-bindgen.log"),
                None,
            )?;
        }
    }
    Ok(())
}

/// The folder the pinned npm packages are installed in.
fn npm_dir() -> PathBuf {
    cache_dir().join(format!("npm-{WORKERD_VERSION}-{BINARYEN_VERSION}"))
}

/// The version an installed npm package says it has.
fn npm_version(dir: &Path, package: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("node_modules").join(package).join("package.json"))
        .ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("version")?.as_str().map(str::to_owned)
}

/// The pinned npm packages (workerd, binaryen) in the cache, installed with npm when missing;
/// returns their folder.
pub fn ensure_npm_packages() -> Result<PathBuf, String> {
    let dir = npm_dir();
    if npm_version(&dir, "workerd").as_deref() == Some(WORKERD_VERSION)
        && npm_version(&dir, "binaryen").as_deref() == Some(BINARYEN_VERSION)
    {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let manifest = serde_json::json!({
        "name": "tallymark-tools",
        "private": true,
        "description": "The workerd and wasm-opt that tallymark dev runs, installed by it",
        "dependencies": { "workerd": WORKERD_VERSION, "binaryen": BINARYEN_VERSION },
    });
    std::fs::write(dir.join("package.json"), format!("{manifest:#}\n"))
        .map_err(|e| format!("cannot write {}: {e}", dir.join("package.json").display()))?;
    const INSTALL: [&str; 4] = ["install", "--no-audit", "--no-fund", "--loglevel=error"];
    let mut command = Command::new("npm");
    command.args(INSTALL).current_dir(&dir);
    run_logged(
        command,
        &format!(
            "installing workerd {WORKERD_VERSION} and binaryen {BINARYEN_VERSION} with npm into {} (once)",
            dir.display()
        ),
        &dir.join("npm-install.log"),
        None,
    )
    .map_err(|e| {
        format!(
            "{e}\nretry by hand with: cd {} && npm {}\n(npm comes with Node.js: apt-get install -y nodejs npm)",
            dir.display(),
            INSTALL.join(" ")
        )
    })?;
    if npm_version(&dir, "workerd").as_deref() != Some(WORKERD_VERSION) {
        return Err(format!(
            "npm did not install workerd {WORKERD_VERSION} into {}",
            dir.display()
        ));
    }
    Ok(dir)
}

/// The workerd binary: `given` (from `--workerd` or `TALLYMARK_WORKERD`) when set, else the
/// pinned one from the cache, installed when missing.
pub fn workerd(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = given {
        return if path.is_file() {
            Ok(path.to_owned())
        } else {
            Err(format!("no workerd at {}", path.display()))
        };
    }
    let dir = ensure_npm_packages()?;
    Ok(dir
        .join("node_modules")
        .join("workerd")
        .join("bin")
        .join("workerd"))
}

/// The wasm-opt worker-build runs: `WASM_OPT_BIN` when set, else binaryen's from the cache.
pub fn wasm_opt() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("WASM_OPT_BIN").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Ok(ensure_npm_packages()?
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt"))
}

/// Builds the crate in `dir` with `worker-build --release`, the output in `log_file`; stops
/// when `cancel` is set. A failed build's error shows the compiler's errors (from the log), else
/// the output's last lines.
pub fn build(
    dir: &Path,
    log_file: &Path,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<(), String> {
    let wasm_bindgen = which("wasm-bindgen").ok_or("wasm-bindgen is not on PATH")?;
    let mut command = Command::new("worker-build");
    command
        .arg("--release")
        .current_dir(dir)
        .env("WASM_BINDGEN_BIN", wasm_bindgen)
        .env("WASM_OPT_BIN", wasm_opt()?)
        // worker-build's own error, without a backtrace of worker-build.
        .env("RUST_BACKTRACE", "0");
    let what = format!("building {} with worker-build --release", dir.display());
    run_logged(command, &what, log_file, cancel).map_err(|failure| {
        match std::fs::read_to_string(log_file)
            .ok()
            .and_then(|log| compiler_errors(&log))
        {
            Some(errors) => format!(
                "{what} failed; the compiler says (all of it is in {}):\n{errors}",
                log_file.display()
            ),
            None => failure,
        }
    })
}

/// The compiler's errors in a build's output: from its first `error` line to cargo's "could not
/// compile" (warnings before them left out), at most 200 lines.
fn compiler_errors(output: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().collect();
    let first = lines.iter().position(|l| l.starts_with("error"))?;
    let last = lines[first..]
        .iter()
        .position(|l| l.starts_with("error: could not compile"))
        .map_or(lines.len() - 1, |i| first + i);
    Some(lines[first..=last.min(first + 199)].join("\n"))
}

/// The first `program` on PATH.
fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that prints `lines` on its standard error and exits with `code`.
    fn printing(lines: &str, code: u8) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", &format!("printf '{lines}' >&2; exit {code}")]);
        command
    }

    #[test]
    fn the_compilers_errors_are_found_in_a_builds_output() {
        let output =
            "   Compiling quickstart v0.1.0\nwarning: unused import\n --> src/lib.rs:1:5\n\
            error: this file contains an unclosed delimiter\n  --> src/lib.rs:36:14\n\
            error: could not compile `quickstart` (lib) due to 1 previous error\n\
            Error: Compiling your crate to WebAssembly failed\n";
        assert_eq!(
            compiler_errors(output).as_deref(),
            Some(
                "error: this file contains an unclosed delimiter\n  --> src/lib.rs:36:14\n\
                 error: could not compile `quickstart` (lib) due to 1 previous error"
            )
        );
        assert_eq!(compiler_errors("Error: wasm-opt failed\n"), None);
    }

    #[test]
    fn a_failure_shows_what_the_command_printed_even_when_the_log_cannot_be_written() {
        let dir = std::env::temp_dir().join(format!("tallymark-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("run.log");
        assert_eq!(
            run_logged(printing("one\\ntwo\\n", 3), "trying", &log, None),
            Err(format!(
                "trying failed (exit status: 3); its last lines (all of it is in {}):\none\ntwo",
                log.display()
            ))
        );
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\n");
        // A log that cannot be written (here a folder; on a full disk, no space): the lines are
        // shown all the same.
        let unwritable = dir.join("a-folder");
        std::fs::create_dir_all(&unwritable).unwrap();
        assert_eq!(
            run_logged(printing("npm error code ENOSPC\\n", 1), "installing", &unwritable, None),
            Err(format!(
                "installing failed (exit status: 1); its last lines (its log {} could not be written: Is a directory (os error 21)):\nnpm error code ENOSPC",
                unwritable.display()
            ))
        );
        assert_eq!(
            run_logged(printing("", 2), "quiet", &log, None),
            Err(format!(
                "quiet failed (exit status: 2); its last lines (all of it is in {}):\n(it printed nothing)",
                log.display()
            ))
        );
        assert_eq!(
            run_logged(printing("fine\\n", 0), "fine", &log, None),
            Ok(())
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The pins agree with the repository's: e2e/package-lock.json and scripts/tools.sh.
    #[test]
    fn pins_match_the_repositorys() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("e2e/package-lock.json")).unwrap(),
        )
        .unwrap();
        let version = |package: &str| {
            lock["packages"][format!("node_modules/{package}")]["version"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(version("workerd"), WORKERD_VERSION);
        assert_eq!(version("binaryen"), BINARYEN_VERSION);
        let tools = std::fs::read_to_string(root.join("scripts/tools.sh")).unwrap();
        assert!(tools.contains(&format!("WORKER_BUILD_VERSION=\"{WORKER_BUILD_VERSION}\"")));
        assert_eq!(
            locked_version(&root, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
    }
}
