//! Typed events: declared once as a type (`#[derive(tallymark::Event)]`), with their name, console
//! detail keys in order, and the layout fields they fill; and the state whose fields fill
//! dimensions of every event (`#[derive(tallymark::Dimensions)]`).

use crate::layout::{Layout, PointBuilder};
use crate::value::Blob;
use serde_json::Value;
use std::borrow::Cow;

/// A typed event of layout `Self::Layout`. Derive it; see the crate documentation.
pub trait Event {
    /// The layout the event's point belongs to.
    type Layout: Layout;

    /// Every event name this type declares, in declaration order, with whether it writes a data
    /// point (`false` for console-only events).
    const ALL: &'static [(&'static str, bool)];

    /// The full event name, prefix included (`reconcile.sync_status`).
    fn name(&self) -> &'static str;

    /// The name without the prefix (the reconcile `action`).
    fn action(&self) -> &'static str;

    /// Whether the event writes only its console line, no data point.
    fn console_only(&self) -> bool;

    /// The console detail keys and values, in declared order. A value of `None` is left out (as
    /// JavaScript's `JSON.stringify` leaves out `undefined`).
    fn details(&self, details: &mut Details);

    /// Writes the fields the event maps onto the layout (and the event type's constant fields).
    fn fill<'a>(&'a self, point: &mut <Self::Layout as Layout>::Point<'a>);
}

/// A state whose fields fill dimensions of every event of layout `L`, read when the event is
/// emitted. Derive it with `#[derive(tallymark::Dimensions)]`.
pub trait Dimensions<L: Layout> {
    /// Layout fields the state supplies and events cannot set (checked at compile time).
    const LOCKED: &'static [&'static str];

    /// Writes the state's dimensions: the `overridable` ones when `overridable` is true (before the
    /// event's fields, so the event's value wins), the locked ones otherwise (after, so they win).
    fn fill<'a>(&'a self, point: &mut L::Point<'a>, overridable: bool);
}

/// A state that supplies nothing, for events emitted without one.
impl<L: Layout> Dimensions<L> for () {
    const LOCKED: &'static [&'static str] = &[];
    fn fill<'a>(&'a self, _: &mut L::Point<'a>, _: bool) {}
}

/// The console detail entries of one event.
#[derive(Debug, Default)]
pub struct Details {
    entries: Vec<(&'static str, Value)>,
}

impl Details {
    /// Adds `key` unless `value` is `None`.
    pub fn add(&mut self, key: &'static str, value: Option<Value>) {
        if let Some(value) = value {
            self.entries.push((key, value));
        }
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[(&'static str, Value)] {
        &self.entries
    }
}

/// Builds the point of `event` with `state`'s dimensions, in the reference's precedence: the
/// state's overridable fields, then the event's, then the state's locked fields.
pub fn event_point<'a, E, S>(event: &'a E, state: &'a S) -> <E::Layout as Layout>::Point<'a>
where
    E: Event,
    S: Dimensions<E::Layout>,
{
    let mut point = <E::Layout as Layout>::point();
    point.fill_event(Blob::Text(Cow::Borrowed(event.name())));
    state.fill(&mut point, true);
    event.fill(&mut point);
    state.fill(&mut point, false);
    point
}

/// Writes `event`'s data point (no console line) with `state`'s dimensions, into the current
/// scope; a console-only event writes nothing. This is how Durable Object lifecycle events are
/// emitted.
pub fn emit_event<E, S>(event: &E, state: &S)
where
    E: Event,
    S: Dimensions<E::Layout>,
{
    if event.console_only() {
        return;
    }
    event_point(event, state).emit_in(crate::Scope::current().as_ref());
}

/// A detail that is always written: `null` when `None` (a plain `Option` detail is left out when
/// `None`, as JavaScript's `undefined` is; this is its `null`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Nullable<T>(pub Option<T>);

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Nullable(value)
    }
}
