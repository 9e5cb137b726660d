//! The layout of the `kiloclaw_events` dataset (reference, section 1), and the helpers every
//! KiloClaw event shares.

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

/// The reference layout: 15 blobs, 2 doubles, 1 index. Blobs 14 and 15 were appended after the
/// first version (rows written before read `''` there); `tallymark.lock` keeps every slot where
/// it is. HTTP events are named by the reference's
/// rule (`/api/` stripped, `POST` → `create`, ...). Error texts are cut to 200 UTF-16 code units,
/// the unit of the reference's `.slice(0, 200)` (an emoji counts two), but never inside a
/// surrogate pair: where JavaScript would keep half an emoji, the text ends before it.
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

/// The sandbox id of a user: base64url of the UTF-8 bytes, unpadded. `None` when the id would be
/// longer than 63 characters (a user id over 47 bytes), where the reference throws
/// `userId too long`; callers record `''` then, as the reference swallows that throw.
pub fn sandbox_id_from_user_id(user_id: &str) -> Option<String> {
    use base64::Engine;
    let sandbox = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user_id);
    (sandbox.len() <= 63).then_some(sandbox)
}

/// The instance id of an instance-keyed sandbox id (`ki_` and the id's 32 hex digits): the id in
/// its UUID form. `None` for any other sandbox id, which callers record as `''`.
pub fn instance_id_from_sandbox_id(sandbox_id: &str) -> Option<String> {
    let hex = sandbox_id.strip_prefix(INSTANCE_SANDBOX_PREFIX)?;
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// The sandbox id of an instance keyed by its own id rather than its user's: `ki_` and the id's
/// hex digits. `None` when the id is not a UUID.
pub fn sandbox_id_from_instance_id(instance_id: &str) -> Option<String> {
    let hex: String = instance_id.chars().filter(|c| *c != '-').collect();
    let sandbox = format!("{INSTANCE_SANDBOX_PREFIX}{}", hex.to_ascii_lowercase());
    instance_id_from_sandbox_id(&sandbox).map(|_| sandbox)
}

const INSTANCE_SANDBOX_PREFIX: &str = "ki_";

/// What every HTTP event adds (reference 3.2 and 3.3): delivery `http`, and the sandbox id derived
/// from the user id (a derivation failure leaves it `''`).
pub fn http_fields(point: &mut KiloClawEventPoint<'_>) {
    let sandbox = sandbox_id_from_user_id(point.get_user_id());
    point.delivery(Delivery::Http).sandbox_id(sandbox);
}

/// The Durable Object's console line before each lifecycle point:
/// `{"tag":"kiloclaw_do","message":"instance.started","status":"running",…}`. The events' details
/// are `status`, `label`, `error` (each when non-empty), `durationMs` and `value` (when defined).
pub const DO_LINE: tallymark::events::LineShape = tallymark::events::LineShape::DEFAULT
    .tagged("tag", "kiloclaw_do")
    .name_key("message", tallymark::events::NameForm::Full);

/// The platform middleware's rule (reference 3.3): write only when there is a user or an error.
pub fn platform_rule(point: &KiloClawEventPoint<'_>) -> bool {
    !point.get_user_id().is_empty() || !point.get_error().is_empty()
}

/// The reference's reconcile console line: `{"tag":"reconcile","reason":…,"action":…,…}`, with a
/// step's duration under `durationMs`.
pub const RECONCILE_LINE: tallymark::events::LineShape = tallymark::events::LineShape::DEFAULT
    .tagged("tag", "reconcile")
    .name_key("action", tallymark::events::NameForm::Short)
    .step_keys("durationMs", "error");
