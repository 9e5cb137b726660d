//! `tallymark serve`: the local store behind Analytics Engine's SQL endpoint,
//! `POST /client/v4/accounts/{account_id}/analytics_engine/sql` with the SQL as the body and a
//! bearer token, so tools written for AE run locally unchanged. The store is opened read-only for
//! each request; a query goes through the same checks as `tallymark query`.
//!
//! Answers: 200 with the result (JSON unless the query's `FORMAT` says otherwise); 401 without
//! the token; 404 for another path; 405 for another method; 413 for a body over [`MAX_BODY`]
//! bytes; 422 for a query AE would reject, with the reason and the fix, or one that fails as it
//! runs (an unknown dataset…), with the reason; 500 when the store cannot be opened or read (none
//! yet, locked, not a store, damaged), before the query or while it runs.

use crate::output::{self, Format};
use crate::sql::{self, names::Names};
use crate::store::Store;
use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use tiny_http::{Header, Method, Request, Response, Server};

/// The content type of the answers in plain text.
const TEXT: &str = "text/plain; charset=utf-8";

/// The largest request body served, in bytes (1 MiB): far above any real query.
pub const MAX_BODY: usize = 1 << 20;

/// How to serve.
pub struct Config {
    /// The store's file.
    pub db: PathBuf,
    /// The address to listen on (127.0.0.1 unless told otherwise).
    pub host: String,
    /// The port (0: any free one).
    pub port: u16,
    /// The bearer token clients must send.
    pub token: String,
    /// Field names usable in queries.
    pub names: Names,
    /// Whether to print the URL and token at start.
    pub announce: bool,
}

/// A fresh random token (32 hex digits from the system's random source).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // No random source: time and process id, still unguessable enough for a local port.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serves until the process ends.
pub fn serve(config: &Config) -> Result<(), String> {
    let server = Server::http((config.host.as_str(), config.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    if config.announce {
        let address = server
            .server_addr()
            .to_ip()
            .map_or_else(|| config.host.clone(), |a| a.to_string());
        // Written, not printed: a reader that stops listening must not stop the server.
        let mut stdout = std::io::stdout();
        let _ = writeln!(
            stdout,
            "serving {} on http://{address}/client/v4/accounts/local/analytics_engine/sql\ntoken: {}",
            config.db.display(),
            config.token
        );
        let _ = stdout.flush();
    }
    for mut request in server.incoming_requests() {
        let (status, content_type, body) = handle(config, &mut request);
        let mut response = Response::from_string(body).with_status_code(status);
        if let Ok(header) = Header::from_bytes("Content-Type", content_type) {
            response = response.with_header(header);
        }
        // A client that went away is not the server's problem.
        let _ = request.respond(response);
    }
    Ok(())
}

/// Whether `path` is AE's SQL endpoint for some account.
fn is_endpoint(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["client", "v4", "accounts", account, "analytics_engine", "sql"] if !account.is_empty()
    )
}

/// Compares in time independent of where the texts differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn handle(config: &Config, request: &mut Request) -> (u16, &'static str, String) {
    if !is_endpoint(request.url()) {
        return (
            404,
            TEXT,
            "not found: POST /client/v4/accounts/{account_id}/analytics_engine/sql\n".to_owned(),
        );
    }
    if *request.method() != Method::Post {
        return (405, TEXT, "method not allowed: use POST\n".to_owned());
    }
    let expected = format!("Bearer {}", config.token);
    let authorized = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Authorization") && same(h.value.as_str(), &expected));
    if !authorized {
        return (
            401,
            TEXT,
            "unauthorized: send Authorization: Bearer <the token tallymark serve printed>\n"
                .to_owned(),
        );
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return (413, TEXT, format!("the query is over {MAX_BODY} bytes\n"));
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    if read.is_err() {
        return (400, TEXT, "cannot read the request body\n".to_owned());
    }
    if body.len() > MAX_BODY {
        return (413, TEXT, format!("the query is over {MAX_BODY} bytes\n"));
    }
    let Ok(sql) = String::from_utf8(body) else {
        return (400, TEXT, "the query is not UTF-8\n".to_owned());
    };
    answer(config, &sql)
}

/// The answer to `sql`: 422 when AE would reject it or it fails as it runs (an unknown
/// dataset…), the client's to fix; 500 when the store cannot be opened or read, before or
/// while the query runs (locked past the wait, damaged), the server's.
fn answer(config: &Config, sql: &str) -> (u16, &'static str, String) {
    let prepared = match sql::prepare(sql, &config.names) {
        Ok(prepared) => prepared,
        Err(rejection) => return (422, TEXT, format!("{rejection}\n")),
    };
    let store = match Store::open_read_only(&config.db) {
        Ok(store) => store,
        Err(message) => return (500, TEXT, format!("{message}\n")),
    };
    match sql::run(&store, &prepared) {
        Ok(result) => {
            let format = prepared.format.unwrap_or(Format::Json);
            let content_type = match format {
                Format::Json | Format::Jsonl => "application/json",
                _ => TEXT,
            };
            (200, content_type, output::render(&result, format))
        }
        Err(sql::RunError::Query(message)) => (422, TEXT, format!("{message}\n")),
        Err(sql::RunError::Store(message)) => (500, TEXT, format!("{message}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_aes_path_for_any_account() {
        assert!(is_endpoint("/client/v4/accounts/abc/analytics_engine/sql"));
        assert!(!is_endpoint("/client/v4/accounts//analytics_engine/sql"));
        assert!(!is_endpoint("/client/v4/accounts/abc/analytics_engine"));
    }

    #[test]
    fn tokens_are_fresh_and_compared_whole() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b) && !same(&a, &a[..31]));
    }
}
