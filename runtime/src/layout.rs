//! The trait every `#[tallymark::layout]` struct implements, and the one its builder implements.

use crate::point::DataPoint;
use crate::schema::Schema;
use crate::scope::Scope;
use crate::value::Blob;

/// A dataset layout, declared with `#[tallymark::layout]`.
pub trait Layout {
    /// The typed builder for this layout's points.
    type Point<'a>: PointBuilder<'a>;

    /// The layout's const description.
    const SCHEMA: &'static Schema;

    /// An empty point of this layout (every blob `''`, every double `0`).
    fn point<'a>() -> Self::Point<'a>;
}

/// What every generated builder offers besides its typed setters.
///
/// The `fill_*` methods are how instrumentation (`#[instrumented]`, reconcile events) writes the
/// facts of a call without knowing the layout: each writes the layout's field of that conventional
/// name when the layout declares it in a slot of the right kind, and does nothing otherwise:
///
/// | method | field | slot |
/// |---|---|---|
/// | `fill_event` | `event`, else the index | blob or index |
/// | `fill_route` | `route` | blob |
/// | `fill_error` | `error` | blob |
/// | `fill_outcome` | `outcome` | blob |
/// | `fill_duration_ms` | `duration_ms` | double |
pub trait PointBuilder<'a> {
    /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
    fn seal(&mut self) -> DataPoint<'_>;

    /// Writes the point to `scope`, or outside any scope when `None` (see [`crate::emit_in`]).
    fn emit_in(&mut self, scope: Option<&Scope>);

    /// Writes the event name.
    fn fill_event(&mut self, name: Blob<'a>);
    /// Writes the HTTP route.
    fn fill_route(&mut self, route: Blob<'a>);
    /// Writes the error text.
    fn fill_error(&mut self, text: Blob<'a>);
    /// Writes the outcome (`ok`, `error`, `cancelled`, `panicked`).
    fn fill_outcome(&mut self, outcome: &'static str);
    /// Writes the duration in milliseconds.
    fn fill_duration_ms(&mut self, ms: f64);
}
