//! The same points written by tallymark: the handler is `#[instrumented]` (the request's point),
//! and each item is a typed event carrying the caller's dimensions.

use crate::Params;
use tallymark::events::{self, Dimensions, Event};
use worker::{Env, Request, Response, Result, RouteContext, Router};

/// The benchmark's dataset.
#[tallymark::layout(dataset = "bench_events", binding = "BENCH_AE")]
pub struct BenchEvent {
    #[blob(1)]
    event: String,
    #[index]
    #[blob(2)]
    user_id: String,
    #[blob(3)]
    route: String,
    #[blob(4)]
    error: String,
    #[blob(5)]
    region: String,
    #[blob(6)]
    plan: String,
    #[double(1)]
    duration_ms: f64,
    #[double(2)]
    item: f64,
}

/// The caller's dimensions, carried by every item.
#[derive(Dimensions)]
#[tallymark(layout = BenchEvent)]
struct Caller {
    #[tallymark(to = user_id)]
    user: String,
    #[tallymark(to = region)]
    region: String,
    #[tallymark(to = plan)]
    plan: String,
}

/// An item point.
#[derive(Event)]
#[tallymark(layout = BenchEvent, state = Caller, prefix = "bench.", point_only)]
enum Item {
    ItemWritten {
        #[tallymark(to = item)]
        item: u32,
        #[tallymark(to = route)]
        route: String,
    },
}

pub(crate) async fn run(router: Router<'_, ()>, req: Request, env: Env) -> Result<Response> {
    let scope = tallymark::Scope::from_env(&env);
    scope.run(router.run(req, env)).await
}

pub(crate) async fn write(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let params = Params::of(&req, &ctx)?;
    if !params.calls {
        return write_items(params).await;
    }
    for _ in 0..params.count {
        tallymark::Scope::from_env(&ctx.env)
            .run(call(&params))
            .await?;
    }
    Response::ok(format!("ok {}", params.count))
}

/// One invocation's own point (`calls=1`).
#[tallymark::instrumented(BenchEvent, route = "GET /call")]
async fn call(params: &Params) -> Result<()> {
    tallymark::record!(
        user_id = params.user.as_str(),
        region = params.region.as_str(),
        plan = params.plan.as_str()
    );
    Ok(())
}

#[tallymark::instrumented(BenchEvent, route = "GET /write/:count")]
async fn write_items(params: Params) -> Result<Response> {
    let Params {
        count,
        user,
        region,
        plan,
        vary,
        ..
    } = params;
    let caller = Caller { user, region, plan };
    for item in 1..count {
        let route = crate::item_route(vary, item);
        events::emit(&Item::ItemWritten { item, route }, &caller);
    }
    tallymark::record!(
        user_id = caller.user,
        region = caller.region,
        plan = caller.plan
    );
    Response::ok(format!("ok {count}"))
}
