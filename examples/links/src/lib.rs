//! A URL shortener on axum under workers-rs, instrumented with tallymark's tower layer: one point
//! per request, named from the route axum matched, and one typed event of its own
//! (`abuse.blocked`). See README.md for the whole telemetry surface.

pub mod store;
pub mod telemetry;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use store::{ask, host_of, refusal, short_code};
use tallymark::axum::InstrumentLayer;
use tallymark::events;
use telemetry::{Abuse, Links, LINE};
use tower_service::Service;
use worker::{event, Context, Env, HttpRequest, Method, Result};

/// `POST /links` with `{"url": "https://..."}`: 201 with the code, 403 for a refused URL.
#[worker::send]
async fn create(State(env): State<Env>, body: String) -> Response {
    #[derive(serde::Deserialize)]
    struct NewLink {
        url: String,
    }
    let Some((url, host)) = serde_json::from_str::<NewLink>(&body)
        .ok()
        .and_then(|link| Some((host_of(&link.url)?, link.url)))
        .map(|(host, url)| (url, host))
    else {
        return (
            StatusCode::BAD_REQUEST,
            "expected {\"url\": \"http(s)://...\"}",
        )
            .into_response();
    };
    if let Some(reason) = refusal(&host) {
        events::log(
            &LINE,
            &Abuse::Blocked {
                reason: reason.to_owned(),
                host,
            },
            &(),
        );
        return (StatusCode::FORBIDDEN, "refused").into_response();
    }
    let code = short_code(&url);
    Links::record(|point| {
        point.code(code.clone());
    });
    match ask(&env, Method::Put, &code, Some(url)).await {
        Ok(_) => (StatusCode::CREATED, code).into_response(),
        Err(error) => failed(error),
    }
}

/// `GET /go/{code}`: a redirect to the link's URL (counted as a hit), or 404.
#[worker::send]
async fn resolve(State(env): State<Env>, Path(code): Path<String>) -> Response {
    Links::record(|point| {
        point.code(code.clone());
    });
    match ask(&env, Method::Get, &code, None).await {
        Ok((_, Some(link))) => (StatusCode::FOUND, [(header::LOCATION, link.url)]).into_response(),
        Ok((status, None)) => status_only(status),
        Err(error) => failed(error),
    }
}

/// `DELETE /links/{code}`: 204, or 404.
#[worker::send]
async fn remove(State(env): State<Env>, Path(code): Path<String>) -> Response {
    Links::record(|point| {
        point.code(code.clone());
    });
    match ask(&env, Method::Delete, &code, None).await {
        Ok((status, _)) => status_only(status),
        Err(error) => failed(error),
    }
}

/// `GET /links/{code}/stats`: `{"url": ..., "hits": N}`, or 404.
///
/// Instrumented by attribute, under the layer: the innermost instrumentation wins, so this
/// call's point is the request's only one (with its own fields: no `agent`, which the layer sets).
#[tallymark::instrumented(Links, route = "GET /links/{code}/stats", fields(code = code.clone()))]
#[worker::send]
async fn stats(State(env): State<Env>, Path(code): Path<String>) -> Response {
    match ask(&env, Method::Get, &format!("{code}/stats"), None).await {
        Ok((_, Some(link))) => {
            tallymark::record!(hits = link.hits as f64);
            serde_json::to_string(&link)
                .unwrap_or_default()
                .into_response()
        }
        Ok((status, None)) => status_only(status),
        Err(error) => failed(error),
    }
}

/// A response of the store's status, without a body.
fn status_only(status: u16) -> Response {
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::BAD_GATEWAY)
        .into_response()
}

/// A 500 for a failed call to the store.
fn failed(error: worker::Error) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

/// The routes, each instrumented by the layer. With the var `UNMATCHED_EVENT` set, requests no
/// route matches are also recorded, under that event name.
pub fn router(env: Env) -> Router {
    let layer = InstrumentLayer::<Links>::new().fields(|request, point| {
        let agent = request.headers.get(header::USER_AGENT);
        point.agent(agent.and_then(|v| v.to_str().ok()).map(str::to_owned));
    });
    let layer = match env.var("UNMATCHED_EVENT") {
        Ok(event) => layer.record_unmatched(event.to_string()),
        Err(_) => layer,
    };
    Router::new()
        .route("/links", post(create))
        .route("/go/{code}", get(resolve))
        .route("/links/{code}", axum::routing::delete(remove))
        .route("/links/{code}/stats", get(stats))
        .layer(layer)
        .with_state(env)
}

#[event(fetch)]
async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<Response> {
    let telemetry = tallymark::Scope::from_env(&env);
    let mut router = router(env);
    Ok(telemetry.run(router.call(req)).await?)
}
