//! The reconcile context: logging a typed event writes its console line, then its data point.

use super::{emit_with, line, Event, LineShape};
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
        // With `off` the line and the point would be dropped: neither is made.
        if cfg!(feature = "off") {
            return;
        }
        crate::scope::write_line(&self.line(event));
        match self.state.try_borrow() {
            Ok(state) => emit_with(event, Some(&*state)),
            Err(_) => emit_with(event, None),
        }
    }

    /// The console line of `event` in this context.
    pub fn line<E: Event>(&self, event: &E) -> String {
        line::render(self.shape, Some(&self.reason), event)
    }
}
