#![deny(warnings)]
//! `#[instrumented]` on workers-rs Router handlers (sync and async), composed with
//! `#[event(fetch)]` and `#[worker::send]`, compiles without a warning.

use tallymark_tests::{ApiEvent, Channel};
use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

#[tallymark::instrumented(ApiEvent, route = "GET /api/users/:id", fields(channel = Channel::Web))]
async fn get_user(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let user = req.headers().get("authorization")?.unwrap_or_default();
    tallymark::record!(user = user);
    let _ = ctx.param("id");
    Response::ok("ok")
}

#[tallymark::instrumented(ApiEvent, route = "GET /api/reports")]
fn get_reports(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::error("Gone", 410)
}

#[tallymark::instrumented(ApiEvent, event = "send")]
#[worker::send]
async fn send_handler(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::empty()
}

#[event(fetch)]
#[tallymark::instrumented(ApiEvent, event = "fetch")]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/users/:id", get_user)
        .get("/api/reports", get_reports)
        .get_async("/send", send_handler)
        .run(req, env)
        .await
}

fn main() {}
