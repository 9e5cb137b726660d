//! The `tallymark` binary end to end: ingest (malformed lines, a damaged store), query and its
//! formats, `query --check` over files, `serve` (401, 405, 413, 422, 500, 200) and `query
//! --remote` against `serve`, `dev`'s errors before it starts anything (a failed install of
//! workerd among them). Every test works in a folder of its own and ends the servers it starts
//! by their process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tallymark-cmd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tallymark(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .current_dir(dir)
        .args(args)
        .env_remove("CLOUDFLARE_API_TOKEN")
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .env_remove("TALLYMARK_API_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const POINTS: &str = r#"{"dataset":"events","index":"a","blobs":["a","u1"],"doubles":[10],"timestamp":"2024-05-01T12:00:00Z","sample_interval":2}
{"dataset":"events","index":"a","blobs":["a","u2"],"doubles":[30],"timestamp":"2024-05-01T12:00:01Z"}
{"dataset":"events","index":"b" "blobs":[]}
{"dataset":"events","index":"b","blobs":["b","u1"],"doubles":[20],"timestamp":1714564802000,"sample_interval":5}
{"dataset":"events","doubles":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}
"#;

const LOCK: &str = "layout Event dataset events binding EVENTS
  index event text
  blob1 event text
  blob2 user_id text
  double1 duration_ms number
";

/// A folder with the points ingested into `.tallymark/points.db` and a lock.
fn loaded(name: &str) -> PathBuf {
    let dir = folder(name);
    std::fs::write(dir.join("points.jsonl"), POINTS).unwrap();
    std::fs::write(dir.join("tallymark.lock"), LOCK).unwrap();
    tallymark(&dir, &["ingest", "points.jsonl"]);
    dir
}

#[test]
fn ingest_loads_the_good_lines_and_names_the_bad_ones() {
    let dir = folder("ingest");
    std::fs::write(dir.join("points.jsonl"), POINTS).unwrap();
    let output = tallymark(&dir, &["ingest", "points.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "loaded 3 points into .tallymark/points.db; 2 lines rejected\n"
    );
    assert_eq!(
        text(&output.stderr),
        "points.jsonl:3: rejected: not JSON (expected `,` or `}` at line 1 column 33)\n\
         points.jsonl:5: rejected: `doubles` has 21 items; a point has at most 20\n"
    );
    // Loading the same file again adds its good lines again, and nothing else.
    tallymark(&dir, &["ingest", "points.jsonl"]);
    let count = tallymark(
        &dir,
        &["query", "--format", "tsv", "SELECT count() FROM events"],
    );
    assert_eq!(text(&count.stdout), "6\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_damaged_store_is_a_clear_error() {
    let dir = folder("damaged");
    std::fs::write(dir.join("points.jsonl"), POINTS).unwrap();
    std::fs::write(dir.join("bad.db"), vec![1u8; 4096]).unwrap();
    let output = tallymark(&dir, &["ingest", "--db", "bad.db", "points.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: the store bad.db is not a tallymark store or is damaged (file is not a database); move it away and ingest again\n"
    );
    assert_eq!(std::fs::read(dir.join("bad.db")).unwrap(), vec![1u8; 4096]);
    let missing = tallymark(&dir, &["query", "--db", "none.db", "SELECT 1"]);
    assert_eq!(
        text(&missing.stderr),
        "error: no store at none.db: load points first with `tallymark ingest`\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn query_reads_by_field_name_in_each_format() {
    let dir = loaded("query");
    let sql = "SELECT event, sum(_sample_interval) AS n, quantileExactWeighted(0.5)(duration_ms, _sample_interval) AS p50 FROM events GROUP BY event ORDER BY event";
    let json = tallymark(&dir, &["query", "--format", "json", sql]);
    assert_eq!(
        text(&json.stdout),
        "{\"meta\":[{\"name\":\"event\",\"type\":\"String\"},{\"name\":\"n\",\"type\":\"UInt64\"},{\"name\":\"p50\",\"type\":\"Float64\"}],\"data\":[{\"event\":\"a\",\"n\":\"3\",\"p50\":10},{\"event\":\"b\",\"n\":\"5\",\"p50\":20}],\"rows\":2}\n"
    );
    let table = tallymark(&dir, &["query", "--format", "table", sql]);
    assert_eq!(
        text(&table.stdout),
        "event  n  p50\n-----  -  ---\na      3  10\nb      5  20\n(2 rows)\n"
    );
    let each = tallymark(&dir, &["query", &format!("{sql} FORMAT JSONEachRow")]);
    assert_eq!(
        text(&each.stdout),
        "{\"event\":\"a\",\"n\":\"3\",\"p50\":10}\n{\"event\":\"b\",\"n\":\"5\",\"p50\":20}\n"
    );
    let warned = tallymark(
        &dir,
        &["query", "--format", "tsv", "SELECT count() FROM events"],
    );
    assert_eq!(text(&warned.stdout), "3\n");
    assert_eq!(
        text(&warned.stderr),
        "warning: `count()` ignores _sample_interval: rows are sampled, so on a busy dataset it undercounts\n  fix: count events with sum(_sample_interval); keep count() only to see how many rows the answer rests on\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_reports_each_file_and_fails_on_a_rejected_one() {
    let dir = folder("check");
    let queries = dir.join("queries");
    std::fs::create_dir_all(queries.join("nested")).unwrap();
    std::fs::write(
        queries.join("a_ok.sql"),
        "SELECT sum(_sample_interval) FROM events\n",
    )
    .unwrap();
    std::fs::write(
        queries.join("b_warn.sql"),
        "SELECT avg(double1) FROM events;\n",
    )
    .unwrap();
    std::fs::write(
        queries.join("nested/c_bad.sql"),
        "SELECT COUNT(*) FROM events",
    )
    .unwrap();
    std::fs::write(queries.join("notes.txt"), "not SQL").unwrap();
    let output = tallymark(&dir, &["query", "--check", "queries"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "queries/a_ok.sql: ok\n\
         queries/b_warn.sql: warning: `avg(double1)` ignores _sample_interval: rows are sampled at different rates, so it weighs alike rows that stand for different numbers of events\n  fix: sum(double1 * _sample_interval) / sum(_sample_interval)\n\
         queries/b_warn.sql: ok\n\
         queries/nested/c_bad.sql: rejected: AE rejects COUNT(*)\n  fix: count events with sum(_sample_interval) (rows are sampled), or stored rows with count()\n"
    );
    std::fs::remove_file(queries.join("nested/c_bad.sql")).unwrap();
    assert_eq!(
        tallymark(&dir, &["query", "--check", "queries"])
            .status
            .code(),
        Some(0)
    );
    let inline = tallymark(
        &dir,
        &["query", "--check", "SELECT toString(double1) FROM events"],
    );
    assert_eq!(inline.status.code(), Some(1));
    // An argument named like a path that is not there is a missing path, not SQL to parse.
    for missing in ["missing/", "missing.sql"] {
        let output = tallymark(&dir, &["query", "--check", missing]);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            text(&output.stderr),
            format!("error: no such file or folder: {missing}\n")
        );
        assert_eq!(text(&output.stdout), "");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A `tallymark serve` child; ended by its process when dropped.
struct Server {
    child: Child,
    url: String,
    token: String,
}

impl Server {
    /// AE's SQL endpoint on this server, for account `abc`.
    fn endpoint(&self) -> String {
        format!("{}/accounts/abc/analytics_engine/sql", self.url)
    }

    /// The answer to `sql`, sent with the server's token.
    fn ask(&self, sql: &str) -> (u16, String) {
        post(&self.endpoint(), Some(&self.token), sql)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, token: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .current_dir(dir)
        .args(["serve", "--port", "0", "--token", token])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split(" on ")
        .nth(1)
        .unwrap()
        .replace("/accounts/local/analytics_engine/sql", "");
    Server {
        child,
        url,
        token: token.to_owned(),
    }
}

fn post(url: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.send(body).unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn serve_answers_as_aes_endpoint() {
    let dir = loaded("serve");
    let server = serve(&dir, "secret-token");
    let endpoint = server.endpoint();
    let sql =
        "SELECT user_id, sum(_sample_interval) AS n FROM events GROUP BY user_id ORDER BY user_id";
    assert_eq!(
        post(&endpoint, None, sql),
        (
            401,
            "unauthorized: send Authorization: Bearer <the token tallymark serve printed>\n"
                .to_owned()
        )
    );
    assert_eq!(post(&endpoint, Some("wrong"), sql).0, 401);
    assert_eq!(
        server.ask(&"x".repeat((1 << 20) + 1)),
        (413, "the query is over 1048576 bytes\n".to_owned())
    );
    assert_eq!(
        server.ask(sql),
        (200, "{\"meta\":[{\"name\":\"user_id\",\"type\":\"String\"},{\"name\":\"n\",\"type\":\"UInt64\"}],\"data\":[{\"user_id\":\"u1\",\"n\":\"7\"},{\"user_id\":\"u2\",\"n\":\"1\"}],\"rows\":2}\n".to_owned())
    );
    assert_eq!(
        server.ask("DELETE FROM events"),
        (422, "AE runs SELECT, SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE only, not `DELETE FROM`\n  fix: read with SELECT; AE's SQL API cannot change data\n".to_owned())
    );
    assert_eq!(
        server.ask("SHOW TABLES FORMAT TabSeparated"),
        (200, "events\n".to_owned())
    );
    assert_eq!(
        post(
            &format!("{}/accounts/abc/other", server.url),
            Some("secret-token"),
            sql
        )
        .0,
        404
    );
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// A store that cannot be read is the server's failure: 500, not a rejection of the query.
#[test]
fn serve_answers_500_when_the_store_cannot_be_read() {
    let dir = folder("serve-no-store");
    let server = serve(&dir, "secret-token");
    assert_eq!(
        server.ask("SELECT count() FROM events"),
        (
            500,
            "no store at .tallymark/points.db: load points first with `tallymark ingest`\n"
                .to_owned()
        )
    );
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// A store damaged past its first page opens (its table list is on that page) and fails as the
/// query reads it: still the server's failure, 500, and `query` names the store, not the query.
#[test]
fn a_store_that_fails_while_a_query_runs_is_the_servers_failure() {
    let dir = loaded("serve-damaged");
    let db = dir.join(".tallymark/points.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        size => usize::from(size),
    };
    assert!(
        bytes.len() > page_size,
        "the store has pages past the first"
    );
    bytes[page_size..].fill(0xFF);
    std::fs::write(&db, bytes).unwrap();
    let damaged = "the store .tallymark/points.db is not a tallymark store or is damaged \
                   (database disk image is malformed); move it away and ingest again\n";

    let server = serve(&dir, "secret-token");
    assert_eq!(
        server.ask("SELECT sum(_sample_interval) FROM events"),
        (500, damaged.to_owned())
    );
    // A query that fails as it runs on a readable table is still the client's: 422.
    assert_eq!(
        server.ask("SELECT sum(_sample_interval) FROM missing"),
        (
            422,
            "dataset `missing` is not in the store .tallymark/points.db (it has: events)\n"
                .to_owned()
        )
    );
    drop(server);

    let query = tallymark(&dir, &["query", "SELECT sum(_sample_interval) FROM events"]);
    assert_eq!(query.status.code(), Some(1));
    assert_eq!(text(&query.stderr), format!("error: {damaged}"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn remote_sends_the_checked_sql_and_never_shows_the_token() {
    let dir = loaded("remote");
    let server = serve(&dir, "remote-token-123");
    let remote = |token: &str, sql: &str| {
        Command::new(env!("CARGO_BIN_EXE_tallymark"))
            .current_dir(&dir)
            .args(["query", "--remote", "--api-url", &server.url, sql])
            .env("CLOUDFLARE_ACCOUNT_ID", "abc")
            .env("CLOUDFLARE_API_TOKEN", token)
            .output()
            .unwrap()
    };
    // Field names are rewritten to slots before sending: the server has no lock.
    std::fs::remove_file(dir.join("tallymark.lock")).unwrap();
    std::fs::write(dir.join("client.lock"), LOCK).unwrap();
    let sent = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .current_dir(&dir)
        .args(["query", "--remote", "--lock", "client.lock", "--api-url", &server.url])
        .arg("SELECT user_id, sum(_sample_interval) AS n FROM events GROUP BY user_id ORDER BY user_id FORMAT JSONEachRow")
        .env("CLOUDFLARE_ACCOUNT_ID", "abc")
        .env("CLOUDFLARE_API_TOKEN", "remote-token-123")
        .output()
        .unwrap();
    assert!(sent.status.success(), "{sent:?}");
    assert_eq!(
        text(&sent.stdout),
        "{\"user_id\":\"u1\",\"n\":\"7\"}\n{\"user_id\":\"u2\",\"n\":\"1\"}\n"
    );
    let refused = remote("wrong-token-456", "SELECT blob1 FROM events");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert_eq!(
        stderr,
        format!("error: {}/accounts/abc/analytics_engine/sql answered HTTP 401: unauthorized: send Authorization: Bearer <the token tallymark serve printed>\n", server.url)
    );
    assert!(
        !stderr.contains("wrong-token-456") && !text(&refused.stdout).contains("wrong-token-456")
    );
    // A query AE would reject is never sent.
    let rejected = remote("remote-token-123", "SELECT COUNT(*) FROM events");
    assert_eq!(
        text(&rejected.stderr),
        "error: AE rejects COUNT(*)\n  fix: count events with sum(_sample_interval) (rows are sampled), or stored rows with count()\n"
    );
    // `--format` would be ignored: AE formats the answer, so it is refused.
    let formatted = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .current_dir(&dir)
        .args([
            "query",
            "--remote",
            "--format",
            "table",
            "--api-url",
            &server.url,
        ])
        .arg("SELECT blob1 FROM events")
        .env("CLOUDFLARE_ACCOUNT_ID", "abc")
        .env("CLOUDFLARE_API_TOKEN", "remote-token-123")
        .output()
        .unwrap();
    assert_eq!(formatted.status.code(), Some(1));
    assert_eq!(
        text(&formatted.stderr),
        "error: `--format` does not apply to `--remote`, whose answer is printed as AE sends it: write `FORMAT JSONEachRow` or `FORMAT TabSeparated` in the query\n"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dev_says_what_is_missing_before_starting_anything() {
    let dir = folder("dev-missing");
    let output = tallymark(&dir, &["dev", "nowhere", "--no-build"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: cannot read nowhere/wrangler.toml: No such file or directory (os error 2) \
         (tallymark dev runs a workers-rs crate with a wrangler.toml)\n"
    );

    std::fs::create_dir_all(dir.join("w")).unwrap();
    std::fs::write(dir.join("w/wrangler.toml"), "name = \"w\"\n").unwrap();
    let output = tallymark(&dir, &["dev", "w", "--no-build"]);
    assert_eq!(
        text(&output.stderr),
        "error: w/wrangler.toml: no `compatibility_date` (workerd needs one, e.g. \
         compatibility_date = \"2026-11-01\")\n"
    );

    std::fs::write(
        dir.join("w/wrangler.toml"),
        "name = \"w\"\ncompatibility_date = \"2026-11-01\"\n[[kv_namespaces]]\nbinding = \"KV\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("w/.dev.vars"), "SECRET=1\nnot a line\n").unwrap();
    let output = tallymark(&dir, &["dev", "w", "--no-build"]);
    assert_eq!(
        text(&output.stderr),
        "error: w/.dev.vars:2: expected NAME=value\n"
    );

    std::fs::remove_file(dir.join("w/.dev.vars")).unwrap();
    let output = tallymark(&dir, &["dev", "w", "--no-build"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "tallymark dev: ignored: `kv_namespaces`: not provided by tallymark dev\n\
         error: w/build/index.js is missing: build the worker first (tallymark dev without --no-build)\n"
    );
    assert!(!dir.join(".tallymark").exists(), "no store is made");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dev_reports_a_failed_install_with_npms_own_output_and_the_command_to_retry() {
    // A first run without --workerd installs the pinned workerd with npm, into a fresh cache
    // ($TALLYMARK_CACHE); here npm's registry is a closed port.
    let dir = folder("dev-install");
    std::fs::create_dir_all(dir.join("w/build")).unwrap();
    std::fs::write(
        dir.join("w/wrangler.toml"),
        "name = \"w\"\ncompatibility_date = \"2026-11-01\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("w/build/index.js"), "").unwrap();
    std::fs::write(dir.join("w/build/index_bg.wasm"), "").unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = dir.join("cache");
    let output = Command::new(env!("CARGO_BIN_EXE_tallymark"))
        .current_dir(&dir)
        .args(["dev", "w", "--no-build", "--no-watch"])
        .env("TALLYMARK_CACHE", &cache)
        .env_remove("TALLYMARK_WORKERD")
        .env("npm_config_registry", format!("http://127.0.0.1:{closed}/"))
        .env("npm_config_cache", dir.join("npm-cache"))
        .env("npm_config_fetch_retries", "0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let npm = cache.join("npm-1.20261117.1-132.0.0");
    let what = format!(
        "installing workerd 1.20261117.1 and binaryen 132.0.0 with npm into {} (once)",
        npm.display()
    );
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], format!("==> {what}"));
    assert_eq!(
        lines[1],
        format!(
            "error: {what} failed (exit status: 1); its last lines (all of it is in {}):",
            npm.join("npm-install.log").display()
        )
    );
    // npm's own words, between ours.
    assert_eq!(lines[2], "npm error code ECONNREFUSED", "{stderr}");
    assert!(lines.contains(&"npm error errno ECONNREFUSED"), "{stderr}");
    assert_eq!(
        lines[lines.len() - 2..],
        [
            format!(
                "retry by hand with: cd {} && npm install --no-audit --no-fund --loglevel=error",
                npm.display()
            ),
            "(npm comes with Node.js: apt-get install -y nodejs npm)".to_owned(),
        ]
    );
    let log = std::fs::read_to_string(npm.join("npm-install.log")).unwrap();
    assert!(log.starts_with("npm error code ECONNREFUSED\n"), "{log}");
    assert!(!dir.join(".tallymark").exists(), "no store is made");
    let _ = std::fs::remove_dir_all(dir);
}

/// A crate with one layout of `fields` (Rust field declarations), depending on this repository's
/// `tallymark`.
fn layout_crate(dir: &Path, fields: &str) {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"locked\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
             [dependencies]\ntallymark = {{ path = {:?}, default-features = false }}\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("/// Notes.\n#[tallymark::layout(dataset = \"notes\", binding = \"NOTES\")]\npub struct Note {{\n{fields}}}\n"),
    )
    .unwrap();
}

#[test]
fn schema_lock_writes_the_crates_lock_and_then_its_appended_field() {
    let dir = folder("schema-lock");
    let fields = "    /// The event.\n    #[index]\n    #[blob(1)]\n    pub event: String,\n";
    layout_crate(&dir, fields);
    // Its own target folder, kept between runs: the crate builds tallymark once.
    let target = std::env::temp_dir().join("tallymark-cmd-schema-lock-target");
    let lock = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_tallymark"))
            .args(["schema", "lock"])
            .arg(dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("TALLYMARK_LOCK")
            .output()
            .unwrap()
    };
    let out = lock(&dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "wrote {}: review the diff, then commit it\n",
            dir.join("tallymark.lock").display()
        )
    );
    let header = "# tallymark schema lock: what each slot of each dataset holds. #[tallymark::layout] checks\n\
                  # the layouts against it when the crate compiles. Rewrite it with TALLYMARK_LOCK=write cargo check\n\
                  # and review the diff: only appended slots should appear.\n\n";
    let first = "layout Note dataset notes binding NOTES\n  index event text  # The event.\n  blob1 event text  # The event.\n";
    assert_eq!(
        std::fs::read_to_string(dir.join("tallymark.lock")).unwrap(),
        format!("{header}{first}")
    );
    // A field appended, and the crate already built: written again all the same.
    layout_crate(
        &dir,
        &format!("{fields}    /// Who.\n    #[blob(2)]\n    pub author: String,\n"),
    );
    let out = lock(&dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.join("tallymark.lock")).unwrap(),
        format!("{header}{first}  blob2 author text  # Who.\n")
    );
    // Not a crate: a clear error, nothing run.
    let out = lock(&dir.join("src"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {} has no Cargo.toml: give a crate's directory\n",
            dir.join("src").display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
