//! The quickstart: one layout, one instrumented route, points to Analytics Engine.
use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

/// One row per request of this worker.
#[tallymark::layout(dataset = "quickstart_events", binding = "EVENTS")]
pub struct Event {
    /// Event name, derived from the route: `hello.get`.
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    route: String,
    /// `HTTP <status>` or the error's message.
    #[blob(3)]
    error: String,
    #[blob(4)]
    name: String,
    #[double(1)]
    duration_ms: f64,
}

#[tallymark::instrumented(Event, route = "GET /hello/:name")]
async fn hello(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let name = ctx.param("name").cloned().unwrap_or_default();
    let response = Response::ok(format!("hello, {name}"));
    tallymark::record!(name = name);
    response
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let telemetry = tallymark::Scope::from_env(&env);
    let router = Router::new().get_async("/hello/:name", hello);
    telemetry.run(router.run(req, env)).await
}
