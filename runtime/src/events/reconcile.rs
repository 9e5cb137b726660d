//! The reconcile context: logging a typed event writes its console line and its data point
//! together, as the reference's `rctx.log(action, details)` does (`kiloclaw-telemetry.md`, §5).

use crate::event::{emit_event, Dimensions, Event};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;

/// One reconcile pass: why it runs (`alarm`, `start`, `destroy`, ...) and the state whose fields
/// fill every event's dimensions, read at the moment each event is logged.
pub struct Reconcile<'c, S> {
    reason: Cow<'c, str>,
    state: &'c RefCell<S>,
}

impl<'c, S> Reconcile<'c, S> {
    /// A context for `reason`, reading dimensions from `state`.
    pub fn new(reason: impl Into<Cow<'c, str>>, state: &'c RefCell<S>) -> Self {
        Reconcile {
            reason: reason.into(),
            state,
        }
    }

    /// The reason, as the console line says it.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Logs `event`: first the console line `{"tag":"reconcile","reason":…,"action":…,…details}`,
    /// then (unless the event is console-only) its data point with the state's dimensions.
    ///
    /// Never panics and never fails: a detail that cannot be serialized is written as
    /// `"[unserializable]"` (the reference would throw here, before its data point), and a state
    /// that is mutably borrowed at this moment contributes no dimensions.
    pub fn log<E>(&self, event: &E)
    where
        E: Event,
        S: Dimensions<E::Layout>,
    {
        crate::scope::write_line(&reconcile_line(&self.reason, event));
        match self.state.try_borrow() {
            Ok(state) => emit_event(event, &*state),
            Err(_) => emit_event(event, &()),
        }
    }
}

/// The console line of a reconcile event: `tag`, `reason`, `action`, then the details in declared
/// order. A detail named `tag`, `reason` or `action` replaces that value in its original position.
pub fn reconcile_line<E: Event>(reason: &str, event: &E) -> String {
    let mut details = crate::event::Details::default();
    event.details(&mut details);
    let entries = details.entries();
    let fixed = [
        ("tag", Value::from("reconcile")),
        ("reason", Value::from(reason)),
        ("action", Value::from(event.action())),
    ];
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
