#![deny(warnings)]
//! `#[instrumented]` on workers-rs Router handlers (sync and async), composed with
//! `#[event(fetch)]` and `#[worker::send]`, compiles without a warning.

use worker::{event, Context, Env, Request, Response, Result, RouteContext, Router};

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Delivery {
    Http,
}

#[tallymark::layout(dataset = "kiloclaw_events", binding = "KILOCLAW_AE")]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user_id: String,
    #[blob(3)]
    delivery: Delivery,
    #[blob(4)]
    route: String,
    #[blob(5)]
    error: String,
    #[double(1)]
    duration_ms: f64,
}

#[tallymark::instrumented(Event, route = "GET /api/kiloclaw/status", delivery = Delivery::Http)]
async fn status(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let user = req.headers().get("authorization")?.unwrap_or_default();
    tallymark::record!(user_id = user);
    let _ = ctx.param("id");
    Response::ok("ok")
}

#[tallymark::instrumented(Event, route = "GET /api/admin/storage")]
fn storage(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::error("Gone", 410)
}

#[tallymark::instrumented(Event, event = "send")]
#[worker::send]
async fn send_handler(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::empty()
}

#[event(fetch)]
#[tallymark::instrumented(Event, event = "fetch")]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/kiloclaw/status", status)
        .get("/api/admin/storage", storage)
        .get_async("/send", send_handler)
        .run(req, env)
        .await
}

fn main() {}
