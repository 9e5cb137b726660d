//! `#[instrumented]` against the in-memory sink, with exact blobs, doubles and index: how a call
//! is named, what it records, when it is written, and the guarantees around it.

use futures_executor::block_on;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tallymark::sink::{MemorySink, RecordedPoint};
use tallymark::{clock, HttpStatus, Scope};
use tallymark_tests::{blobs, ApiEvent, ApiEventPoint, Channel};

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

/// The enricher of these calls: the channel, and the tenant part of a `<tenant>:<name>` user (a
/// user without one leaves the slot as it is). It runs when the call ends, so it reads what the
/// call recorded, `record!` in the body included.
fn web(point: &mut ApiEventPoint<'_>) {
    let tenant = point
        .get_user()
        .split_once(':')
        .map(|(tenant, _)| tenant.to_owned());
    point.channel(Channel::Web).tenant(tenant);
}

/// An emit rule: write only when there is a user or an error.
fn user_or_error(point: &ApiEventPoint<'_>) -> bool {
    !point.get_user().is_empty() || !point.get_error().is_empty()
}

/// Runs `handler` in a scope whose invocation started 50 ms ago (the timing middleware's start).
fn run<T>(handler: impl std::future::Future<Output = T>) -> (T, Vec<RecordedPoint>) {
    let sink = MemorySink::new();
    let started = clock::now() - Duration::from_millis(50);
    let output = block_on(Scope::starting_at(sink.clone(), started).run(handler));
    (output, sink.points())
}

fn assert_point(point: &RecordedPoint, expected_blobs: &[(usize, &str)]) {
    assert_eq!(point.blob_texts(), blobs::<ApiEvent>(expected_blobs));
    assert_eq!(point.index(), Some(expected_blobs[0].1));
    let duration = point.doubles()[0];
    assert!(
        duration >= 50.0,
        "timed from the invocation start: {duration}"
    );
    assert_eq!(point.doubles()[1], 0.0);
    assert_eq!(point.dataset(), "api_events");
}

// --- A route: its name, its status, its error --------------------------------------------------

#[tallymark::instrumented(ApiEvent, route = "GET /api/users/:id", enrich = web, fields(user = user_of(&req)))]
async fn get_user(req: Request) -> Result<Response, Error> {
    let _ = req.body;
    Ok(Response(200))
}

#[test]
fn a_successful_call_writes_one_point_named_by_the_layouts_rule() {
    let request = Request {
        user: Some("acme:ann"),
        body: "",
    };
    let (response, points) = run(get_user(request));
    assert_eq!(response, Ok(Response(200)));
    assert_eq!(points.len(), 1);
    // `api_crud`, the layout's rule: `/api/` stripped, the parameter dropped, GET → `get`.
    assert_point(
        &points[0],
        &[
            (1, "users.get"),
            (2, "acme:ann"),
            (3, "GET /api/users/:id"),
            (5, "web"),
            (6, "acme"),
        ],
    );
}

#[tallymark::instrumented(ApiEvent, route = "GET /api/reports", enrich = web, fields(user = user_of(&req)))]
async fn get_reports(req: Request) -> Result<Response, Error> {
    let _ = req.body;
    Ok(Response(410))
}

#[test]
fn a_status_of_400_or_more_is_recorded_as_http_status() {
    let (response, points) = run(get_reports(Request {
        user: Some("acme:bob"),
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
            (1, "reports.get"),
            (2, "acme:bob"),
            (3, "GET /api/reports"),
            (4, "HTTP 410"),
            (5, "web"),
            (6, "acme"),
        ],
    );
}

#[tallymark::instrumented(ApiEvent, route = "POST /api/users/:id/restart", enrich = web, fields(user = user_of(&req)))]
async fn restart_user(req: Request, message: String) -> Result<Response, Error> {
    let _ = req.body;
    Err(Error(message))
}

#[test]
fn an_error_is_recorded_cut_to_the_layouts_limit_and_returned_unchanged() {
    let message = "x".repeat(300);
    let (result, points) = run(restart_user(
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
    // 32 characters, the layout's `error_text`; no tenant in the user, so none is written.
    assert_point(
        &points[0],
        &[
            (1, "users.restart.create"),
            (2, "abc"),
            (3, "POST /api/users/:id/restart"),
            (4, &"x".repeat(32)),
            (5, "web"),
        ],
    );
}

impl From<std::num::ParseIntError> for Error {
    fn from(error: std::num::ParseIntError) -> Self {
        Error(format!("bad id: {error}"))
    }
}

// `?` converts with `From` as in the function as written: the body's block is given the
// declared return type before the body is checked. Here only that type says what `Ok` holds.
#[tallymark::instrumented(ApiEvent, route = "GET /api/users/:id/number", fields(user = user_of(&req)))]
async fn user_number(req: Request) -> Result<u32, Error> {
    Ok(req.body.parse()?)
}

#[test]
fn question_mark_converts_the_error_as_in_the_function_as_written() {
    let numbered = |body| {
        run(user_number(Request {
            user: Some("u"),
            body,
        }))
    };
    let (result, points) = numbered("seven");
    assert_eq!(
        result,
        Err(Error("bad id: invalid digit found in string".into()))
    );
    assert_eq!(points.len(), 1);
    // Cut to the layout's 32 characters.
    assert_eq!(
        points[0].text("error"),
        Some("bad id: invalid digit found in s")
    );
    let (result, points) = numbered("7");
    assert_eq!(result, Ok(7));
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].text("error"), Some(""));
}

#[test]
fn error_text_is_cut_in_characters_on_a_character_boundary() {
    let (_, points) = run(restart_user(
        Request {
            user: Some("é:x"),
            body: "",
        },
        "é".repeat(250),
    ));
    assert_eq!(points[0].text("error"), Some("é".repeat(32).as_str()));
    assert_eq!(points[0].text("tenant"), Some("é"));
}

#[test]
fn a_short_error_is_kept_whole() {
    let (_, points) = run(restart_user(
        Request {
            user: Some("u"),
            body: "",
        },
        "boom".into(),
    ));
    assert_eq!(points[0].text("error"), Some("boom"));
}

#[test]
fn without_a_user_the_call_still_writes() {
    let (_, points) = run(get_user(Request {
        user: None,
        body: "",
    }));
    assert_point(
        &points[0],
        &[(1, "users.get"), (3, "GET /api/users/:id"), (5, "web")],
    );
}

/// A layout with no `event` field, whose index is not a blob, and no `duration_ms`: the event name
/// goes to the index and nowhere else, and the duration nowhere.
#[tallymark::layout(dataset = "keyed", binding = "KEYED")]
pub struct Keyed {
    #[index]
    key: String,
    #[blob(1)]
    route: String,
    #[blob(2)]
    error: String,
}

#[tallymark::instrumented(Keyed, route = "DELETE /users/:id")]
fn delete_user() -> Result<(), Error> {
    Err(Error("locked".into()))
}

#[test]
fn without_an_event_field_the_event_name_goes_to_the_index_only() {
    let sink = MemorySink::new();
    let result = Scope::new(sink.clone()).run_sync(delete_user);
    assert_eq!(result, Err(Error("locked".into())));
    let point = sink.last().unwrap();
    // `path_method`, the default rule: the path's segments, then the method lowercased.
    assert_eq!(point.index(), Some("users.delete"));
    assert_eq!(point.blob_texts(), ["DELETE /users/:id", "locked"]);
    assert_eq!(point.doubles(), [] as [f64; 0]);
}

/// A layout whose index is its `error` field, alone: the index holds the error text, and the
/// event name, which would otherwise go to the index, goes nowhere.
#[tallymark::layout(dataset = "failures", binding = "FAILURES")]
pub struct Failure {
    #[index]
    error: String,
    #[blob(1)]
    route: String,
}

#[tallymark::instrumented(Failure, route = "DELETE /users/:id")]
fn remove_user(locked: bool) -> Result<(), Error> {
    if locked {
        Err(Error("locked".into()))
    } else {
        Ok(())
    }
}

#[test]
fn an_index_only_error_field_gets_the_error_text() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        assert_eq!(remove_user(true), Err(Error("locked".into())));
        assert_eq!(remove_user(false), Ok(()));
    });
    let points = sink.points();
    assert_eq!(points[0].index(), Some("locked"));
    assert_eq!(points[0].blob_texts(), ["DELETE /users/:id"]);
    assert_eq!(points[1].index(), Some(""));
    assert_eq!(points[1].blob_texts(), ["DELETE /users/:id"]);
}

/// An error with `Debug` alone.
#[derive(Debug)]
enum Lookup {
    NotFound,
}

/// An error with neither `Display` nor `Debug`.
struct Opaque;

#[tallymark::instrumented(Failure, route = "GET /users/:id")]
fn find_user() -> Result<(), Lookup> {
    Err(Lookup::NotFound)
}

#[tallymark::instrumented(Failure, route = "GET /users/:id")]
fn find_opaque() -> Result<u8, Opaque> {
    Err(Opaque)
}

/// An `Err` whose error has no `Display` is an error too (it was recorded as a success): its
/// `Debug` text, else `error`.
#[test]
fn every_err_is_an_error_whether_or_not_it_can_be_displayed() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        assert!(matches!(find_user(), Err(Lookup::NotFound)));
        assert!(find_opaque().is_err());
    });
    let errors: Vec<_> = sink
        .points()
        .iter()
        .map(|p| p.index().map(str::to_owned))
        .collect();
    assert_eq!(
        errors,
        [Some("NotFound".to_owned()), Some("error".to_owned())]
    );
}

/// Ordinary code a dozen blocks deep, which the macros' bound on nesting once refused (it counts
/// over 32 of the levels a parser of syntax nests): a body is bounded by its brackets alone.
#[tallymark::instrumented(Failure, route = "POST /sync")]
#[allow(clippy::collapsible_if)] // nested on purpose
async fn sync(rows: Vec<Vec<u32>>, limit: u32) -> Result<u32, String> {
    let mut total = 0;
    if limit > 0 {
        if limit > 1 {
            if limit > 2 {
                for row in &rows {
                    for &x in row {
                        if let Some(y) = x.checked_mul(2) {
                            match y {
                                0 => {}
                                n if n < limit => {
                                    let hits = rows
                                        .iter()
                                        .map(|r| {
                                            let below = r.iter().filter(|&&v| v < n).count();
                                            u32::try_from(below).unwrap_or(u32::MAX)
                                        })
                                        .sum::<u32>();
                                    total += hits;
                                }
                                _ => return Err(format!("{y} over {limit}")),
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(total)
}

#[test]
fn a_body_nested_a_dozen_blocks_deep_is_instrumented() {
    let sink = MemorySink::new();
    let rows = vec![vec![1, 2], vec![3]];
    block_on(Scope::new(sink.clone()).run(async {
        assert_eq!(sync(rows.clone(), 7).await, Ok(7));
        assert_eq!(sync(rows, 5).await, Err("6 over 5".to_owned()));
    }));
    let errors: Vec<_> = sink
        .points()
        .iter()
        .map(|p| p.index().map(str::to_owned))
        .collect();
    assert_eq!(errors, [Some(String::new()), Some("6 over 5".to_owned())]);
}

/// A body's inner attributes stay the function's: without its `allow`, the unused `length` fails
/// the lint stage (`clippy -D warnings`); they used to be written before the function, where an
/// inner attribute is refused.
#[tallymark::instrumented(Keyed, route = "PUT /users/:id")]
async fn rename_user(name: &str) -> Result<(), Error> {
    #![allow(unused_variables)]
    let length = name.len();
    Err(Error(format!("{name} is taken")))
}

#[test]
fn a_body_keeps_its_inner_attributes() {
    let sink = MemorySink::new();
    let result = block_on(Scope::new(sink.clone()).run(rename_user("ada")));
    assert_eq!(result, Err(Error("ada is taken".into())));
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some("users.put"));
    assert_eq!(point.blob_texts(), ["PUT /users/:id", "ada is taken"]);
    assert_eq!(point.doubles(), [] as [f64; 0]);
}

/// A custom naming rule: the route's method and path, joined and lowercased.
fn joined(method: &str, route: &str) -> String {
    format!("{method}{route}").replace('/', ".").to_lowercase()
}

/// A layout whose calls are named by a custom rule.
#[tallymark::layout(dataset = "joined", binding = "JOINED", naming = joined)]
pub struct Joined {
    #[index]
    key: String,
    #[blob(1)]
    route: String,
    #[blob(2)]
    label: String,
}

/// Named by the layout's rule; its body records, so its point is filled from the start.
#[tallymark::instrumented(Joined, route = "GET /teams/:id")]
fn get_team() {
    tallymark::record!(label = "recorded");
}

/// Named by the attribute's rule, which wins over the layout's; its point is built at the end.
#[tallymark::instrumented(ApiEvent, route = "PUT /teams/:id", naming = joined)]
fn rename_team() {}

#[test]
fn a_custom_rule_names_the_call_at_each_call() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        get_team();
        get_team();
        rename_team();
    });
    let points = sink.points();
    assert_eq!(points.len(), 3);
    for point in &points[..2] {
        assert_eq!(point.index(), Some("get.teams.:id"));
        assert_eq!(point.blob_texts(), ["GET /teams/:id", "recorded"]);
        assert_eq!(point.doubles(), [] as [f64; 0]);
    }
    let renamed = &points[2];
    assert_eq!(renamed.index(), Some("put.teams.:id"));
    assert_eq!(
        renamed.blob_texts(),
        blobs::<ApiEvent>(&[(1, "put.teams.:id"), (3, "PUT /teams/:id")])
    );
    // The measured duration, and no value.
    let [duration_ms, value] = renamed.doubles() else {
        panic!("two doubles: {:?}", renamed.doubles())
    };
    assert!(*duration_ms >= 0.0, "{duration_ms} ms");
    assert_eq!(*value, 0.0);
}

// --- emit_if: the rule sees the point as the call left it ---------------------------------------

/// A route that takes its user from its JSON body, recorded only once validated.
#[tallymark::instrumented(ApiEvent, route = "POST /api/orders", emit_if = user_or_error, enrich = web)]
async fn create_order(req: Request) -> Result<Response, Error> {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(req.body) else {
        return Ok(Response(400)); // malformed JSON
    };
    let Some(user) = body["user"].as_str().filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // no user
    };
    tallymark::record!(user = user.to_owned());
    Ok(Response(201))
}

#[tallymark::instrumented(ApiEvent, route = "GET /api/versions", emit_if = user_or_error, enrich = web)]
async fn list_versions(fail: bool) -> Result<Response, Error> {
    if fail {
        return Err(Error("versions unavailable".into()));
    }
    Ok(Response(200))
}

#[test]
fn emit_if_and_enrich_see_a_user_recorded_in_the_body() {
    let (response, points) = run(create_order(Request {
        user: None,
        body: r#"{"user":"acme:ann"}"#,
    }));
    assert_eq!(response, Ok(Response(201)));
    assert_point(
        &points[0],
        &[
            (1, "orders.create"),
            (2, "acme:ann"),
            (3, "POST /api/orders"),
            (5, "web"),
            (6, "acme"),
        ],
    );
}

#[test]
fn emit_if_sees_the_error_of_a_call_without_a_user() {
    let (_, points) = run(create_order(Request {
        user: None,
        body: "{not json",
    }));
    assert_point(
        &points[0],
        &[
            (1, "orders.create"),
            (3, "POST /api/orders"),
            (4, "HTTP 400"),
            (5, "web"),
        ],
    );
    let (_, points) = run(create_order(Request {
        user: None,
        body: r#"{"user":""}"#,
    }));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("user"), Some(""));
}

#[test]
fn emit_if_skips_what_its_rule_rejects() {
    let (response, points) = run(list_versions(false));
    assert_eq!(response, Ok(Response(200)));
    assert!(points.is_empty());

    let (_, points) = run(list_versions(true));
    assert_point(
        &points[0],
        &[
            (1, "versions.get"),
            (3, "GET /api/versions"),
            (4, "versions unavailable"),
            (5, "web"),
        ],
    );
}

/// A GET route whose user comes from its query, borrowed.
#[tallymark::instrumented(ApiEvent, route = "GET /api/status", emit_if = user_or_error, enrich = web)]
async fn get_status(query_user: Option<&'static str>) -> Result<Response, Error> {
    let Some(user) = query_user.filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // the query names no user
    };
    tallymark::record!(user = user);
    Ok(Response(200))
}

#[test]
fn a_borrowed_user_recorded_in_the_body_is_written() {
    let (_, points) = run(get_status(Some("acme:ann")));
    assert_eq!(points[0].text("user"), Some("acme:ann"));
    assert_eq!(points[0].text("error"), Some(""));
    let (_, points) = run(get_status(None));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("event"), Some("status.get"));
}

#[test]
fn middleware_style_calls_derive_the_event_from_the_concrete_path() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        let call = tallymark::Call::<ApiEvent>::http("PATCH", "/api/settings/notifications")
            .emit_if(user_or_error)
            .enrich(web);
        call.record(|point| {
            point.user("acme:ann");
        });
        call.finish_http::<Response, Error>(&Ok(Response(503)));
    });
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some("settings.notifications.update"));
    assert_eq!(
        point.text("route"),
        Some("PATCH /api/settings/notifications")
    );
    assert_eq!(point.text("error"), Some("HTTP 503"));
    assert_eq!(point.text("tenant"), Some("acme"));
}

// --- What counts as an error, and when a point is written --------------------------------------

fn not_found_is_fine(result: &Result<Response, Error>) -> bool {
    matches!(result, Ok(Response(404)))
}

fn teapot_is_an_error(result: &Result<Response, Error>) -> bool {
    matches!(result, Ok(Response(299)))
}

#[tallymark::instrumented(ApiEvent, event = "lookup", ok_if = not_found_is_fine, error_if = teapot_is_an_error)]
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

/// The same rules as closures with no annotation: a parameter's type comes from the call's result
/// (it needed one, and only when instrumentation was on).
#[tallymark::instrumented(
    ApiEvent,
    event = "lookup",
    ok_if = |r| matches!(r, Ok(Response(404))),
    error_if = |r| matches!(r, Ok(Response(299)))
)]
async fn lookup_by_closures(status: u16) -> Result<Response, Error> {
    Ok(Response(status))
}

/// A rule on a lookup's result, chosen at run time.
type Rule = Box<dyn Fn(&Result<Response, Error>) -> bool>;

/// A rule held in a field is borrowed, not moved out of `self`.
struct Lenient {
    rule: Rule,
}

impl Lenient {
    #[tallymark::instrumented(ApiEvent, event = "lenient", ok_if = self.rule)]
    async fn fetch(&self, status: u16) -> Result<Response, Error> {
        Ok(Response(status))
    }
}

#[test]
fn a_rule_held_in_a_field_is_borrowed() {
    let lenient = Lenient {
        rule: Box::new(|result| matches!(result, Ok(Response(503)))),
    };
    let (_, points) = run(lenient.fetch(503));
    assert_eq!(points[0].text("error"), Some(""));
    let (_, points) = run(lenient.fetch(500));
    assert_eq!(points[0].text("error"), Some("HTTP 500"));
}

#[test]
fn ok_if_and_error_if_closures_need_no_annotation() {
    for (status, error) in [(404, ""), (299, "error"), (500, "HTTP 500")] {
        let (_, points) = run(lookup_by_closures(status));
        assert_eq!(points[0].text("error"), Some(error), "{status}");
    }
}

#[tallymark::instrumented(ApiEvent, event = "http_crate")]
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

#[tallymark::instrumented(ApiEvent, event = "never_finishes")]
async fn never_finishes() -> Result<Response, Error> {
    tallymark::record!(user = "user-1");
    Pending.await;
    Ok(Response(200))
}

/// The same without `record!`: the call builds its point only when it ends, from the fields
/// given at the start.
#[tallymark::instrumented(ApiEvent, event = "never_finishes", fields(user = user, label = label.clone()))]
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
    assert_eq!(point.text("user"), Some("user-1"));

    let point = cancelled(never_finishes_deferred("user-2", "mapped".into()));
    assert_eq!(
        point.blob_texts(),
        blobs::<ApiEvent>(&[
            (1, "never_finishes"),
            (2, "user-2"),
            (4, "cancelled"),
            (7, "mapped")
        ])
    );
}

#[tallymark::instrumented(ApiEvent, event = "panics")]
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
    #[tallymark::instrumented(ApiEvent, event = "service.describe", fields(label = self.name))]
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

    #[tallymark::instrumented(ApiEvent, event = "service.generic")]
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
    let response = block_on(get_user(Request {
        user: Some("u"),
        body: "",
    }));
    assert_eq!(response, Ok(Response(200)));
    assert!(tallymark::global_stats().dropped_without_scope > before);
}

// --- Interleaved requests -------------------------------------------------------------------

#[tallymark::instrumented(ApiEvent, route = "POST /api/jobs", enrich = web)]
async fn start_job(user: &'static str) -> Result<Response, Error> {
    tallymark_tests::WaitOnce::default().await;
    tallymark::record!(user = user);
    tallymark_tests::WaitOnce::default().await;
    Ok(Response(200))
}

/// Runs requests `a` and `b`, each in a scope of its own writing to one sink, interleaved: each
/// is polled `waits` times, pending each time, then `b` and `a` finish, in that order. Checks
/// that each point written is a `POST /api/jobs` call's, exactly, and returns their `user
/// (tenant)`.
fn interleaved(
    a: impl std::future::Future<Output = Result<Response, Error>>,
    b: impl std::future::Future<Output = Result<Response, Error>>,
    waits: usize,
) -> Vec<String> {
    let sink = MemorySink::new();
    let mut a = Box::pin(Scope::new(sink.clone()).run(a));
    let mut b = Box::pin(Scope::new(sink.clone()).run(b));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..waits {
        assert!(a.as_mut().poll(&mut cx).is_pending());
        assert!(b.as_mut().poll(&mut cx).is_pending());
    }
    assert!(b.as_mut().poll(&mut cx).is_ready());
    assert!(a.as_mut().poll(&mut cx).is_ready());
    let points = sink.points();
    for point in &points {
        let (user, tenant) = (point.text("user").unwrap(), point.text("tenant").unwrap());
        assert_eq!(point.index(), Some("jobs.create"));
        assert_eq!(
            point.blob_texts(),
            blobs::<ApiEvent>(&[
                (1, "jobs.create"),
                (2, user),
                (3, "POST /api/jobs"),
                (5, "web"),
                (6, tenant),
            ])
        );
        assert_eq!(point.doubles()[1], 0.0);
        assert_eq!(point.dataset(), "api_events");
    }
    points
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.text("user").unwrap(),
                p.text("tenant").unwrap()
            )
        })
        .collect()
}

#[test]
fn interleaved_requests_keep_their_fields_apart() {
    let users = interleaved(start_job("acme:ann"), start_job("bolt:bob"), 2);
    assert_eq!(users, ["bolt:bob (bolt)", "acme:ann (acme)"]);
}

/// Suspends where `#[instrumented]` sees no `.await`: in a macro's expansion.
macro_rules! wait_once {
    () => {
        tallymark_tests::WaitOnce::default().await
    };
}

/// Its only suspension is inside a macro the attribute does not know, so its body still runs in
/// an `async` block of the call's (a closure could not compile it), entered at every poll.
#[tallymark::instrumented(ApiEvent, route = "POST /api/jobs", enrich = web)]
async fn start_job_in_a_macro(user: &'static str) -> Result<Response, Error> {
    wait_once!();
    ApiEvent::record(|point| {
        point.user(user);
    });
    Ok(Response(200))
}

#[test]
fn a_body_that_suspends_inside_a_macro_is_entered_at_each_poll() {
    let users = interleaved(
        start_job_in_a_macro("acme:ann"),
        start_job_in_a_macro("bolt:bob"),
        1,
    );
    assert_eq!(users, ["bolt:bob (bolt)", "acme:ann (acme)"]);
}

// --- Rules as closures, and what a handler's future carries -------------------------------------

#[tallymark::instrumented(ApiEvent, event = "users.closures",
    emit_if = |point| point.get_user() != "anonymous",
    enrich = |point| { point.label("enriched"); },
    fields(user = user))]
async fn with_closures(user: &'static str) -> Result<Response, Error> {
    Ok(Response(200))
}

#[test]
fn emit_if_and_enrich_may_be_closures() {
    let (_, points) = run(async {
        with_closures("acme:ann").await.unwrap();
        with_closures("anonymous").await.unwrap();
    });
    let written: Vec<(&str, &str)> = points
        .iter()
        .map(|p| (p.text("user").unwrap(), p.text("label").unwrap()))
        .collect();
    assert_eq!(written, [("acme:ann", "enriched")]);
}

#[tallymark::instrumented(ApiEvent, event = "users.deferred", fields(user = user))]
async fn records_nothing(user: &'static str) -> u8 {
    tallymark_tests::WaitOnce::default().await;
    1
}

#[tallymark::instrumented(ApiEvent, event = "users.recording", fields(user = user))]
async fn records_in_its_body(user: &'static str) -> u8 {
    tallymark_tests::WaitOnce::default().await;
    tallymark::record!(label = "late");
    1
}

/// The README's claim: a body without `record!` builds its point only when it ends, so its
/// future carries the entry values across `.await`, not a whole point; one with `record!` keeps
/// the point from the start.
#[test]
fn a_handler_that_records_nothing_does_not_carry_its_point_across_awaits() {
    let point = std::mem::size_of::<ApiEventPoint<'static>>();
    let deferred = std::mem::size_of_val(&records_nothing("u"));
    let recording = std::mem::size_of_val(&records_in_its_body("u"));
    assert!(deferred < point, "{deferred} bytes, a point is {point}");
    assert!(recording >= point, "{recording} bytes, a point is {point}");
    assert_eq!(
        block_on(records_nothing("u")) + block_on(records_in_its_body("u")),
        2
    );
}
