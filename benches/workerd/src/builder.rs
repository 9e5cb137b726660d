//! Each point written by hand with workers-rs's `AnalyticsEngineDataPointBuilder`, as a Worker
//! without a telemetry library would write it.

use crate::Params;
use worker::{
    AnalyticsEngineDataPointBuilder, AnalyticsEngineDataset, Date, Env, Request, Response, Result,
    RouteContext, Router,
};

/// The event name of an item point.
const ITEM_EVENT: &str = "bench.item_written";
/// The event name of the request's own point (tallymark's `path_method` rule for `crate::ROUTE`).
const REQUEST_EVENT: &str = "write.get";
/// The route as the request's point records it.
const ROUTE_PATTERN: &str = "GET /write/:count";
/// The event name of an invocation's own point (`calls=1`).
const CALL_EVENT: &str = "call.get";
/// The route as an invocation's own point records it.
const CALL_ROUTE: &str = "GET /call";

pub(crate) async fn run(router: Router<'_, ()>, req: Request, env: Env) -> Result<Response> {
    router.run(req, env).await
}

pub(crate) async fn write(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let started = Date::now().as_millis();
    let params = Params::of(&req, &ctx)?;
    if params.calls {
        for _ in 0..params.count {
            call(&ctx.env, &params)?;
        }
        return Response::ok(format!("ok {}", params.count));
    }
    let dataset = ctx.env.analytics_engine("BENCH_AE")?;
    for item in 1..params.count {
        let route = crate::item_route(params.vary, item);
        point(&dataset, &params, ITEM_EVENT, &route, 0.0, f64::from(item))?;
    }
    let response = Response::ok(format!("ok {}", params.count));
    point(
        &dataset,
        &params,
        REQUEST_EVENT,
        ROUTE_PATTERN,
        elapsed_ms(started),
        0.0,
    )?;
    response
}

/// One invocation's own point, as a Worker without a telemetry library writes it: the binding
/// looked up, the clock read around the work (none here), the point written.
fn call(env: &Env, params: &Params) -> Result<()> {
    let started = Date::now().as_millis();
    let dataset = env.analytics_engine("BENCH_AE")?;
    point(
        &dataset,
        params,
        CALL_EVENT,
        CALL_ROUTE,
        elapsed_ms(started),
        0.0,
    )
}

/// Milliseconds since `started` (`Date::now` in milliseconds), as the duration double.
#[allow(clippy::cast_precision_loss)] // milliseconds since the epoch fit in f64's 53 bits
fn elapsed_ms(started: u64) -> f64 {
    (Date::now().as_millis() - started) as f64
}

/// One point: `blob1..6` event, user, route, error, region, plan; `double1..2` duration, item.
fn point(
    dataset: &AnalyticsEngineDataset,
    params: &Params,
    event: &str,
    route: &str,
    duration_ms: f64,
    item: f64,
) -> Result<()> {
    AnalyticsEngineDataPointBuilder::new()
        .indexes([params.user.as_str()])
        .blobs([
            event,
            params.user.as_str(),
            route,
            "",
            params.region.as_str(),
            params.plan.as_str(),
        ])
        .doubles([duration_ms, item])
        .write_to(dataset)
}
