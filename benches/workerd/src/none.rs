//! No telemetry: the request's cost without a point.

use crate::Params;
use worker::{Env, Request, Response, Result, RouteContext, Router};

pub(crate) async fn run(router: Router<'_, ()>, req: Request, env: Env) -> Result<Response> {
    router.run(req, env).await
}

pub(crate) async fn write(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let Params {
        count,
        user,
        region,
        plan,
        vary,
        calls,
    } = Params::of(&req, &ctx)?;
    // Read as the other variants read them, then written nowhere.
    std::hint::black_box((user, region, plan, calls));
    for item in 1..count {
        std::hint::black_box(crate::item_route(vary, item));
    }
    Response::ok(format!("ok {count}"))
}
