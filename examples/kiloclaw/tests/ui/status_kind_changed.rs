// `status` was text in blob9; typed as the instance's status enum, blob9 changes kind.
use kiloclaw::telemetry::Delivery;
use kiloclaw::state::InstanceStatus;

#[tallymark::layout(
    dataset = "kiloclaw_events",
    binding = "KILOCLAW_AE",
    naming = "api_crud",
    error_text = utf16_units(200)
)]
pub struct KiloClawEvent {
    /// Event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Kilo user id.
    #[blob(2)]
    pub user_id: String,
    /// `http`, `do`, `reconcile` or `queue`.
    #[blob(3)]
    pub delivery: Delivery,
    /// HTTP route string, e.g. `GET /api/kiloclaw/status`.
    #[blob(4)]
    pub route: String,
    /// Error message, or `HTTP <status>`.
    #[blob(5)]
    pub error: String,
    /// Fly app name.
    #[blob(6)]
    pub fly_app_name: String,
    /// Fly machine id.
    #[blob(7)]
    pub fly_machine_id: String,
    /// base64url(userId) sandbox id.
    #[blob(8)]
    pub sandbox_id: String,
    /// Instance status at the time of the event.
    #[blob(9)]
    pub status: InstanceStatus,
    /// OpenClaw version.
    #[blob(10)]
    pub openclaw_version: String,
    /// Image tag (from DO state `trackedImageTag`).
    #[blob(11)]
    pub image_tag: String,
    /// Fly region.
    #[blob(12)]
    pub fly_region: String,
    /// Free-form sub-label.
    #[blob(13)]
    pub label: String,
    /// Kilo organization id (appended).
    #[blob(14)]
    pub org_id: String,
    /// Instance id, from an instance-keyed sandbox id (appended).
    #[blob(15)]
    pub instance_id: String,
    /// Operation wall-clock time in ms.
    #[double(1)]
    pub duration_ms: f64,
    /// Generic number: uptime, stale age, threshold.
    #[double(2)]
    pub value: f64,
}

fn main() {}
