//! The points workerd's `analyticsEngine` binding posts, read into [`Point`]s, and the HTTP
//! server that receives them for `tallymark dev`.
//!
//! workerd posts each point as one JSON object: `dataset`, `index1` and `blobN` as arrays of byte
//! values (unset blobs absent), all twenty `doubleN`, and `timestamp` in nanoseconds as a string,
//! beside keys this reader ignores (`accountId`, `schemaVersion`).

use crate::store::{check_storable, Point, Store, SLOTS};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The largest payload accepted (a point is at most about 16 KB of blobs, as arrays of numbers).
pub const MAX_BODY: usize = 1 << 20;

/// Reads one payload; `now` (seconds) stands in for a missing or unreadable timestamp.
pub fn decode(body: &[u8], now: i64) -> Result<Point, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(object) = value else {
        return Err("not a JSON object".to_owned());
    };
    let dataset = match object.get("dataset") {
        Some(value) => crate::ingest::bytes(value).map_err(|e| format!("`dataset`: {e}"))?,
        None => return Err("no `dataset`".to_owned()),
    };
    let dataset = String::from_utf8(dataset).map_err(|_| "`dataset` is not UTF-8")?;
    check_storable(&dataset)?;
    let index = match object.get("index1") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => crate::ingest::bytes(value).map_err(|e| format!("`index1`: {e}"))?,
    };
    if index.len() > crate::ingest::INDEX_BYTES {
        return Err(format!(
            "`index1` has {} bytes; Analytics Engine allows {}",
            index.len(),
            crate::ingest::INDEX_BYTES
        ));
    }
    let mut blobs = Vec::new();
    let mut doubles = Vec::new();
    for n in 1..=SLOTS {
        match object.get(&format!("blob{n}")) {
            None | Some(Value::Null) => {}
            Some(value) => {
                let blob = crate::ingest::bytes(value).map_err(|e| format!("`blob{n}`: {e}"))?;
                blobs.resize(n - 1, Vec::new());
                blobs.push(blob);
            }
        }
        match object.get(&format!("double{n}")) {
            None | Some(Value::Null) => {}
            Some(value) => {
                let double = value
                    .as_f64()
                    .filter(|d| d.is_finite())
                    .ok_or_else(|| format!("`double{n}` is not a finite number"))?;
                doubles.resize(n - 1, 0.0);
                doubles.push(double);
            }
        }
    }
    let timestamp = match object.get("timestamp") {
        Some(Value::String(nanos)) => nanos.parse::<i128>().ok(),
        Some(Value::Number(nanos)) => nanos.as_i64().map(i128::from),
        _ => None,
    }
    .and_then(|nanos| i64::try_from(nanos.div_euclid(1_000_000_000)).ok())
    .unwrap_or(now);
    Ok(Point {
        dataset,
        timestamp,
        sample_interval: 1,
        index,
        blobs,
        doubles,
    })
}

/// What a capture server has done so far.
#[derive(Debug, Default)]
pub struct Counts {
    /// Points stored.
    pub stored: AtomicUsize,
    /// Payloads rejected (400) or not stored (500).
    pub rejected: AtomicUsize,
}

/// A capture server running on its own thread.
pub struct Capture {
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its counts.
    pub counts: Arc<Counts>,
}

/// Starts a server on 127.0.0.1 (any free port) that stores each point posted to it into
/// `store` and passes it, once stored, to `announce`; a malformed payload is answered 400 (405
/// for a method other than POST, 413 over [`MAX_BODY`], 500 when the store fails), counted and
/// passed to `reject` with the status and the reason.
pub fn start(
    mut store: Store,
    announce: impl Fn(&Point) + Send + 'static,
    reject: impl Fn(u16, &str) + Send + 'static,
) -> Result<Capture, String> {
    let server = tiny_http::Server::http("127.0.0.1:0")
        .map_err(|e| format!("cannot start the capture server: {e}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the capture server has no TCP address")?;
    let server = Arc::new(server);
    let counts = Arc::new(Counts::default());
    let thread = {
        let server = Arc::clone(&server);
        let counts = Arc::clone(&counts);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let (status, text) = handle(&mut request, &mut store, &counts, &announce, &reject);
                let _ = request
                    .respond(tiny_http::Response::from_string(text).with_status_code(status));
            }
        })
    };
    Ok(Capture {
        server,
        thread: Some(thread),
        port,
        counts,
    })
}

fn handle(
    request: &mut tiny_http::Request,
    store: &mut Store,
    counts: &Counts,
    announce: &impl Fn(&Point),
    reject: &impl Fn(u16, &str),
) -> (u16, String) {
    use std::io::Read as _;
    let refuse = |status: u16, reason: String| {
        counts.rejected.fetch_add(1, Ordering::SeqCst);
        reject(status, &reason);
        (status, reason)
    };
    if *request.method() != tiny_http::Method::Post {
        return refuse(405, format!("{} is not POST", request.method()));
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    if let Err(e) = read {
        return refuse(400, format!("cannot read the payload: {e}"));
    }
    if body.len() > MAX_BODY {
        return refuse(413, format!("a payload over {MAX_BODY} bytes"));
    }
    let point = match decode(&body, crate::time::now()) {
        Ok(point) => point,
        Err(reason) => return refuse(400, reason),
    };
    // A dataset the store cannot hold beside another is the payload's fault, as a name it cannot
    // hold at all is (`decode`); a store that fails otherwise is this side's.
    match store.case_clash(&point.dataset) {
        Ok(None) => {}
        Ok(Some(reason)) => return refuse(400, reason),
        Err(e) => return refuse(500, e),
    }
    if let Err(e) = store.insert(std::slice::from_ref(&point)) {
        return refuse(500, e);
    }
    counts.stored.fetch_add(1, Ordering::SeqCst);
    announce(&point);
    (200, "ok".to_owned())
}

impl Capture {
    /// Stops the server once the request in hand is answered.
    pub fn stop(mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_workerds_payload() {
        let body = br#"{"accountId":"1","dataset":[101,118],"schemaVersion":"0","index1":[104,105],"timestamp":"1796050612400999936","double1":1.5,"double2":0,"double3":2,"blob1":[104,105],"blob3":[255,0]}"#;
        assert_eq!(
            decode(body, 7).unwrap(),
            Point {
                dataset: "ev".into(),
                timestamp: 1_796_050_612,
                sample_interval: 1,
                index: b"hi".to_vec(),
                blobs: vec![b"hi".to_vec(), Vec::new(), vec![255, 0]],
                doubles: vec![1.5, 0.0, 2.0],
            }
        );
        assert_eq!(decode(br#"{"dataset":[101]}"#, 7).unwrap().timestamp, 7);
    }

    #[test]
    fn malformed_payloads_say_why() {
        let cases: [(&[u8], &str); 9] = [
            (
                b"{",
                "not JSON (EOF while parsing an object at line 1 column 1)",
            ),
            (b"[]", "not a JSON object"),
            (b"{}", "no `dataset`"),
            (
                br#"{"dataset":[45]}"#,
                "`-` cannot name a dataset (letters, digits and `_`, not starting with a digit)",
            ),
            (br#"{"dataset":[255]}"#, "`dataset` is not UTF-8"),
            (
                br#"{"dataset":"sqlite_ev"}"#,
                "`sqlite_ev` cannot name a dataset in the local store (SQLite reserves names starting with `sqlite_`)",
            ),
            (
                br#"{"dataset":"ev","blob2":[300]}"#,
                "`blob2`: a byte array holds a value that is not 0..=255",
            ),
            (
                br#"{"dataset":"ev","double1":"x"}"#,
                "`double1` is not a finite number",
            ),
            (
                br#"{"dataset":"ev","index1":7}"#,
                "`index1`: neither text nor an array of bytes",
            ),
        ];
        for (body, reason) in cases {
            assert_eq!(decode(body, 0).unwrap_err(), reason);
        }
    }

    /// What the capture at `port` answers a POST of `body`: its status.
    fn post(port: u16, body: &str) -> u16 {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer.split(' ').nth(1).unwrap().parse().unwrap()
    }

    /// A dataset the store cannot hold, by its name or beside another, is the payload's fault:
    /// 400, counted and passed to `reject` with the reason; the points before it stay stored.
    #[test]
    fn a_dataset_the_store_cannot_hold_is_answered_400_with_the_reason() {
        let store = Store::open(std::path::Path::new(":memory:")).unwrap();
        let rejected = Arc::new(std::sync::Mutex::new(Vec::new()));
        let capture = {
            let rejected = Arc::clone(&rejected);
            start(
                store,
                |_| {},
                move |status, reason| rejected.lock().unwrap().push((status, reason.to_owned())),
            )
            .unwrap()
        };
        let statuses = [
            r#"{"dataset":"Events"}"#,
            r#"{"dataset":"events"}"#,
            r#"{"dataset":"sqlite_x"}"#,
            r#"{"dataset":"Events"}"#,
        ]
        .map(|body| post(capture.port, body));
        let counts = Arc::clone(&capture.counts);
        capture.stop();
        assert_eq!(statuses, [200, 400, 400, 200]);
        assert_eq!(
            *rejected.lock().unwrap(),
            [
                (400, crate::store::differs_only_in_case("events", "Events")),
                (400, check_storable("sqlite_x").unwrap_err()),
            ]
        );
        assert_eq!(
            (
                counts.stored.load(Ordering::SeqCst),
                counts.rejected.load(Ordering::SeqCst)
            ),
            (2, 2)
        );
    }
}
