//! Integration and UI tests of tallymark live in `tests/` and `ui/`; this library holds the small
//! layouts, enums and states several of them share, each chosen to expose the rules they test.
//! None of them is an example's: a change to an example touches no test here.

use tallymark::Layout;

/// The blobs a point of layout `L` writes when these 1-based slots are set: every other slot up
/// to the layout's highest is `''`.
pub fn blobs<L: Layout>(set: &[(usize, &str)]) -> Vec<String> {
    let mut blobs = vec![String::new(); L::SCHEMA.blob_count()];
    for (slot, value) in set {
        blobs[slot - 1] = (*value).to_owned();
    }
    blobs
}

/// A small layout of the library's own, for tests whose rule is not about the layout itself.
#[tallymark::layout(dataset = "sample", binding = "SAMPLE")]
pub struct Sample {
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Who made the call.
    #[blob(2)]
    pub user: String,
}

/// How a call arrived: a fixed text per variant, in snake_case unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, tallymark::FixedText)]
pub enum Channel {
    /// `web`.
    Web,
    /// `queue`.
    Queue,
    /// `cron_job`: a name of several words.
    CronJob,
    /// `ws`: a text of its own.
    #[tallymark(text = "ws")]
    WebSocket,
}

/// The layout of instrumented calls: a field for each role instrumentation fills but `outcome`
/// (`event`, `route`, `error`, `duration_ms`), so a cancelled or panicked call says so in `error`;
/// HTTP events named by `api_crud`, not the default rule; error texts cut to 32 characters, not
/// the default 200, so a test sees the layout's own limit.
#[tallymark::layout(
    dataset = "api_events",
    binding = "API_EVENTS",
    naming = "api_crud",
    error_text = chars(32)
)]
pub struct ApiEvent {
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Who called: `<tenant>:<name>`.
    #[blob(2)]
    pub user: String,
    /// The route pattern.
    #[blob(3)]
    pub route: String,
    /// `HTTP <status>`, the error's message, `cancelled` or `panicked`.
    #[blob(4)]
    pub error: String,
    /// How the call arrived.
    #[blob(5)]
    pub channel: Channel,
    /// The tenant part of the user, when an enricher derives it.
    #[blob(6)]
    pub tenant: String,
    /// A free label.
    #[blob(7)]
    pub label: String,
    /// How long the call took.
    #[double(1)]
    pub duration_ms: f64,
    /// A free number.
    #[double(2)]
    pub value: f64,
}

/// A layout declared out of slot order, with a gap (no `blob3`): what follows the slots (the
/// arrays a point becomes) and what follows the declaration (its fields by name, in lines and
/// `tracing` events) differ visibly.
#[tallymark::layout(dataset = "orders", binding = "ORDERS")]
pub struct OutOfOrder {
    /// Milliseconds the order took.
    #[double(2)]
    pub duration_ms: f64,
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// The customer.
    #[blob(4)]
    pub customer: String,
    /// How the order came.
    #[blob(2)]
    pub channel: Channel,
    /// The order's total.
    #[double(1)]
    pub total: f64,
}

/// The phase of a job: a fixed text in points, and its serde form in console lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, tallymark::FixedText)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting to run.
    Queued,
    /// Running.
    Running,
    /// Finished.
    Done,
}

/// The layout of typed job events: two dimensions a [`Worker`] locks (`owner`, `region`), one it
/// supplies but an event may override (`phase`), one an event type sets for all its events
/// (`channel`), and error texts cut to 25 bytes: an odd number, so a text of two-byte characters
/// is cut before a character it would split.
#[tallymark::layout(dataset = "jobs", binding = "JOBS", error_text = bytes(25))]
pub struct JobEvent {
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Who owns the worker.
    #[blob(2)]
    pub owner: String,
    /// Where the worker runs.
    #[blob(3)]
    pub region: String,
    /// The job's phase.
    #[blob(4)]
    pub phase: Phase,
    /// How the job arrived.
    #[blob(5)]
    pub channel: Channel,
    /// The error text.
    #[blob(6)]
    pub error: String,
    /// A free label.
    #[blob(7)]
    pub label: String,
    /// How long a step took.
    #[double(1)]
    pub duration_ms: f64,
    /// A free number.
    #[double(2)]
    pub value: f64,
}

/// A worker's state: its fields fill dimensions of every [`JobEvent`], read when the event is
/// emitted.
#[derive(Debug, Clone, Default, PartialEq, tallymark::events::Dimensions)]
#[tallymark(layout = JobEvent)]
pub struct Worker {
    /// Locked: no event can set `owner`.
    #[tallymark(to = owner)]
    pub owner: Option<String>,
    /// Locked: no event can set `region`.
    #[tallymark(to = region)]
    pub region: Option<String>,
    /// Overridable: an event's own phase wins over this one.
    #[tallymark(to = phase, overridable)]
    pub phase: Option<Phase>,
    /// Not a dimension.
    pub attempts: u32,
}

/// A future that is pending once (waking itself, so any executor polls it again), then ready: an
/// `.await` at which the future around it is suspended and other futures may run.
#[derive(Debug, Default)]
pub struct WaitOnce(bool);

impl std::future::Future for WaitOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            std::task::Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

/// A writer whose bytes a test reads back (for `ConsoleSink::to_writer`).
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
