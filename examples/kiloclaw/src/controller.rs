//! The second dataset, added after the reference's first version: check-ins from the controller
//! that runs on each instance's machine, a different event family with its own layout. One worker
//! writes both datasets.

use serde::Deserialize;
use tallymark::record;
use worker::{Request, Response, Result};

/// The layout of the `kiloclaw_controller_telemetry` dataset: one point per check-in, indexed by
/// the sandbox that checked in.
#[tallymark::layout(
    dataset = "kiloclaw_controller_telemetry",
    binding = "KILOCLAW_CONTROLLER_AE"
)]
pub struct ControllerEvent {
    /// The sandbox that checked in.
    #[index]
    #[blob(2)]
    pub sandbox_id: String,
    /// Event name (`controller.checkin`).
    #[blob(1)]
    pub event: String,
    /// The Fly machine the controller runs on.
    #[blob(3)]
    pub machine_id: String,
    /// The controller's version.
    #[blob(4)]
    pub controller_version: String,
    /// The OpenClaw version it runs.
    #[blob(5)]
    pub openclaw_version: String,
    /// Error message, or `HTTP <status>` for a rejected check-in.
    #[blob(6)]
    pub error: String,
    /// How long the check-in took to handle, in ms.
    #[double(1)]
    pub duration_ms: f64,
    /// The machine's uptime, in seconds.
    #[double(2)]
    pub uptime_seconds: f64,
    /// How many times the controller restarted OpenClaw since it started.
    #[double(3)]
    pub gateway_restarts: f64,
}

/// A check-in's body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckIn {
    sandbox_id: String,
    machine_id: String,
    controller_version: String,
    #[serde(default)]
    openclaw_version: String,
    #[serde(default)]
    uptime_seconds: f64,
    #[serde(default)]
    gateway_restarts: u32,
}

/// `POST /api/controller/checkin`: a controller reports in. A body that does not parse is a 400,
/// recorded with the sandbox unknown.
#[tallymark::instrumented(ControllerEvent, event = "controller.checkin")]
pub async fn check_in(mut req: Request) -> Result<Response> {
    let Ok(check_in) = req.json::<CheckIn>().await else {
        return Response::error("Malformed check-in", 400);
    };
    if check_in.sandbox_id.is_empty() {
        return Response::error("sandboxId is required", 400);
    }
    record!(
        sandbox_id = check_in.sandbox_id,
        machine_id = check_in.machine_id,
        controller_version = check_in.controller_version,
        openclaw_version = check_in.openclaw_version,
        uptime_seconds = check_in.uptime_seconds,
        gateway_restarts = check_in.gateway_restarts,
    );
    Response::from_json(&serde_json::json!({ "ok": true }))
}
