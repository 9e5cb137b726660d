//! `examples/quickstart` without tallymark: the same route writing the same point by hand with
//! workers-rs's `AnalyticsEngineDataPointBuilder`. `scripts/bench-compile.sh` builds it beside the
//! quickstart to measure what tallymark adds to a user's build; it is not a workspace member.
use worker::{
    event, AnalyticsEngineDataPointBuilder, Context, Date, Env, Request, Response, Result,
    RouteContext, Router,
};

async fn hello(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let started = Date::now().as_millis();
    let name = ctx.param("name").cloned().unwrap_or_default();
    let response = Response::ok(format!("hello, {name}"));
    let error = match &response {
        Ok(response) if response.status_code() < 400 => String::new(),
        Ok(response) => format!("HTTP {}", response.status_code()),
        Err(error) => error.to_string(),
    };
    if let Ok(dataset) = ctx.env.analytics_engine("EVENTS") {
        #[allow(clippy::cast_precision_loss)]
        let duration_ms = (Date::now().as_millis() - started) as f64;
        // A failed write must not change the response.
        let _ = AnalyticsEngineDataPointBuilder::new()
            .indexes(["hello.get"])
            .blobs(["hello.get", "GET /hello/:name", &error, &name])
            .add_double(duration_ms)
            .write_to(&dataset);
    }
    response
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let router = Router::new().get_async("/hello/:name", hello);
    router.run(req, env).await
}
