//! The trait every `#[tallymark::layout]` struct implements, and the one its builder implements.

use crate::point::DataPoint;
use crate::schema::Schema;

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
pub trait PointBuilder<'a> {
    /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
    fn seal(&mut self) -> DataPoint<'_>;

    /// Writes the point to the current [`crate::Scope`] (see [`crate::emit`]).
    fn emit(self);
}
