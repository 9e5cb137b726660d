//! The shape of an event's console line: which keys come first, and what they are called.

/// Which form of the event's name a line carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// The full name, prefix included (`reconcile.sync_status`).
    Full,
    /// The name without its type's prefix (`sync_status`).
    Short,
}

/// How an event's console line is shaped: a JSON object whose first keys are an optional
/// constant tag, the reason of the pass and the event's name, followed by the event's details in
/// declared order. A detail whose key is one of the first keys replaces that value in place.
///
/// [`LineShape::DEFAULT`] writes `{"reason":"alarm","event":"reconcile.sync_status",…}`; a shape
/// of your own is a `const`:
///
/// ```
/// use tallymark::events::{LineShape, NameForm};
/// // {"tag":"reconcile","reason":"alarm","action":"sync_status",…}, steps with `durationMs`.
/// const LINE: LineShape = LineShape::DEFAULT
///     .tagged("tag", "reconcile")
///     .name_key("action", NameForm::Short)
///     .step_keys("durationMs", "error");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineShape {
    pub(crate) tag: Option<(&'static str, &'static str)>,
    pub(crate) reason_key: &'static str,
    pub(crate) name_key: &'static str,
    pub(crate) name_form: NameForm,
    pub(crate) duration_key: &'static str,
    pub(crate) error_key: &'static str,
}

impl LineShape {
    /// No tag, `reason`, then `event` with the full name; a step's details are `duration_ms` and
    /// `error`.
    pub const DEFAULT: LineShape = LineShape {
        tag: None,
        reason_key: "reason",
        name_key: "event",
        name_form: NameForm::Full,
        duration_key: "duration_ms",
        error_key: "error",
    };

    /// Starts every line with `"key": "value"`.
    #[must_use]
    pub const fn tagged(mut self, key: &'static str, value: &'static str) -> Self {
        self.tag = Some((key, value));
        self
    }

    /// Calls the reason's key `key`.
    #[must_use]
    pub const fn reason_key(mut self, key: &'static str) -> Self {
        self.reason_key = key;
        self
    }

    /// Writes the event's name under `key`, in `form`.
    #[must_use]
    pub const fn name_key(mut self, key: &'static str, form: NameForm) -> Self {
        self.name_key = key;
        self.name_form = form;
        self
    }

    /// The detail keys of a step's duration and error (`#[reconcile_event]`).
    #[must_use]
    pub const fn step_keys(mut self, duration: &'static str, error: &'static str) -> Self {
        self.duration_key = duration;
        self.error_key = error;
        self
    }
}

impl Default for LineShape {
    fn default() -> Self {
        LineShape::DEFAULT
    }
}
