//! The event a wrapped step writes (`#[reconcile_event]`, `#[lifecycle_event]`): its name, how
//! long it took, its error, and constant fields.

use crate::event::{Details, Event};
use crate::layout::{Layout, PointBuilder};
use crate::value::Blob;
use serde_json::Value;
use std::borrow::Cow;

/// Sets a step's constant fields (`delivery`, `status`, ...) on its point.
pub type Constants<L> = for<'p> fn(&mut <L as Layout>::Point<'p>);

/// One finished step. Its console details are `durationMs` and, on failure, `error`.
pub struct Step<L: Layout> {
    /// The full event name (`reconcile.repair_mount`).
    pub name: &'static str,
    /// The name without its prefix (`repair_mount`).
    pub action: &'static str,
    /// How long the step took.
    pub duration_ms: f64,
    /// The error text, when the step failed.
    pub error: Option<String>,
    /// Constant fields of the step's point.
    pub constants: Constants<L>,
}

impl<L: Layout> Event for Step<L> {
    type Layout = L;

    /// A step's name is chosen where it is declared, so the type lists none.
    const ALL: &'static [(&'static str, bool)] = &[];

    fn name(&self) -> &'static str {
        self.name
    }

    fn action(&self) -> &'static str {
        self.action
    }

    fn console_only(&self) -> bool {
        false
    }

    fn details(&self, details: &mut Details) {
        details.add("durationMs", Some(crate::detail_json(&self.duration_ms)));
        details.add("error", self.error.as_deref().map(Value::from));
    }

    fn fill<'a>(&'a self, point: &mut L::Point<'a>) {
        (self.constants)(point);
        point.fill_duration_ms(self.duration_ms);
        if let Some(error) = &self.error {
            point.fill_error(Blob::Text(Cow::Borrowed(error)));
        }
    }
}
