//! The trait every `#[tallymark::layout]` struct implements, and the one its builder implements.

use crate::point::{DataPoint, Slots};
use crate::schema::Schema;
use crate::scope::Scope;
use crate::value::Blob;
use tallymark_schema::names::Role;

/// A dataset layout, declared with `#[tallymark::layout]`.
pub trait Layout: 'static {
    /// The typed builder for this layout's points.
    type Point<'a>: PointBuilder<'a>;

    /// The layout's const description.
    const SCHEMA: &'static Schema;

    /// An empty point of this layout (every blob `''`, every double `0`).
    fn point<'a>() -> Self::Point<'a>;

    /// Takes every slot `recorded` has set over `point`'s values (fields recorded by the
    /// functions an instrumented call runs).
    #[doc(hidden)]
    fn absorb<'a>(point: &mut Self::Point<'a>, mut recorded: Self::Point<'static>) {
        point.slots().absorb(recorded.slots());
    }
}

/// What every generated builder offers besides its typed setters: how instrumentation fills a
/// layout it does not know.
///
/// Each role ([`Role`]) is written into the layout's field of the role's name, when the layout
/// declares that field in a slot of the role's kind, and nowhere otherwise:
///
/// | role | field | slot |
/// |---|---|---|
/// | event name | `event`, else the index (unless the index is `route`, `error` or `outcome`) | blob or index |
/// | HTTP route | `route` | blob or index |
/// | error text | `error` | blob or index |
/// | outcome (`ok`, `error`, `cancelled`, `panicked`) | `outcome` | blob or index |
/// | duration in milliseconds | `duration_ms` | double |
pub trait PointBuilder<'a> {
    /// The point's slots, which the other methods write and read: their work is type-checked
    /// and compiled once, in tallymark, and only these one-line forwards are instantiated per
    /// layout in the crate that declares it.
    #[doc(hidden)]
    fn slots(&mut self) -> Slots<'_, 'a>;

    /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
    fn seal<'p>(&'p mut self) -> DataPoint<'p>
    where
        'a: 'p,
    {
        self.slots().seal()
    }

    /// Writes the point to `scope`, or outside any scope when `None`.
    fn emit_in(&mut self, scope: Option<&Scope>) {
        crate::scope::emit_in(scope, self.slots());
    }

    /// Writes a text role.
    fn fill_text(&mut self, role: Role, value: Blob<'a>) {
        self.slots().fill_text(role, value);
    }

    /// Writes a number role.
    fn fill_number(&mut self, role: Role, value: f64) {
        self.slots().fill_number(role, value);
    }
}
