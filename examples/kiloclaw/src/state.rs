//! The Durable Object's state, and which of its fields fill every event's dimensions (§4):
//! read at the moment an event is emitted.

use serde::{Deserialize, Serialize};

/// An instance's status (blob9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, tallymark::FixedText)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Provisioned, never started.
    Provisioned,
    /// Starting a machine.
    Starting,
    /// Running.
    Running,
    /// Restarting the machine.
    Restarting,
    /// Stopped.
    Stopped,
    /// Being destroyed.
    Destroying,
    /// Restoring from a snapshot (added after the reference's first version).
    Restoring,
}

/// The persisted state of one `KiloClawInstance`.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, tallymark::events::Dimensions,
)]
#[tallymark(layout = crate::telemetry::KiloClawEvent)]
#[serde(rename_all = "camelCase")]
pub struct InstanceState {
    #[tallymark(to = user_id)]
    pub user_id: Option<String>,
    #[tallymark(to = sandbox_id)]
    pub sandbox_id: Option<String>,
    #[tallymark(to = fly_app_name)]
    pub fly_app_name: Option<String>,
    #[tallymark(to = fly_machine_id)]
    pub fly_machine_id: Option<String>,
    /// The caller's status wins over this one (`data.status ?? s.status`).
    #[tallymark(to = status, overridable)]
    pub status: Option<InstanceStatus>,
    #[tallymark(to = openclaw_version)]
    pub openclaw_version: Option<String>,
    #[tallymark(to = image_tag)]
    pub tracked_image_tag: Option<String>,
    #[tallymark(to = fly_region)]
    pub fly_region: Option<String>,
    #[tallymark(to = org_id)]
    pub org_id: Option<String>,
    /// Derived from an instance-keyed sandbox id at provision.
    #[tallymark(to = instance_id)]
    pub instance_id: Option<String>,
    // Not dimensions:
    pub fly_volume_id: Option<String>,
    pub provisioned_at: Option<f64>,
    pub starting_at: Option<f64>,
    pub last_started_at: Option<f64>,
    pub restarting_at: Option<f64>,
    pub last_start_error: Option<String>,
    pub last_restart_error: Option<String>,
    pub restart_update_sent: bool,
    pub health_check_fail_count: u32,
    pub api_key_expires_at: Option<f64>,
    /// When metadata recovery last ran (it waits 30 minutes between attempts).
    pub last_metadata_recovery_at: Option<f64>,
    /// When a destroy last found its volume bound to no machine (it waits 5 minutes to retry).
    pub last_bound_machine_recovery_at: Option<f64>,
    pub pending_destroy_machine_id: Option<String>,
    pub pending_destroy_volume_id: Option<String>,
    /// When the destroy began (a destroy still pending long after is stuck).
    pub destroying_at: Option<f64>,
    /// When the restore began, as an ISO 8601 string (as the reference stores it).
    pub restore_started_at: Option<String>,
    /// Restore attempts since the restore was queued (workers-rs gives a queue consumer no
    /// message's `attempts`, so the instance counts them).
    pub restore_attempts: u32,
}
