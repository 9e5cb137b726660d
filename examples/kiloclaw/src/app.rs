//! The worker's HTTP surface (§2.1, §3): stand-in authentication, the 10 routes wrapped with
//! `#[instrumented]`, the platform routes under the platform rule, and the fake's scripting
//! endpoints (no telemetry, like the reference's `/debug*`).

use crate::instance::STARTED_HEADER;
use crate::telemetry::{
    http_fields, platform_rule, sandbox_id_from_user_id, Delivery, KiloClawEvent,
};
use serde_json::{json, Value};
use tallymark::clock;
use tallymark::{Call, Scope};
use worker::{
    event, Context, Env, Method, Request, RequestInit, Response, Result, RouteContext, Router,
};

/// The authenticated user of an admin or kiloclaw request.
#[derive(Clone)]
struct User(String);

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    // The invocation's start: instrumented handlers measure from here, as the reference's global
    // timing middleware does.
    Scope::from_env(&env).run(route(req, env)).await
}

async fn route(req: Request, env: Env) -> Result<Response> {
    let path = req.path();
    if path == "/__tallymark/schema" {
        return Response::ok(<KiloClawEvent as tallymark::Layout>::SCHEMA.to_json());
    }
    if path == "/__tallymark/stats" {
        // What became of this isolate's points so far: the counters of every scope that has ended
        // (each request's and each Durable Object call's), for the end-to-end tests.
        return Response::from_json(&tallymark::global_stats());
    }
    if path.starts_with("/__fake/") {
        return fake(req, env).await;
    }
    if path.starts_with("/api/admin/") || path.starts_with("/api/kiloclaw/") {
        // Rejected before any telemetry, as the reference's auth middleware does.
        let Some(user) = bearer_user(&req) else {
            return Response::error("Unauthorized", 401);
        };
        return Router::with_data(User(user))
            .get_async("/api/admin/storage", admin_storage)
            .post_async("/api/admin/storage/sync", admin_storage_sync)
            .post_async("/api/admin/machine/restart", admin_machine_restart)
            .post_async("/api/admin/gateway/restart", admin_gateway_restart)
            .get_async("/api/admin/public-key", admin_public_key)
            .get_async(
                "/api/admin/google-credentials",
                admin_google_credentials_get,
            )
            .post_async(
                "/api/admin/google-credentials",
                admin_google_credentials_post,
            )
            .delete_async(
                "/api/admin/google-credentials",
                admin_google_credentials_delete,
            )
            .get_async("/api/kiloclaw/config", kiloclaw_config)
            .get_async("/api/kiloclaw/status", kiloclaw_status)
            .run(req, env)
            .await;
    }
    if path.starts_with("/api/platform/") {
        if !internal_key_matches(&req, &env)? {
            return Response::error("Unauthorized", 401);
        }
        return platform(req, env).await;
    }
    if path == "/api/controller/checkin" && req.method() == Method::Post {
        if !internal_key_matches(&req, &env)? {
            return Response::error("Unauthorized", 401);
        }
        return crate::controller::check_in(req).await;
    }
    if path == "/health" {
        return Response::ok("ok");
    }
    Response::error("Not Found", 404)
}

/// Whether the request carries the internal API key (platform and controller routes).
fn internal_key_matches(req: &Request, env: &Env) -> Result<bool> {
    let key = env.var("INTERNAL_API_KEY").map(|v| v.to_string()).ok();
    let given = req.headers().get("x-internal-api-key")?;
    Ok(key.is_some() && given == key)
}

fn bearer_user(req: &Request) -> Option<String> {
    let header = req.headers().get("authorization").ok()??;
    let user = header.strip_prefix("Bearer ")?.trim();
    (!user.is_empty()).then(|| user.to_owned())
}

/// The fake backend's failure switch: `x-fake-failure: throw` makes a handler fail with an error,
/// `x-fake-failure: <status>` answer with that status.
fn fake_failure(req: &Request) -> Option<Result<Response>> {
    let header = req.headers().get("x-fake-failure").ok()??;
    Some(match header.parse::<u16>() {
        Ok(status) => Response::error(format!("fake failure {status}"), status),
        Err(_) => Err(worker::Error::RustError(format!(
            "fake upstream failure: {header}"
        ))),
    })
}

// --- The 10 routes wrapped with instrumented() (§3.2) ------------------------------------------

macro_rules! fake_failure_or {
    ($req:expr, $ok:expr) => {
        match fake_failure(&$req) {
            Some(response) => response,
            None => $ok,
        }
    };
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/storage", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_storage(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(req, Response::error("Storage endpoints are gone", 410))
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/storage/sync", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_storage_sync(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(req, Response::error("Storage endpoints are gone", 410))
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/machine/restart", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_machine_restart(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(
        req,
        Response::from_json(&json!({ "ok": true, "restarting": true }))
    )
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/gateway/restart", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_gateway_restart(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(req, Response::from_json(&json!({ "ok": true })))
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/public-key", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_public_key(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(
        req,
        Response::from_json(&json!({ "publicKey": "ssh-ed25519 AAAAC3Nza fake" }))
    )
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/google-credentials", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_google_credentials_get(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(req, Response::from_json(&json!({ "configured": false })))
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/google-credentials", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_google_credentials_post(
    mut req: Request,
    ctx: RouteContext<User>,
) -> Result<Response> {
    if let Some(response) = fake_failure(&req) {
        return response;
    }
    match req.json::<Value>().await {
        Ok(body) if body.get("credentials").is_some() => {
            Response::from_json(&json!({ "configured": true }))
        }
        Ok(_) => Response::error("credentials are required", 400),
        Err(_) => Response::error("Malformed JSON body", 400),
    }
}

#[tallymark::instrumented(KiloClawEvent, route = "DELETE /api/admin/google-credentials", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn admin_google_credentials_delete(
    req: Request,
    ctx: RouteContext<User>,
) -> Result<Response> {
    fake_failure_or!(req, Response::from_json(&json!({ "configured": false })))
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/config", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn kiloclaw_config(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(
        req,
        Response::from_json(&json!({ "region": "iad", "channels": ["telegram"] }))
    )
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/status", enrich = http_fields, fields(user_id = ctx.data.0.clone()))]
async fn kiloclaw_status(req: Request, ctx: RouteContext<User>) -> Result<Response> {
    fake_failure_or!(
        req,
        Response::from_json(&json!({ "status": "running", "version": "2026.11.1" }))
    )
}

// --- Platform routes under the platform rule (§3.3) -----------------------------------------------

/// Routes whose schema has no user id: recorded only when they fail.
const NO_USER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/versions"),
    ("GET", "/versions/latest"),
    ("POST", "/publish-image-version"),
];

/// Routes forwarded to the user's Durable Object.
const INSTANCE_ROUTES: &[&str] = &["/provision", "/stop", "/destroy", "/restart", "/restore"];

/// The platform analytics middleware: one call per request, named from the concrete path,
/// written when there is a user or an error.
async fn platform(mut req: Request, env: Env) -> Result<Response> {
    let method = req.method().to_string();
    let path = req.path();
    let call = Call::<KiloClawEvent>::http(&method, &path)
        .emit_if(platform_rule)
        .enrich(http_fields);
    let sub_path = path.trim_start_matches("/api/platform").to_owned();
    let result = platform_route(&mut req, &env, &method, &sub_path, &call).await;
    // A handler's error becomes a 500 response, as Hono's default error handler makes it; the
    // middleware then records `HTTP 500` (§3.3).
    let result = result.or_else(|_| Response::error("Internal Server Error", 500));
    call.finish_http(&result);
    result
}

async fn platform_route(
    req: &mut Request,
    env: &Env,
    method: &str,
    path: &str,
    call: &Call<'_, KiloClawEvent>,
) -> Result<Response> {
    if let Some(response) = fake_failure(req) {
        return response;
    }
    let needs_user = !NO_USER_ROUTES.contains(&(method, path));
    let has_body = matches!(method, "POST" | "PATCH" | "PUT");
    let body = if has_body {
        let Ok(body) = req.json::<Value>().await else {
            return Response::error("Malformed JSON body", 400);
        };
        body
    } else {
        Value::Null
    };
    // Validated, never taken raw: only a non-empty string userId, and only on a route whose
    // schema has one (a `userId` sent to `GET /versions` sets no user, as in the reference).
    let user = needs_user
        .then(|| body_or_query(req, &body, "userId"))
        .flatten();
    if needs_user && user.is_none() {
        return if has_body {
            Response::error("Invalid request", 400)
        } else {
            Response::error("userId query parameter is required", 400)
        };
    }
    if let Some(user) = &user {
        call.record(|point| {
            point.user_id(user.clone());
        });
    }
    match (method, path, user) {
        ("POST", route, Some(user)) if INSTANCE_ROUTES.contains(&route) => {
            instance(env, &user, route, forwarded(&user, &body)).await
        }
        ("POST", route, Some(user)) if RecoveryRoute::of_route(route).is_some() => {
            let recovery = RecoveryRoute::of_route(route).unwrap_or(RecoveryRoute::ManualStart);
            recover(env, &user, recovery).await
        }
        ("GET", "/status", Some(user)) => instance_get(env, &user, "/state").await,
        ("GET", "/versions" | "/versions/latest", _) => Response::from_json(
            &json!({ "latest": "2026.11.1", "versions": ["2026.11.1", "2026.10.4"] }),
        ),
        _ => Response::from_json(&json!({ "ok": true })),
    }
}

fn query_user(req: &Request) -> Option<String> {
    query_text(req, "userId")
}

/// A non-empty query parameter.
fn query_text(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    let value = url.query_pairs().find(|(key, _)| key == name)?.1;
    (!value.is_empty()).then(|| value.into_owned())
}

/// A non-empty string field of a request's JSON body, or, for a request without one, its query
/// parameter.
fn body_or_query(req: &Request, body: &Value, name: &str) -> Option<String> {
    match body {
        Value::Null => query_text(req, name),
        body => body[name]
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
    }
}

/// What a platform route forwards to the Durable Object: the user, and the body's fields the
/// object reads (org and instance ids at provision, the image of a restart).
fn forwarded(user: &str, body: &Value) -> Value {
    let mut forwarded = json!({ "userId": user });
    for key in ["orgId", "instanceId", "imageTag", "latest"] {
        if let Some(value) = body.get(key) {
            forwarded[key] = value.clone();
        }
    }
    forwarded
}

// --- Instance recoveries, written in addition to the route's event (§7.3) ---------------------

/// A platform route that starts an instance and writes whether it did as an event of its own.
#[derive(Debug, Clone, Copy)]
enum RecoveryRoute {
    /// `POST /api/platform/start`.
    ManualStart,
    /// `POST /api/platform/force-retry-recovery`.
    ForceRetryRecovery,
    /// `POST /api/platform/crash-recovery`.
    CrashRecovery,
}

impl RecoveryRoute {
    fn of_route(route: &str) -> Option<RecoveryRoute> {
        match route {
            "/start" => Some(RecoveryRoute::ManualStart),
            "/force-retry-recovery" => Some(RecoveryRoute::ForceRetryRecovery),
            "/crash-recovery" => Some(RecoveryRoute::CrashRecovery),
            _ => None,
        }
    }

    /// The route as the event records it: the path, without the method.
    fn route(self) -> &'static str {
        match self {
            RecoveryRoute::ManualStart => "/api/platform/start",
            RecoveryRoute::ForceRetryRecovery => "/api/platform/force-retry-recovery",
            RecoveryRoute::CrashRecovery => "/api/platform/crash-recovery",
        }
    }

    fn event(self, succeeded: bool) -> &'static str {
        match (self, succeeded) {
            (RecoveryRoute::ManualStart, true) => "instance.manual_start_succeeded",
            (RecoveryRoute::ManualStart, false) => "instance.manual_start_failed",
            (RecoveryRoute::ForceRetryRecovery, true) => "instance.force_retry_recovery_succeeded",
            (RecoveryRoute::ForceRetryRecovery, false) => "instance.force_retry_recovery_failed",
            (RecoveryRoute::CrashRecovery, true) => "instance.crash_recovery_succeeded",
            (RecoveryRoute::CrashRecovery, false) => "instance.crash_recovery_failed",
        }
    }
}

/// Starts the user's instance and writes the recovery's event: succeeded only when the instance
/// reports it started; failed otherwise, with the start's whole error when it had one (callers
/// cut only HTTP thrown errors and reconcile errors, `kiloclaw-telemetry.md` §1). A crash recovery
/// also carries the sandbox id, and when it succeeded, the status, machine and app of a fresh
/// read of the instance.
async fn recover(env: &Env, user: &str, recovery: RecoveryRoute) -> Result<Response> {
    let began = clock::now();
    let mut response = instance(env, user, "/start", json!({ "userId": user })).await?;
    let started = response.headers().get(STARTED_HEADER)?.as_deref() == Some("true");
    let error = if response.status_code() >= 400 {
        Some(response.cloned()?.text().await?)
    } else {
        None
    };
    let fresh = match (recovery, started) {
        (RecoveryRoute::CrashRecovery, true) => Some(
            instance_get(env, user, "/state")
                .await?
                .json::<Value>()
                .await?,
        ),
        _ => None,
    };
    let mut point = KiloClawEvent::point();
    point
        .event(recovery.event(started))
        .delivery(Delivery::Http)
        .route(recovery.route())
        .user_id(user)
        .duration_ms(clock::elapsed_ms(began))
        .error(error);
    if let RecoveryRoute::CrashRecovery = recovery {
        point.sandbox_id(sandbox_id_from_user_id(user));
    }
    if let Some(fresh) = &fresh {
        let text = |key: &str| fresh[key].as_str().map(str::to_owned);
        point
            .status(text("status"))
            .fly_machine_id(text("flyMachineId"))
            .fly_app_name(text("flyAppName"));
    }
    point.emit();
    Ok(response)
}

/// The user's Durable Object.
fn instance_stub(env: &Env, user: &str) -> Result<worker::Stub> {
    env.durable_object("KILOCLAW_INSTANCE")?
        .id_from_name(user)?
        .get_stub()
}

/// Calls the user's Durable Object.
pub(crate) async fn instance(env: &Env, user: &str, path: &str, body: Value) -> Result<Response> {
    let stub = instance_stub(env, user)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(body.to_string().into()));
    let request = Request::new_with_init(&format!("https://instance{path}"), &init)?;
    stub.fetch_with_request(request).await
}

async fn instance_get(env: &Env, user: &str, path: &str) -> Result<Response> {
    let stub = instance_stub(env, user)?;
    stub.fetch_with_str(&format!("https://instance{path}"))
        .await
}

// --- The fake's scripting endpoints -----------------------------------------------------------

/// `POST|GET /__fake/fly?userId=U` (script, read what is left of it), `POST|GET
/// /__fake/state?userId=U` (patch, read),
/// `POST /__fake/alarm?userId=U` (run the reconcile alarm now), `POST /__fake/burst?userId=U&n=N`
/// (request N points in this one invocation; `&event=E` names them `E` instead of `fake.burst`,
/// so a test can send an event name past the index limit), `POST /__fake/panic?userId=U` (panic,
/// so the tests can see that the harness notices a panic in workerd's output), `POST
/// /__fake/slow?userId=U&ms=N` (an instrumented handler that waits N ms on a timer before it
/// answers, so a test can cancel a request mid-handler).
async fn fake(mut req: Request, env: Env) -> Result<Response> {
    let Some(user) = query_user(&req) else {
        return Response::error("userId query parameter is required", 400);
    };
    let path = req.path();
    match (req.method(), path.as_str()) {
        (Method::Post, "/__fake/fly") => instance(&env, &user, "/fly", req.json().await?).await,
        (Method::Get, "/__fake/fly") => instance_get(&env, &user, "/fly").await,
        (Method::Post, "/__fake/state") => instance(&env, &user, "/state", req.json().await?).await,
        (Method::Get, "/__fake/state") => instance_get(&env, &user, "/state").await,
        (Method::Post, "/__fake/alarm") => instance(&env, &user, "/reconcile", json!({})).await,
        (Method::Post, "/__fake/burst") => {
            let url = req.url()?;
            let query = |name: &str| {
                url.query_pairs()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.into_owned())
            };
            let count: u32 = query("n").and_then(|n| n.parse().ok()).unwrap_or(1);
            let event = query("event").unwrap_or_else(|| "fake.burst".to_owned());
            for i in 0..count {
                KiloClawEvent::point()
                    .event(event.as_str())
                    .user_id(user.as_str())
                    .value(i)
                    .emit();
            }
            Response::from_json(&json!({ "requested": count }))
        }
        (Method::Post, "/__fake/slow") => {
            let ms = query_text(&req, "ms")
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(0);
            fake_slow(user, ms).await
        }
        (Method::Post, "/__fake/panic") => panic!("fake panic requested for {user}"),
        _ => Response::error("Not Found", 404),
    }
}

/// The slow handler of `POST /__fake/slow`: one point (`fake.slow.create`), written when the body
/// returns, or by the instrumented call's drop guard if the future is dropped first.
#[tallymark::instrumented(KiloClawEvent, route = "POST /__fake/slow", enrich = http_fields, fields(user_id = user))]
async fn fake_slow(user: String, ms: u64) -> Result<Response> {
    worker::Delay::from(std::time::Duration::from_millis(ms)).await;
    Response::from_json(&json!({ "waitedMs": ms }))
}
