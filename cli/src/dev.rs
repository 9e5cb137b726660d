//! `tallymark dev`: a workers-rs crate built with worker-build and run in the pinned workerd on
//! 127.0.0.1, every Analytics Engine binding pointed at a capture server in this process, which
//! stores each point and prints it as it arrives.
//!
//! The workerd config is the one the e2e harness writes (`e2e/lib/workerd.js`): the modules
//! `index.js` and `index_bg.wasm`, each dataset an `external` service on the capture server and
//! its binding an `analyticsEngine` binding to that service (workerd runs its own validation and
//! posts the point as JSON), Durable Objects in memory, `[vars]` and `.dev.vars` as text or JSON
//! bindings.
//!
//! A change to the crate's sources rebuilds it and restarts workerd on the same port with the new
//! build (`watch`); a failed build leaves the running worker as it is. The workerd a `dev` killed
//! with SIGKILL leaves behind is stopped by the next one (`leftover`).

mod leftover;
mod watch;

use crate::wrangler::{Var, Worker};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The service the worker runs as (a name no dataset can have: datasets are identifiers).
const SERVICE: &str = "tallymark-dev-worker";

/// What `tallymark dev` was asked.
pub struct Options {
    /// The crate's folder.
    pub path: PathBuf,
    /// The store.
    pub db: PathBuf,
    /// The port to serve the worker on, on 127.0.0.1.
    pub port: u16,
    /// The schema lock (default: the crate's `tallymark.lock` when present).
    pub lock: Option<PathBuf>,
    /// Skip the first build (run what `main` points at).
    pub no_build: bool,
    /// Do not rebuild when the crate's files change.
    pub no_watch: bool,
    /// The workerd binary to run instead of the pinned one.
    pub workerd: Option<PathBuf>,
}

/// A capnp text literal.
fn capnp(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The workerd config that runs `worker` (its modules beside the config, as `module` and
/// `index_bg.wasm`) on `port`, its datasets posted to `capture_port`.
pub fn config(worker: &Worker, module: &str, port: u16, capture_port: u16) -> String {
    let mut services = vec![format!("(name = {}, worker = .worker)", capnp(SERVICE))];
    let mut seen: Vec<&str> = Vec::new();
    for (_, dataset) in &worker.datasets {
        if seen.contains(&dataset.as_str()) {
            continue;
        }
        seen.push(dataset);
        services.push(format!(
            "(name = {}, external = (address = \"127.0.0.1:{capture_port}\", http = ()))",
            capnp(dataset)
        ));
    }
    let mut bindings = Vec::new();
    for (binding, dataset) in &worker.datasets {
        bindings.push(format!(
            "(name = {}, analyticsEngine = {})",
            capnp(binding),
            capnp(dataset)
        ));
    }
    for (name, value) in &worker.vars {
        bindings.push(match value {
            Var::Text(text) => format!("(name = {}, text = {})", capnp(name), capnp(text)),
            Var::Json(json) => format!("(name = {}, json = {})", capnp(name), capnp(json)),
        });
    }
    for (binding, class) in &worker.durable_objects {
        bindings.push(format!(
            "(name = {}, durableObjectNamespace = {})",
            capnp(binding),
            capnp(class)
        ));
    }
    let namespaces: Vec<String> = worker
        .classes
        .iter()
        .map(|(class, sqlite)| {
            format!(
                "(className = {}, uniqueKey = {}{})",
                capnp(class),
                capnp(&format!("tallymark-dev-{class}")),
                if *sqlite { ", enableSql = true" } else { "" }
            )
        })
        .collect();
    let flags: Vec<String> = worker
        .compatibility_flags
        .iter()
        .map(|f| capnp(f))
        .collect();
    format!(
        r#"using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [{services}],
  sockets = [(name = "http", address = "127.0.0.1:{port}", http = (), service = {service})],
);

const worker :Workerd.Worker = (
  modules = [
    (name = {module}, esModule = embed {module}),
    (name = "index_bg.wasm", wasm = embed "index_bg.wasm"),
  ],
  compatibilityDate = {date},
  compatibilityFlags = [{flags}],
  bindings = [{bindings}],
  durableObjectNamespaces = [{namespaces}],
  durableObjectStorage = (inMemory = void),
);
"#,
        services = services.join(", "),
        service = capnp(SERVICE),
        module = capnp(module),
        date = capnp(&worker.compatibility_date),
        flags = flags.join(", "),
        bindings = bindings.join(", "),
        namespaces = namespaces.join(", "),
    )
}

/// Set by Ctrl-C (SIGINT), SIGTERM or SIGHUP.
fn stop_flag() -> Result<Arc<AtomicBool>, String> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler = Arc::clone(&flag);
    ctrlc::set_handler(move || handler.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    Ok(flag)
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Ends workerd by its PID and reaps it (it may already have ended on the terminal's Ctrl-C).
fn stop_workerd(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// What a running `dev` keeps between restarts of workerd.
struct Session<'a> {
    options: &'a Options,
    stop: &'a AtomicBool,
    workerd: PathBuf,
    run_dir: &'a Path,
    port: u16,
    capture_port: u16,
    /// Where this session's workerd is recorded for a later `dev` (see `leftover`).
    record: PathBuf,
}

/// A started workerd: the process, and whether it listens (false when stopped before).
struct Started {
    child: Child,
    ready: bool,
}

impl Session<'_> {
    /// Copies the built modules into the run's folder, writes the config and starts workerd,
    /// recording it; waits until it listens.
    fn start(&self, worker: &Worker) -> Result<Started, String> {
        let main = self.options.path.join(&worker.main);
        let module = main
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("`main` ({}) names no file", worker.main.display()))?;
        let wasm = main.with_file_name("index_bg.wasm");
        for file in [&main, &wasm] {
            if !file.is_file() {
                return Err(format!(
                    "{} is missing: build the worker first (tallymark dev without --no-build)",
                    file.display()
                ));
            }
            let target = self.run_dir.join(file.file_name().unwrap_or_default());
            std::fs::copy(file, &target)
                .map_err(|e| format!("cannot copy {}: {e}", file.display()))?;
        }
        let config_path = self.run_dir.join("config.capnp");
        std::fs::write(
            &config_path,
            config(worker, &module, self.port, self.capture_port),
        )
        .map_err(|e| format!("cannot write the workerd config: {e}"))?;
        let mut child = Command::new(&self.workerd)
            .arg("serve")
            .arg(&config_path)
            .arg("--experimental")
            .current_dir(self.run_dir)
            .stdin(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.workerd.display()))?;
        let recorded = leftover::Record {
            dev_pid: std::process::id(),
            dev_command: leftover::own_command_line(),
            workerd_pid: child.id(),
            workerd_command: [
                self.workerd.to_string_lossy().as_ref(),
                "serve",
                config_path.to_string_lossy().as_ref(),
                "--experimental",
            ]
            .join(" "),
            run_dir: self.run_dir.to_owned(),
        };
        if let Err(e) = leftover::write(&self.record, &recorded) {
            eprintln!("tallymark dev: {e} (a workerd left by a killed dev will not be found)");
        }
        // Ready when it accepts connections.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "workerd exited ({status}) before it was ready; its messages are above"
                ));
            }
            if self.stop.load(Ordering::SeqCst) {
                return Ok(Started {
                    child,
                    ready: false,
                });
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(Started { child, ready: true });
            }
            if Instant::now() > deadline {
                stop_workerd(&mut child);
                return Err("workerd did not listen within 20 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Builds the crate (installing the tools when missing), its log in the cache.
    fn build(&self, name: &str) -> Result<(), String> {
        let logs = crate::tools::cache_dir().join("logs");
        std::fs::create_dir_all(&logs)
            .map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        crate::tools::ensure_build_tools(&self.options.path, &logs)?;
        crate::tools::build(
            &self.options.path,
            &logs.join(format!("build-{name}.log")),
            Some(self.stop),
        )
    }

    /// After `changed` changed: rebuilds, and on success restarts workerd with the new build
    /// (on the same port; the store and the capture server stay). A failed build keeps `running`.
    fn rebuild(&self, changed: &[PathBuf], running: &mut Option<Child>, name: &mut String) {
        let mut shown: Vec<String> = changed
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        if changed.len() > 3 {
            shown.push(format!("{} more", changed.len() - 3));
        }
        crate::emit(&format!(
            "tallymark dev: {} changed; rebuilding\n",
            shown.join(", ")
        ));
        let built = self
            .build(name)
            .and_then(|()| crate::wrangler::read(&self.options.path));
        if self.stop.load(Ordering::SeqCst) {
            return;
        }
        let worker = match built {
            Ok(worker) => worker,
            Err(e) => {
                eprintln!("{e}");
                crate::emit(&format!(
                    "tallymark dev: the build failed{}; fix it and save again\n",
                    if running.is_some() {
                        ", the running worker is kept"
                    } else {
                        ""
                    }
                ));
                return;
            }
        };
        if let Some(mut old) = running.take() {
            stop_workerd(&mut old);
        }
        match self.start(&worker) {
            Ok(Started { child, ready }) => {
                if ready {
                    crate::emit(&format!(
                        "tallymark dev: rebuilt; {} restarted on http://127.0.0.1:{} (workerd PID {})\n",
                        worker.name,
                        self.port,
                        child.id()
                    ));
                }
                *name = worker.name;
                *running = Some(child);
            }
            Err(e) => crate::emit(&format!(
                "tallymark dev: the new build did not start: {e}; fix it and save again\n"
            )),
        }
    }
}

/// Runs `tallymark dev`.
pub fn run(options: &Options) -> Result<ExitCode, String> {
    let stop = stop_flag()?;
    let worker = crate::wrangler::read(&options.path)?;
    for line in &worker.ignored {
        eprintln!("tallymark dev: ignored: {line}");
    }
    let run_dir =
        TempDir(std::env::temp_dir().join(format!("tallymark-dev-{}", std::process::id())));
    std::fs::create_dir_all(&run_dir.0)
        .map_err(|e| format!("cannot create {}: {e}", run_dir.0.display()))?;
    let store_dir = match options.db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut session = Session {
        options,
        stop: &stop,
        workerd: PathBuf::new(),
        run_dir: &run_dir.0,
        port: options.port,
        capture_port: 0,
        record: leftover::path(&store_dir, options.port),
    };
    if !options.no_build {
        session.build(&worker.name)?;
    }
    if stop.load(Ordering::SeqCst) {
        return Ok(ExitCode::from(130));
    }
    let main = options.path.join(&worker.main);
    for file in [main.clone(), main.with_file_name("index_bg.wasm")] {
        if !file.is_file() {
            return Err(format!(
                "{} is missing: build the worker first (tallymark dev without --no-build)",
                file.display()
            ));
        }
    }
    session.workerd = crate::tools::workerd(options.workerd.as_deref())?;

    let (lock, lock_path) =
        crate::schema::read_given_or_beside(options.lock.as_deref(), &options.path)?;
    let shower = crate::show::Shower::new(lock);
    for line in leftover::stop_leftovers(&store_dir) {
        crate::emit(&format!("{line}\n"));
    }
    // The port is checked before workerd starts, so a busy one is a clear error.
    session.port = std::net::TcpListener::bind(("127.0.0.1", options.port))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{}: {e} (choose another with --port)",
                options.port
            )
        })?;

    let store = crate::store::Store::open(&options.db)?;
    let capture = crate::capture::start(
        store,
        // Through `emit`: a reader that went away (`tallymark dev | head`) is not a panic.
        move |point| crate::emit(&format!("{}\n", shower.line(point))),
        |status, reason| eprintln!("tallymark dev: capture payload rejected ({status}): {reason}"),
    )?;
    session.capture_port = capture.port;
    let started = match session.start(&worker) {
        Ok(started) => started,
        Err(e) => {
            capture.stop();
            let _ = std::fs::remove_file(&session.record);
            return Err(e);
        }
    };
    let pid = started.child.id();
    if started.ready {
        crate::emit(&format!(
            "tallymark dev: {} on http://127.0.0.1:{} (workerd {}, PID {pid})\n",
            worker.name,
            session.port,
            session.workerd.display()
        ));
        crate::emit(&format!(
            "tallymark dev: points into {}, shown {} (capture on http://127.0.0.1:{}); {}Ctrl-C stops\n",
            options.db.display(),
            match &lock_path {
                Some(path) => format!("by field name ({})", path.display()),
                None => "by slot (no tallymark.lock)".to_owned(),
            },
            capture.port,
            if options.no_watch {
                ""
            } else {
                "a change rebuilds; "
            }
        ));
    }
    let mut running = Some(started.child);
    let mut name = worker.name;
    let mut watcher = (!options.no_watch).then(|| watch::Watcher::new(&options.path));
    let mut code = ExitCode::SUCCESS;
    while !stop.load(Ordering::SeqCst) {
        if let Some(child) = running.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                eprintln!("tallymark dev: workerd exited on its own ({status})");
                code = ExitCode::FAILURE;
                break;
            }
        }
        if let Some(watcher) = watcher.as_mut() {
            let changed = watcher.changes();
            if !changed.is_empty() {
                session.rebuild(&changed, &mut running, &mut name);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let last_pid = running.as_ref().map_or(pid, Child::id);
    if let Some(mut child) = running {
        stop_workerd(&mut child);
    }
    let _ = std::fs::remove_file(&session.record);
    let counts = Arc::clone(&capture.counts);
    capture.stop();
    crate::emit(&format!(
        "tallymark dev: stopped workerd (PID {last_pid}); {} stored in {}, {} rejected\n",
        crate::counted(counts.stored.load(Ordering::SeqCst), "point"),
        options.db.display(),
        crate::counted(counts.rejected.load(Ordering::SeqCst), "payload")
    ));
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_binds_everything() {
        let text = "name = \"kc\"\ncompatibility_date = \"2026-11-01\"\ncompatibility_flags = [\"nodejs_compat\"]\n\
            [[analytics_engine_datasets]]\nbinding = \"A\"\ndataset = \"ev\"\n\
            [[analytics_engine_datasets]]\nbinding = \"B\"\ndataset = \"ev\"\n\
            [[durable_objects.bindings]]\nname = \"NS\"\nclass_name = \"Obj\"\n\
            [[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Obj\"]\n\
            [vars]\nKEY = \"a\\\"b\"\nN = 3\n";
        let worker = crate::wrangler::parse(text, std::path::Path::new("/x")).unwrap();
        assert_eq!(
            config(&worker, "index.js", 8787, 9000),
            r#"using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "tallymark-dev-worker", worker = .worker), (name = "ev", external = (address = "127.0.0.1:9000", http = ()))],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "tallymark-dev-worker")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "index.js"),
    (name = "index_bg.wasm", wasm = embed "index_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [(name = "A", analyticsEngine = "ev"), (name = "B", analyticsEngine = "ev"), (name = "KEY", text = "a\"b"), (name = "N", json = "3"), (name = "NS", durableObjectNamespace = "Obj")],
  durableObjectNamespaces = [(className = "Obj", uniqueKey = "tallymark-dev-Obj", enableSql = true)],
  durableObjectStorage = (inMemory = void),
);
"#
        );
    }

    #[test]
    fn capnp_text_escapes() {
        assert_eq!(capnp("a\\b\"c\nd\u{1}é"), r#""a\\b\"c\nd\x01é""#);
    }
}
