//! The axum layer's rules, natively: axum's `Router` with the layer, run on a current-thread
//! executor inside a `Scope`, with every point asserted whole.
#![cfg(all(feature = "axum", feature = "worker"))]

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{Request, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tallymark::axum::InstrumentLayer;
use tallymark::sink::{MemorySink, RecordedPoint};
use tallymark::{Scope, Stats};
use tower_service::Service;

/// One point per request.
#[tallymark::layout(dataset = "api", binding = "API", error_text = chars(8))]
pub struct Api {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    route: String,
    #[blob(3)]
    error: String,
    #[blob(4)]
    outcome: String,
    #[blob(5)]
    agent: String,
    #[blob(6)]
    user: String,
    #[double(1)]
    duration_ms: f64,
}

/// Another layout, for a call that must not affect the layer's.
#[tallymark::layout(dataset = "db", binding = "DB")]
pub struct Db {
    #[index]
    #[blob(1)]
    event: String,
}

/// How long before a test's request its invocation started.
const AGE_MS: f64 = 40.0;

/// Runs `request` through `service` inside a fresh scope that started `AGE_MS` ago; returns the
/// status, the points, and the scope's stats.
fn run<S>(mut service: S, request: Request<Body>) -> (StatusCode, Vec<RecordedPoint>, Stats)
where
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: std::fmt::Debug,
{
    let sink = MemorySink::new();
    let started = tallymark::clock::now() - Duration::from_millis(AGE_MS as u64);
    let scope = Scope::starting_at(sink.clone(), started);
    // The router is called before the scope's future is first polled, as in a worker's
    // `scope.run(router.call(req)).await`.
    let response = futures_executor::block_on(scope.run(service.call(request))).unwrap();
    (response.status(), sink.points(), scope.stats())
}

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("user-agent", "tests/1.0")
        .body(Body::empty())
        .unwrap()
}

/// Asserts the whole point: index, every blob, and the duration within the invocation's age and
/// a generous bound.
fn assert_point(point: &RecordedPoint, blobs: &[&str]) {
    assert_eq!(point.dataset(), "api");
    assert_eq!(point.index(), Some(blobs[0]));
    assert_eq!(point.blob_texts(), blobs);
    let doubles = point.doubles();
    assert_eq!(doubles.len(), 1);
    assert!(
        (AGE_MS..AGE_MS + 5_000.0).contains(&doubles[0]),
        "duration from the invocation's start: {}",
        doubles[0]
    );
}

/// The layer with a field from the request's head.
fn layer(
) -> InstrumentLayer<Api, impl Fn(&axum::http::request::Parts, &mut ApiPoint<'static>) + Clone> {
    InstrumentLayer::<Api>::new().fields(|request, point| {
        let agent = request
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok());
        point.agent(agent.map(str::to_owned));
    })
}

async fn show_user(
    axum::extract::Path(params): axum::extract::Path<Vec<(String, String)>>,
) -> String {
    let id = params
        .into_iter()
        .next()
        .map(|(_, id)| id)
        .unwrap_or_default();
    // Records into the layer's call: it is active while the handler runs.
    Api::record(|point| {
        point.user(id.clone());
    });
    format!("user {id}")
}

#[test]
fn a_matched_request_is_named_from_its_route_pattern_never_its_path() {
    let router = Router::new()
        .route("/users/{id}/keys/{*rest}", get(show_user))
        .layer(layer());
    let (status, points, stats) = run(router, get_request("/users/u1/keys/a/b"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(points.len(), 1);
    assert_point(
        &points[0],
        &[
            "users.keys.get",
            "GET /users/{id}/keys/{*rest}",
            "",
            "ok",
            "tests/1.0",
            "u1",
        ],
    );
    assert_eq!(stats.written, 1);
    assert_eq!(stats.records_outside_call, 0);
}

#[test]
fn a_status_of_400_or_more_is_an_error_and_the_response_is_unchanged() {
    let router = Router::new()
        .route(
            "/teapot",
            post(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }),
        )
        .layer(InstrumentLayer::<Api>::new());
    let request = Request::post("/teapot").body(Body::empty()).unwrap();
    let mut service = router;
    let sink = MemorySink::new();
    let response =
        futures_executor::block_on(Scope::new(sink.clone()).run(service.call(request))).unwrap();
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    let body = futures_executor::block_on(axum::body::to_bytes(response.into_body(), 1024));
    assert_eq!(&body.unwrap()[..], b"short and stout");
    let points = sink.points();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].index(), Some("teapot.post"));
    assert_eq!(
        points[0].blob_texts(),
        ["teapot.post", "POST /teapot", "HTTP 418", "error", "", ""]
    );
}

/// An inner service that fails with a long message, as a tower service under the layer may.
#[derive(Clone)]
struct Failing;

impl Service<Request<Body>> for Failing {
    type Response = Response<Body>;
    type Error = String;
    type Future = std::future::Ready<Result<Response<Body>, String>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<Body>) -> Self::Future {
        std::future::ready(Err("storage unavailable".to_owned()))
    }
}

/// The `MatchedPath` axum gives a request of `pattern` (it cannot be made outside axum).
fn matched_path(pattern: &str, uri: &str) -> MatchedPath {
    let seen = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&seen);
    let mut router = Router::new().route(
        pattern,
        get(move |path: MatchedPath| async move {
            *keep.lock().unwrap() = Some(path);
        }),
    );
    futures_executor::block_on(router.call(get_request(uri))).unwrap();
    let path = seen.lock().unwrap().take().unwrap();
    path
}

#[test]
fn an_inner_error_is_its_message_cut_to_the_layouts_limit() {
    let service = tower_layer::Layer::layer(&layer(), Failing);
    let mut request = get_request("/links/abc");
    request
        .extensions_mut()
        .insert(matched_path("/links/{code}", "/links/abc"));
    let sink = MemorySink::new();
    let result = futures_executor::block_on(Scope::new(sink.clone()).run({
        let mut service = service;
        service.call(request)
    }));
    assert_eq!(result.unwrap_err(), "storage unavailable", "unchanged");
    let points = sink.points();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].index(), Some("links.get"));
    assert_eq!(
        points[0].blob_texts(),
        [
            "links.get",
            "GET /links/{code}",
            "storage ",
            "error",
            "tests/1.0",
            ""
        ]
    );
}

#[test]
fn a_request_dropped_unfinished_is_written_as_cancelled_to_its_invocation() {
    let router = Router::new()
        .route("/slow", get(std::future::pending::<&'static str>))
        .layer(layer());
    let sink = MemorySink::new();
    let mut service = router;
    {
        let mut future = pin!(Scope::new(sink.clone()).run(service.call(get_request("/slow"))));
        let waker = std::task::Waker::noop();
        assert!(future
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_pending());
        assert!(sink.is_empty(), "nothing written while the request runs");
        // Dropped here, outside any poll: the scope is current while it is dropped.
    }
    let points = sink.points();
    assert_eq!(points.len(), 1);
    assert_eq!(
        points[0].blob_texts(),
        [
            "slow.get",
            "GET /slow",
            "cancelled",
            "cancelled",
            "tests/1.0",
            ""
        ]
    );
    assert_eq!(tallymark::global_stats().dropped_without_scope, 0);
}

/// A handler instrumented with the layer's layout: it writes the request's point. Its call holds
/// the invocation's `Rc`-based scope, so, as any handler holding `!Send` state under axum, it is
/// made `Send` with workers-rs's `#[worker::send]`, placed after the attribute.
#[tallymark::instrumented(Api, route = "GET /composed/{id}", fields(user = id.clone()))]
#[worker::send]
async fn composed(axum::extract::Path(id): axum::extract::Path<String>) -> StatusCode {
    Api::record(|point| {
        point.agent("from the handler");
    });
    StatusCode::CREATED
}

/// A handler that runs a call of another layout: the layer still writes its point.
#[worker::send]
async fn with_query() -> &'static str {
    #[tallymark::instrumented(Db, event = "db.query")]
    async fn query() -> &'static str {
        "rows"
    }
    query().await
}

#[test]
fn under_the_layer_an_instrumented_handler_of_its_layout_writes_the_only_point() {
    let router = Router::new()
        .route("/composed/{id}", get(composed))
        .route("/query", get(with_query))
        .layer(layer());
    let (status, points, stats) = run(router.clone(), get_request("/composed/c7"));
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(points.len(), 1, "one point per request: {points:?}");
    // The handler's: its route, its field, and what it recorded; not the layer's agent.
    assert_point(
        &points[0],
        &[
            "composed.get",
            "GET /composed/{id}",
            "",
            "ok",
            "from the handler",
            "c7",
        ],
    );
    assert_eq!(
        stats,
        Stats {
            written: 1,
            ..Stats::default()
        },
        "nothing counted as lost"
    );

    let (_, points, _) = run(router, get_request("/query"));
    let datasets: Vec<_> = points.iter().map(|p| (p.dataset(), p.index())).collect();
    assert_eq!(
        datasets,
        [("db", Some("db.query")), ("api", Some("query.get"))],
        "a call of another layout does not supersede the layer's"
    );
}

#[test]
fn unmatched_requests_are_skipped_by_default() {
    let router = Router::new()
        .route("/users/{id}", get(show_user))
        .layer(layer());
    let (status, points, stats) = run(router, get_request("/wp-login.php"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(points.is_empty(), "{points:?}");
    assert_eq!(stats, Stats::default());
}

#[test]
fn unmatched_requests_can_be_recorded_under_one_fixed_name_without_their_path() {
    let router = Router::new()
        .route("/users/{id}", get(show_user))
        .layer(layer().record_unmatched("http.unmatched"));
    let (status, points, _) = run(router, get_request("/wp-login.php"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(points.len(), 1);
    assert_point(
        &points[0],
        &[
            "http.unmatched",
            "GET",
            "HTTP 404",
            "error",
            "tests/1.0",
            "",
        ],
    );
}

#[test]
fn outside_any_scope_the_duration_runs_from_the_request() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    let router = Router::new()
        .route("/ping", get(|| async { "pong" }))
        .layer(layer());
    // The scope is current only at the end, when the point is written.
    let mut service = router;
    let future = service.call(get_request("/ping"));
    let response = futures_executor::block_on(scope.run(future)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some("ping.get"));
    assert!(point.doubles()[0] < 5_000.0);
}

#[test]
fn the_layered_service_and_its_future_are_send() {
    fn send<T: Send + Sync>(_: &T) {}
    fn send_future<T: Send>(_: &T) {}
    let mut service = tower_layer::Layer::layer(&layer(), Failing);
    send(&service);
    send_future(&service.call(get_request("/")));
}
