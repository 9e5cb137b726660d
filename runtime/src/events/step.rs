//! The event a wrapped step writes (`#[reconcile_event]`, `#[lifecycle_event]`): its name, how
//! long it took, its error, and its `fields(..)`.

use super::{Details, Dimensions, Event, PointEvent};
use crate::layout::{Layout, PointBuilder};
use crate::value::Blob;
use serde_json::Value;
use std::borrow::Cow;
use std::marker::PhantomData;
use tallymark_schema::names::Role;

/// Sets a step's `fields(..)` on its point: values the step computed when it began, set on each
/// point written of it. The first argument is only there for its type: `&'p &'f ()` holds only
/// where `'f` outlives `'p`, so the setter may put values borrowed for `'f` into a point of any
/// shorter `'p` (a value borrowed from the step's arguments, as `#[instrumented]` allows).
pub type StepFields<'f, L> = &'f dyn for<'p> Fn(&'p &'f (), &mut <L as Layout>::Point<'p>);

/// One finished step, of layout `L`, whose dimensions come from a state `S`. Its details are
/// its duration and, on failure, its error, under the keys of the line's shape.
pub struct Step<'f, L: Layout, S> {
    /// The full event name.
    pub name: &'static str,
    /// The name without its prefix.
    pub short_name: &'static str,
    /// How long the step took.
    pub duration_ms: f64,
    /// The error text, when the step failed.
    pub error: Option<String>,
    /// The step's `fields(..)`.
    pub fields: StepFields<'f, L>,
    /// The state type.
    pub state: PhantomData<fn(&S)>,
}

impl<L: Layout, S: Dimensions<L>> Event for Step<'_, L, S> {
    type Layout = L;
    type State = S;

    /// A step's name is chosen where it is declared, so the type lists none.
    const ALL: &'static [(&'static str, bool)] = &[];

    fn name(&self) -> &'static str {
        self.name
    }

    fn short_name(&self) -> &'static str {
        self.short_name
    }

    fn writes_point(&self) -> bool {
        true
    }

    fn details(&self, details: &mut Details) {
        let shape = details.shape();
        details.add(
            shape.duration_key,
            Some(super::detail_json(&self.duration_ms)),
        );
        // The error goes to the layout's error field: a line shows it as that field's privacy
        // allows.
        let error = self.error.as_deref().and_then(|error| {
            crate::__private::private_detail::<L>(Role::Error.field(), Some(Value::from(error)))
        });
        details.add(shape.error_key, error);
    }

    fn fill<'a>(&'a self, point: &mut L::Point<'a>) {
        (self.fields)(&&(), point);
        point.fill_number(Role::DurationMs, self.duration_ms);
        if let Some(error) = &self.error {
            point.fill_text(Role::Error, Blob::Text(Cow::Borrowed(error)));
        }
    }
}

/// A lifecycle step is written as a point only (`#[lifecycle_event]`): its duration and error go
/// to the layout's `duration_ms` and `error` fields, the roles every step fills.
impl<L: Layout, S: Dimensions<L>> PointEvent for Step<'_, L, S> {}
