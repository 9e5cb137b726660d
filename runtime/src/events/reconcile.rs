//! The reconcile context: logging a typed event writes its console line, then its data point.

use super::{emit_with, Details, Event, LineShape, NameForm};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;

/// One pass of work on a state (a Durable Object's alarm, start, destroy, ...): why it runs, and
/// the state whose fields fill every event's dimensions, read at the moment each event is logged.
pub struct Reconcile<'c, S> {
    reason: Cow<'c, str>,
    state: &'c RefCell<S>,
    shape: &'static LineShape,
}

impl<'c, S> Reconcile<'c, S> {
    /// A context for `reason`, reading dimensions from `state`, writing lines of the default
    /// shape.
    pub fn new(reason: impl Into<Cow<'c, str>>, state: &'c RefCell<S>) -> Self {
        Reconcile {
            reason: reason.into(),
            state,
            shape: &LineShape::DEFAULT,
        }
    }

    /// Writes lines of `shape` instead.
    #[must_use]
    pub fn shaped(mut self, shape: &'static LineShape) -> Self {
        self.shape = shape;
        self
    }

    /// The reason, as the console line says it.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Logs `event`: first its console line, then (unless it writes only its line) its data
    /// point with the state's dimensions.
    ///
    /// Never panics and never fails: a detail that cannot be serialized is written as
    /// `"[unserializable]"`, and a state that is mutably borrowed at this moment contributes no
    /// dimensions.
    pub fn log<E: Event<State = S>>(&self, event: &E)
    where
        S: super::Dimensions<E::Layout>,
    {
        crate::scope::write_line(&self.line(event));
        match self.state.try_borrow() {
            Ok(state) => emit_with(event, Some(&*state)),
            Err(_) => emit_with(event, None),
        }
    }

    /// The console line of `event` in this context.
    pub fn line<E: Event>(&self, event: &E) -> String {
        line(self.shape, &self.reason, event)
    }
}

/// The console line of an event: the shape's first keys, then the details in declared order. A
/// detail whose key is one of the first keys replaces that value in its position.
fn line<E: Event>(shape: &'static LineShape, reason: &str, event: &E) -> String {
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
        .chain([
            (shape.reason_key, Value::from(reason)),
            (shape.name_key, Value::from(name)),
        ])
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
    // Serializing JSON values into a string cannot fail.
    serde_json::to_string(&Ordered(&line)).unwrap_or_default()
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
