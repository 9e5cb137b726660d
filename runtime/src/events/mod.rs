//! Typed events: the opt-in layer (cargo feature `events`) for events declared once as types.
//!
//! * [`Event`] (derive it): an event, or a family of events as an enum, one per variant. Each
//!   has a name, detail keys in declared order, and fields it maps onto its layout.
//! * [`Dimensions`] (derive it): a state whose fields fill dimensions of every event of a layout
//!   (the object's user, region, status, ...), read when the event is emitted.
//! * [`emit`]: writes an event's data point.
//! * [`Reconcile`]: a context that writes an event's console line, then its point. Its
//!   [`LineShape`] says how the line looks.
//! * `#[reconcile_event]` and `#[lifecycle_event]`: wrap a step or a Durable Object method, time
//!   it, capture its error, and write it as one event.
//!
//! ```
//! use tallymark::events::{self, Event};
//!
//! #[tallymark::layout(dataset = "links", binding = "LINKS")]
//! pub struct LinkEvent {
//!     #[index] #[blob(1)] event: String,
//!     #[blob(2)] owner: String,
//!     #[blob(3)] reason: String,
//!     #[double(1)] value: f64,
//! }
//!
//! #[derive(tallymark::events::Dimensions)]
//! #[tallymark(layout = LinkEvent)]
//! pub struct Owner {
//!     #[tallymark(to = owner)] pub id: String,
//! }
//!
//! #[derive(tallymark::events::Event)]
//! #[tallymark(layout = LinkEvent, state = Owner, prefix = "abuse.", point_only)]
//! pub enum AbuseEvent {
//!     Blocked { #[tallymark(to = reason)] reason: String, #[tallymark(to = value)] hits: u32 },
//! }
//!
//! let sink = tallymark::sink::MemorySink::new();
//! tallymark::Scope::new(sink.clone()).run_sync(|| {
//!     events::emit(&AbuseEvent::Blocked { reason: "spam".into(), hits: 3 }, &Owner { id: "o1".into() });
//! });
//! assert_eq!(sink.last().unwrap().blob_texts(), ["abuse.blocked", "o1", "spam"]);
//! assert_eq!(sink.last().unwrap().doubles(), [3.0]);
//! ```

mod error_detail;
mod line;
mod reconcile;
pub(crate) mod step;

pub use error_detail::{
    ErrorDetail, ErrorMessage, Json, UNSERIALIZABLE_DETAIL, UNSERIALIZABLE_ERROR,
};
pub use line::{LineShape, NameForm};
pub use reconcile::Reconcile;
#[doc = include_str!("../../docs/event.md")]
pub use tallymark_macros::Event;

#[doc = include_str!("../../docs/dimensions.md")]
pub use tallymark_macros::Dimensions;

#[doc = include_str!("../../docs/steps.md")]
pub use tallymark_macros::reconcile_event;

#[doc = include_str!("../../docs/steps.md")]
pub use tallymark_macros::lifecycle_event;

use crate::layout::{Layout, PointBuilder};
use crate::value::Blob;
use serde_json::Value;
use std::borrow::Cow;
use tallymark_schema::names::Role;

/// A typed event of layout `Self::Layout`. Derive it with `#[derive(tallymark::events::Event)]`.
pub trait Event {
    /// The layout the event's point belongs to.
    type Layout: Layout;

    /// The state whose dimensions every event of this type carries (`()` for none): emitting
    /// takes one, and an event cannot set a field this state supplies (a compile error).
    type State: Dimensions<Self::Layout>;

    /// Every event name this type declares, in declaration order, with whether it writes a data
    /// point (`false` for events that write only their line).
    const ALL: &'static [(&'static str, bool)];

    /// The full event name, prefix included (`reconcile.sync_status`).
    fn name(&self) -> &'static str;

    /// The name without the type's prefix (`sync_status`).
    fn short_name(&self) -> &'static str;

    /// Whether the event writes a data point (`false`: only its line, when logged).
    fn writes_point(&self) -> bool;

    /// The detail keys and values, in declared order. A value of `None` is left out.
    fn details(&self, details: &mut Details);

    /// Writes the fields the event maps onto the layout (and the event type's constant fields).
    fn fill<'a>(&'a self, point: &mut <Self::Layout as Layout>::Point<'a>);
}

/// An event type without console lines, declared `#[tallymark(point_only)]`: each of its fields
/// is mapped onto the layout (or marked `skip`), so writing only its point loses nothing. Only
/// such events are written with [`emit`]; the others have details that only a line carries.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has details that only its console line carries, so `emit` would drop them",
    label = "an event of a type with console lines",
    note = "log it with `Reconcile::log`, or declare the type `#[tallymark(point_only)]` (every field then maps onto the layout) to write it with `emit`"
)]
pub trait PointEvent: Event {}

/// A state whose fields fill dimensions of every event of layout `L`, read when the event is
/// emitted. Derive it with `#[derive(tallymark::events::Dimensions)]`.
pub trait Dimensions<L: Layout> {
    /// Layout fields the state supplies and events cannot set (checked at compile time).
    const LOCKED: &'static [&'static str];

    /// Writes the state's dimensions: the `overridable` ones when `overridable` is true (before the
    /// event's fields, so the event's value wins), the locked ones otherwise (after, so they win).
    fn fill<'a>(&'a self, point: &mut L::Point<'a>, overridable: bool);
}

/// A state that supplies nothing, for events declared without one.
impl<L: Layout> Dimensions<L> for () {
    const LOCKED: &'static [&'static str] = &[];
    fn fill<'a>(&'a self, _: &mut L::Point<'a>, _: bool) {}
}

/// The detail entries of one event, and the shape of the line they go to.
#[derive(Debug)]
pub struct Details {
    shape: &'static LineShape,
    entries: Vec<(&'static str, Value)>,
}

impl Details {
    pub(crate) fn new(shape: &'static LineShape) -> Self {
        Details {
            shape,
            entries: Vec::new(),
        }
    }

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

    /// The shape of the line the details are written to.
    pub fn shape(&self) -> &'static LineShape {
        self.shape
    }
}

/// Builds the point of `event` with `state`'s dimensions, in this precedence: the state's
/// overridable fields, then the event's, then the state's locked fields.
fn event_point<'a, E: Event>(
    event: &'a E,
    state: Option<&'a E::State>,
) -> <E::Layout as Layout>::Point<'a> {
    let mut point = <E::Layout as Layout>::point();
    point.fill_text(Role::Event, Blob::Text(Cow::Borrowed(event.name())));
    if let Some(state) = state {
        state.fill(&mut point, true);
    }
    event.fill(&mut point);
    if let Some(state) = state {
        state.fill(&mut point, false);
    }
    point
}

/// Writes `event`'s data point (no line) with `state`'s dimensions, into the current scope.
pub fn emit<E: PointEvent>(event: &E, state: &E::State) {
    emit_with(event, Some(state));
}

pub(crate) fn emit_with<E: Event>(event: &E, state: Option<&E::State>) {
    // With `off` the point would be dropped at `emit`: it is not built.
    if cfg!(feature = "off") {
        return;
    }
    if event.writes_point() {
        event_point(event, state).emit_in(crate::Scope::current().as_ref());
    }
}

/// Writes `event`'s console line, of `shape` and without a reason (the shape's reason key is left
/// out), then its data point with `state`'s dimensions: for events that are logged outside a
/// reconcile pass, such as a Durable Object's lifecycle. The line's details are the event's
/// fields in declared order (a `point_only` type's too: they are its mapped fields).
///
/// ```
/// use tallymark::events::{self, LineShape, NameForm};
///
/// #[tallymark::layout(dataset = "links", binding = "LINKS")]
/// pub struct LinkEvent {
///     #[index] #[blob(1)] event: String,
///     #[blob(2)] label: String,
/// }
///
/// #[derive(tallymark::events::Event)]
/// #[tallymark(layout = LinkEvent, prefix = "link.")]
/// pub enum LinkLifecycle {
///     Expired { #[tallymark(to = label)] label: String },
/// }
///
/// const LINE: LineShape = LineShape::DEFAULT.tagged("tag", "links").name_key("message", NameForm::Full);
///
/// let (sink, lines) = (tallymark::sink::MemorySink::new(), tallymark::sink::MemoryLines::new());
/// tallymark::Scope::new(sink.clone()).with_lines(lines.clone()).run_sync(|| {
///     events::log(&LINE, &LinkLifecycle::Expired { label: "ttl".into() }, &());
/// });
/// assert_eq!(lines.lines(), [r#"{"tag":"links","message":"link.expired","label":"ttl"}"#]);
/// assert_eq!(sink.last().unwrap().blob_texts(), ["link.expired", "ttl"]);
/// ```
pub fn log<E: Event>(shape: &'static LineShape, event: &E, state: &E::State) {
    // With `off` the line and the point would be dropped: neither is made.
    if cfg!(feature = "off") {
        return;
    }
    crate::scope::write_line(&line::render(shape, None, event));
    emit_with(event, Some(state));
}

/// A detail that is always written: `null` when `None` (a plain `Option` detail is left out when
/// `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Nullable<T>(pub Option<T>);

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Nullable(value)
    }
}

/// A detail's JSON value (written into a line as JavaScript writes JSON, `crate::json`), or
/// `"[unserializable]"`.
pub(crate) fn detail_json<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|_| Value::String(UNSERIALIZABLE_DETAIL.to_owned()))
}
