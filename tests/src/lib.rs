//! Shared fixtures of tallymark's integration tests: the reference system's layout
//! (`kiloclaw-telemetry.md`, section 1), declared once.

/// How an event was delivered (`blob3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, tallymark::FixedText)]
pub enum Delivery {
    /// An HTTP route.
    Http,
    /// A Durable Object lifecycle step.
    Do,
    /// A reconcile action.
    Reconcile,
    /// A queue consumer (added after the reference's first version).
    Queue,
}

/// The reference layout: 13 blobs, 2 doubles, 1 index.
#[tallymark::layout(dataset = "kiloclaw_events", binding = "KILOCLAW_AE")]
pub struct KiloClawEvent {
    /// Event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Kilo user id.
    #[blob(2)]
    pub user_id: String,
    /// `http`, `do` or `reconcile`.
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
    pub status: String,
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
    /// Operation wall-clock time in ms.
    #[double(1)]
    pub duration_ms: f64,
    /// Generic number: uptime, stale age, threshold.
    #[double(2)]
    pub value: f64,
}
