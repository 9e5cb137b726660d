//! The benchmark worker of `scripts/bench-workerd.sh`:
//! `GET /write/:count?user=&region=&plan=[&vary=1]` answers `ok` after writing `count` points to
//! the `BENCH_AE` dataset, all built from the same request, in one of three builds chosen by cargo
//! feature:
//!
//! * none: no point is written (the request's cost without telemetry);
//! * `builder`: by hand, with workers-rs's `AnalyticsEngineDataPointBuilder`;
//! * `tallymark`: `#[instrumented]` on the handler and a typed event for each further point.
//!
//! Every build writes the same points in the same order (the benchmark checks it before it
//! measures): `count - 1` item points (`bench.item_written`, the item's number in `double2`), then
//! the request's own point (`write.get`, its route and its duration). An item's route is empty,
//! or with `vary=1` its own, `/items/<number>`: so that no two points of a request have the same
//! texts. `bench/floor.js` is the same worker in JavaScript.
//!
//! With `calls=1`, each of the `count` points is written by an invocation of its own instead
//! (`call.get`, route `GET /call`): by hand, the binding looked up, the clock read and the point
//! written; with tallymark, a new `Scope::from_env` running an `#[instrumented]` function. Then
//! the slope is what an invocation costs, not what a point costs.

#[cfg(all(feature = "builder", feature = "tallymark"))]
compile_error!("choose one variant: `builder` or `tallymark`, not both");

#[cfg(feature = "builder")]
mod builder;
#[cfg(not(any(feature = "builder", feature = "tallymark")))]
mod none;
#[cfg(feature = "tallymark")]
mod with_tallymark;

#[cfg(feature = "builder")]
use builder as variant;
#[cfg(not(any(feature = "builder", feature = "tallymark")))]
use none as variant;
#[cfg(feature = "tallymark")]
use with_tallymark as variant;

use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

/// The route every variant serves.
pub(crate) const ROUTE: &str = "/write/:count";

/// What a request asks for: how many points, and the dimensions they carry.
pub(crate) struct Params {
    pub count: u32,
    pub user: String,
    pub region: String,
    pub plan: String,
    /// Whether each item has a route of its own (`vary=1`).
    pub vary: bool,
    /// Whether each point is written by an invocation of its own (`calls=1`).
    pub calls: bool,
}

/// An item's route: its own with `vary`, else empty.
pub(crate) fn item_route(vary: bool, item: u32) -> String {
    if vary {
        format!("/items/{item}")
    } else {
        String::new()
    }
}

impl Params {
    /// Reads the count from the route and the dimensions from the query (empty when absent).
    pub(crate) fn of(req: &Request, ctx: &RouteContext<()>) -> Result<Params> {
        let count = ctx
            .param("count")
            .and_then(|count| count.parse().ok())
            .ok_or("the count is not a number")?;
        let url = req.url()?;
        let query = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        Ok(Params {
            count,
            user: query("user"),
            region: query("region"),
            plan: query("plan"),
            vary: query("vary") == "1",
            calls: query("calls") == "1",
        })
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    variant::run(Router::new().get_async(ROUTE, variant::write), req, env).await
}
