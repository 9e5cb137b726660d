//! `#[instrumented]` against the in-memory sink: the reference's HTTP behaviour (sections 3.1 to
//! 3.3) with exact blobs, doubles and index, and the guarantees around it.

use futures_executor::block_on;
use kiloclaw::telemetry::{http_fields, platform_rule, KiloClawEvent};
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tallymark::sink::{MemorySink, RecordedPoint};
use tallymark::{clock, HttpStatus, Scope};
use tallymark_tests::reference_blobs as blobs;

/// A response with a status, as a handler returns.
#[derive(Debug, PartialEq)]
struct Response(u16);

impl HttpStatus for Response {
    fn http_status(&self) -> u16 {
        self.0
    }
}

/// A handler error with a message.
#[derive(Debug, PartialEq)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What authentication established before the handler ran.
struct Request {
    user: Option<&'static str>,
    body: &'static str,
}

fn user_of(req: &Request) -> Option<&'static str> {
    req.user
}

/// Runs `handler` in a scope whose invocation started 50 ms ago (the timing middleware's start).
fn run<T>(handler: impl std::future::Future<Output = T>) -> (T, Vec<RecordedPoint>) {
    let sink = MemorySink::new();
    let started = clock::now() - Duration::from_millis(50);
    let output = block_on(Scope::starting_at(sink.clone(), started).run(handler));
    (output, sink.points())
}

fn assert_point(point: &RecordedPoint, expected_blobs: &[(usize, &str)]) {
    assert_eq!(point.blob_texts(), blobs(expected_blobs));
    assert_eq!(point.index(), Some(expected_blobs[0].1));
    let duration = point.doubles()[0];
    assert!(
        duration >= 50.0,
        "timed from the invocation start: {duration}"
    );
    assert_eq!(point.doubles()[1], 0.0);
    assert_eq!(point.dataset(), "kiloclaw_events");
}

// --- 3.2: routes wrapped in instrumented() -------------------------------------------------------

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/status", enrich = http_fields, fields(user_id = user_of(&req)))]
async fn kiloclaw_status(req: Request) -> Result<Response, Error> {
    let _ = req.body;
    Ok(Response(200))
}

#[test]
fn a_successful_wrapped_route_writes_one_point() {
    let request = Request {
        user: Some("user-1"),
        body: "",
    };
    let (response, points) = run(kiloclaw_status(request));
    assert_eq!(response, Ok(Response(200)));
    assert_eq!(points.len(), 1);
    assert_point(
        &points[0],
        &[
            (1, "kiloclaw.status.get"),
            (2, "user-1"),
            (3, "http"),
            (4, "GET /api/kiloclaw/status"),
            (8, "dXNlci0x"),
        ],
    );
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/storage", enrich = http_fields, fields(user_id = user_of(&req)))]
async fn admin_storage(req: Request) -> Result<Response, Error> {
    let _ = req.body;
    Ok(Response(410))
}

#[test]
fn a_status_of_400_or_more_is_recorded_as_http_status() {
    let (response, points) = run(admin_storage(Request {
        user: Some("user-123"),
        body: "",
    }));
    assert_eq!(
        response,
        Ok(Response(410)),
        "the response is returned unchanged"
    );
    assert_point(
        &points[0],
        &[
            (1, "admin.storage.get"),
            (2, "user-123"),
            (3, "http"),
            (4, "GET /api/admin/storage"),
            (5, "HTTP 410"),
            (8, "dXNlci0xMjM"),
        ],
    );
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/machine/restart", enrich = http_fields, fields(user_id = user_of(&req)))]
async fn restart_machine(req: Request, message: String) -> Result<Response, Error> {
    let _ = req.body;
    Err(Error(message))
}

#[test]
fn a_thrown_error_is_recorded_cut_to_200_characters_and_rethrown() {
    let message = "x".repeat(300);
    let (result, points) = run(restart_machine(
        Request {
            user: Some("abc"),
            body: "",
        },
        message.clone(),
    ));
    assert_eq!(
        result,
        Err(Error(message)),
        "the error is returned unchanged"
    );
    assert_point(
        &points[0],
        &[
            (1, "admin.machine.restart.create"),
            (2, "abc"),
            (3, "http"),
            (4, "POST /api/admin/machine/restart"),
            (5, &"x".repeat(200)),
            (8, "YWJj"),
        ],
    );
}

#[test]
fn error_text_is_cut_on_a_character_boundary() {
    let (_, points) = run(restart_machine(
        Request {
            user: Some("é"),
            body: "",
        },
        "é".repeat(250),
    ));
    assert_eq!(points[0].text("error"), Some("é".repeat(200).as_str()));
    assert_eq!(points[0].text("sandbox_id"), Some("w6k"));
}

#[test]
fn a_short_error_is_kept_whole() {
    let (_, points) = run(restart_machine(
        Request {
            user: Some("u"),
            body: "",
        },
        "boom".into(),
    ));
    assert_eq!(points[0].text("error"), Some("boom"));
}

#[test]
fn a_sandbox_id_derivation_failure_is_swallowed() {
    let long_user: &'static str = Box::leak("u".repeat(48).into_boxed_str());
    let (response, points) = run(kiloclaw_status(Request {
        user: Some(long_user),
        body: "",
    }));
    assert_eq!(response, Ok(Response(200)));
    assert_eq!(points[0].text("user_id"), Some(long_user));
    assert_eq!(points[0].text("sandbox_id"), Some(""));

    let at_limit: &'static str = Box::leak("u".repeat(47).into_boxed_str());
    let (_, points) = run(kiloclaw_status(Request {
        user: Some(at_limit),
        body: "",
    }));
    assert_eq!(points[0].text("sandbox_id").unwrap().len(), 63);
}

#[test]
fn without_a_user_the_wrapped_route_still_writes() {
    let (_, points) = run(kiloclaw_status(Request {
        user: None,
        body: "",
    }));
    assert_point(
        &points[0],
        &[
            (1, "kiloclaw.status.get"),
            (3, "http"),
            (4, "GET /api/kiloclaw/status"),
        ],
    );
}

// --- 3.3: the platform middleware rule ---------------------------------------------------------

/// A platform route that validates the user id from its JSON body, as `parseBody` does.
#[tallymark::instrumented(KiloClawEvent, route = "POST /api/platform/provision", emit_if = platform_rule, enrich = http_fields)]
async fn provision(req: Request) -> Result<Response, Error> {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(req.body) else {
        return Ok(Response(400)); // Malformed JSON body
    };
    let Some(user) = body["userId"].as_str().filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // Invalid request
    };
    tallymark::record!(user_id = user.to_owned());
    Ok(Response(201))
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/platform/versions", emit_if = platform_rule, enrich = http_fields)]
async fn versions(fail: bool) -> Result<Response, Error> {
    if fail {
        return Err(Error("versions unavailable".into()));
    }
    Ok(Response(200))
}

#[test]
fn the_platform_rule_writes_when_the_body_gave_a_user() {
    let (response, points) = run(provision(Request {
        user: None,
        body: r#"{"userId":"user-1"}"#,
    }));
    assert_eq!(response, Ok(Response(201)));
    assert_point(
        &points[0],
        &[
            (1, "platform.provision.create"),
            (2, "user-1"),
            (3, "http"),
            (4, "POST /api/platform/provision"),
            (8, "dXNlci0x"),
        ],
    );
}

#[test]
fn the_platform_rule_writes_errors_without_a_user() {
    let (_, points) = run(provision(Request {
        user: None,
        body: "{not json",
    }));
    assert_point(
        &points[0],
        &[
            (1, "platform.provision.create"),
            (3, "http"),
            (4, "POST /api/platform/provision"),
            (5, "HTTP 400"),
        ],
    );
    let (_, points) = run(provision(Request {
        user: None,
        body: r#"{"userId":""}"#,
    }));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("user_id"), Some(""));
}

#[test]
fn the_platform_rule_skips_successes_without_a_user() {
    let (response, points) = run(versions(false));
    assert_eq!(response, Ok(Response(200)));
    assert!(points.is_empty());

    let (_, points) = run(versions(true));
    assert_point(
        &points[0],
        &[
            (1, "platform.versions.get"),
            (3, "http"),
            (4, "GET /api/platform/versions"),
            (5, "versions unavailable"),
        ],
    );
}

/// A GET route that validates `?userId=` as `setValidatedQueryUserId` does.
#[tallymark::instrumented(KiloClawEvent, route = "GET /api/platform/status", emit_if = platform_rule, enrich = http_fields)]
async fn platform_status(query_user: Option<&'static str>) -> Result<Response, Error> {
    let Some(user) = query_user.filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // userId query parameter is required
    };
    tallymark::record!(user_id = user);
    Ok(Response(200))
}

#[test]
fn the_platform_rule_with_a_query_user() {
    let (_, points) = run(platform_status(Some("user-1")));
    assert_eq!(points[0].text("user_id"), Some("user-1"));
    assert_eq!(points[0].text("error"), Some(""));
    let (_, points) = run(platform_status(None));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("event"), Some("platform.status.get"));
}

#[test]
fn middleware_style_calls_derive_the_event_from_the_concrete_path() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        let call = tallymark::Call::<KiloClawEvent>::http("PATCH", "/api/platform/kilocode-config")
            .emit_if(platform_rule)
            .enrich(http_fields);
        call.record(|point| {
            point.user_id("user-1");
        });
        call.finish_http::<Response, Error>(&Ok(Response(503)));
    });
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some("platform.kilocode-config.update"));
    assert_eq!(
        point.text("route"),
        Some("PATCH /api/platform/kilocode-config")
    );
    assert_eq!(point.text("error"), Some("HTTP 503"));
}

// --- What counts as an error, and when a point is written --------------------------------------

fn not_found_is_fine(result: &Result<Response, Error>) -> bool {
    matches!(result, Ok(Response(404)))
}

fn teapot_is_an_error(result: &Result<Response, Error>) -> bool {
    matches!(result, Ok(Response(299)))
}

#[tallymark::instrumented(KiloClawEvent, event = "lookup", ok_if = not_found_is_fine, error_if = teapot_is_an_error)]
async fn lookup(status: u16) -> Result<Response, Error> {
    Ok(Response(status))
}

#[test]
fn ok_if_and_error_if_change_the_classification() {
    let (_, points) = run(lookup(404));
    assert_eq!(points[0].text("error"), Some(""));
    let (_, points) = run(lookup(299));
    assert_eq!(points[0].text("error"), Some("error"));
    let (_, points) = run(lookup(500));
    assert_eq!(points[0].text("error"), Some("HTTP 500"));
    assert_eq!(points[0].index(), Some("lookup"));
}

#[tallymark::instrumented(KiloClawEvent, event = "http_crate")]
async fn http_crate_response(status: u16) -> http::Response<String> {
    http::Response::builder()
        .status(status)
        .body(String::new())
        .unwrap()
}

#[test]
fn responses_of_the_http_crate_give_their_status() {
    let (response, points) = run(http_crate_response(503));
    assert_eq!(response.status(), 503);
    assert_eq!(points[0].text("error"), Some("HTTP 503"));
}

// --- Cancellation, panics, and the shapes of functions ----------------------------------------

struct Pending;

impl std::future::Future for Pending {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::task::Poll::Pending
    }
}

#[tallymark::instrumented(KiloClawEvent, event = "never_finishes")]
async fn never_finishes() -> Result<Response, Error> {
    tallymark::record!(user_id = "user-1");
    Pending.await;
    Ok(Response(200))
}

/// The same without `record!`: the call builds its point only when it ends, from the fields
/// given at the start.
#[tallymark::instrumented(KiloClawEvent, event = "never_finishes", fields(user_id = user, label = label.clone()))]
async fn never_finishes_deferred(user: &'static str, label: String) -> Result<Response, Error> {
    drop(label);
    Pending.await;
    Ok(Response(200))
}

/// Polls `handler` once in a new scope, drops it (the request is cancelled), and returns the point.
fn cancelled(handler: impl std::future::Future<Output = Result<Response, Error>>) -> RecordedPoint {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    {
        let mut future = Box::pin(scope.run(handler));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_pending());
    } // dropped: the request was cancelled
    assert_eq!(sink.points().len(), 1, "the cancelled call wrote one point");
    sink.last().unwrap()
}

#[test]
fn a_cancelled_future_still_writes_its_point() {
    let point = cancelled(never_finishes());
    assert_eq!(point.index(), Some("never_finishes"));
    assert_eq!(point.text("error"), Some("cancelled"));
    assert_eq!(point.text("user_id"), Some("user-1"));

    let point = cancelled(never_finishes_deferred("user-2", "mapped".into()));
    assert_eq!(
        point.blob_texts(),
        blobs(&[
            (1, "never_finishes"),
            (2, "user-2"),
            (5, "cancelled"),
            (13, "mapped")
        ])
    );
}

#[tallymark::instrumented(KiloClawEvent, event = "panics")]
fn panics() -> u32 {
    panic!("handler bug")
}

#[test]
fn a_panic_still_writes_its_point_natively() {
    let sink = MemorySink::new();
    let outcome = Scope::new(sink.clone()).run_sync(|| std::panic::catch_unwind(panics));
    assert!(outcome.is_err(), "the panic propagates unchanged");
    assert_eq!(sink.last().unwrap().text("error"), Some("panicked"));
}

struct Service {
    name: &'static str,
}

impl Service {
    #[tallymark::instrumented(KiloClawEvent, event = "service.describe", fields(label = self.name))]
    fn describe(&self, early: bool) -> Result<&'static str, Error> {
        if early {
            return Ok("early");
        }
        let name: &str = self
            .name
            .parse::<u8>()
            .map(|_| "number")
            .map_err(|e| Error(e.to_string()))?;
        Ok(name)
    }

    #[tallymark::instrumented(KiloClawEvent, event = "service.generic")]
    async fn generic<T: fmt::Display>(&self, value: T) -> impl fmt::Display {
        format!("{}:{value}", self.name)
    }
}

#[test]
fn sync_methods_keep_early_returns_and_question_marks() {
    let sink = MemorySink::new();
    let service = Service { name: "svc" };
    let results =
        Scope::new(sink.clone()).run_sync(|| (service.describe(true), service.describe(false)));
    assert_eq!(results.0, Ok("early"));
    assert_eq!(
        results.1,
        Err(Error("invalid digit found in string".into()))
    );
    let points = sink.points();
    assert_eq!(points[0].text("error"), Some(""));
    assert_eq!(points[0].text("label"), Some("svc"));
    assert_eq!(
        points[1].text("error"),
        Some("invalid digit found in string")
    );
}

#[test]
fn generic_async_methods_returning_impl_trait() {
    let service = Service { name: "svc" };
    let (output, points) = run(service.generic(7));
    assert_eq!(output.to_string(), "svc:7");
    assert_eq!(points[0].index(), Some("service.generic"));
}

#[test]
fn outside_any_scope_the_handler_is_unaffected() {
    let before = tallymark::global_stats().dropped_without_scope;
    let response = block_on(kiloclaw_status(Request {
        user: Some("u"),
        body: "",
    }));
    assert_eq!(response, Ok(Response(200)));
    assert!(tallymark::global_stats().dropped_without_scope > before);
}

// --- Interleaved requests -------------------------------------------------------------------

struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            std::task::Poll::Pending
        }
    }
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/platform/start", enrich = http_fields)]
async fn start(user: &'static str) -> Result<Response, Error> {
    YieldOnce(false).await;
    tallymark::record!(user_id = user);
    YieldOnce(false).await;
    Ok(Response(200))
}

#[test]
fn interleaved_requests_keep_their_fields_apart() {
    let sink = MemorySink::new();
    let mut a = Box::pin(Scope::new(sink.clone()).run(start("user-a")));
    let mut b = Box::pin(Scope::new(sink.clone()).run(start("user-b")));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..2 {
        assert!(a.as_mut().poll(&mut cx).is_pending());
        assert!(b.as_mut().poll(&mut cx).is_pending());
    }
    assert!(b.as_mut().poll(&mut cx).is_ready());
    assert!(a.as_mut().poll(&mut cx).is_ready());
    let points = sink.points();
    let users: Vec<(&str, &str)> = points
        .iter()
        .map(|p| (p.text("user_id").unwrap(), p.text("sandbox_id").unwrap()))
        .collect();
    assert_eq!(users, [("user-b", "dXNlci1i"), ("user-a", "dXNlci1h")]);
}
