#![deny(warnings)]
//! `#[instrumented]` on workers-rs Router handlers (sync and async), composed with
//! `#[event(fetch)]` and `#[worker::send]`, compiles without a warning.

use kiloclaw::telemetry::{Delivery, KiloClawEvent};
use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/status", fields(delivery = Delivery::Http))]
async fn status(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let user = req.headers().get("authorization")?.unwrap_or_default();
    tallymark::record!(user_id = user);
    let _ = ctx.param("id");
    Response::ok("ok")
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/storage")]
fn storage(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::error("Gone", 410)
}

#[tallymark::instrumented(KiloClawEvent, event = "send")]
#[worker::send]
async fn send_handler(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::empty()
}

#[event(fetch)]
#[tallymark::instrumented(KiloClawEvent, event = "fetch")]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/kiloclaw/status", status)
        .get("/api/admin/storage", storage)
        .get_async("/send", send_handler)
        .run(req, env)
        .await
}

fn main() {}
