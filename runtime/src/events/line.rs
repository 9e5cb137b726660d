//! The shape of an event's console line (which keys come first, and what they are called), and
//! the line of an event in a shape.

use super::{Details, Event};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Which form of the event's name a line carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// The full name, prefix included (`reconcile.sync_status`).
    Full,
    /// The name without its type's prefix (`sync_status`).
    Short,
}

/// How an event's console line is shaped: a JSON object whose first keys are an optional
/// constant tag, the reason of the pass (when the line has one: [`Reconcile::log`]'s lines do,
/// [`log`]'s do not) and the event's name, followed by the event's details in declared order. A
/// detail whose key is one of the first keys replaces that value in place.
///
/// [`Reconcile::log`]: super::Reconcile::log
/// [`log`]: super::log
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

/// The console line of an event: the shape's first keys (the reason's only when there is one),
/// then the details in declared order. A detail whose key is one of the first keys replaces that
/// value in its position.
pub(crate) fn render<E: Event>(
    shape: &'static LineShape,
    reason: Option<&str>,
    event: &E,
) -> String {
    let mut details = Details::new(shape);
    event.details(&mut details);
    let entries = details.entries();
    let name = match shape.name_form {
        NameForm::Full => event.name(),
        NameForm::Short => event.short_name(),
    };
    let fixed: Vec<(&str, Value)> = shape
        .tag
        .map(|(key, value)| (key, Value::from(value)))
        .into_iter()
        .chain(reason.map(|reason| (shape.reason_key, Value::from(reason))))
        .chain([(shape.name_key, Value::from(name))])
        .collect();
    let mut line: Vec<(&str, &Value)> = fixed
        .iter()
        .map(|(key, value)| {
            let replaced = entries.iter().rev().find(|(k, _)| k == key);
            (*key, replaced.map_or(value, |(_, v)| v))
        })
        .collect();
    line.extend(
        entries
            .iter()
            .filter(|(key, _)| !fixed.iter().any(|(k, _)| k == key))
            .map(|(key, value)| (*key, value)),
    );
    crate::json::to_js_json(&Ordered(&line))
}

/// A JSON object whose keys keep the given order.
struct Ordered<'a>(&'a [(&'a str, &'a Value)]);

impl Serialize for Ordered<'_> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
