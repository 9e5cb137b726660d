//! What the macros expand to. Not public API: it may change in any release.

pub mod classify;
mod layout_items;

pub use crate::__layout_items as layout_items;
pub use layout_items::slot;

pub use crate::call::{always, unchanged, Deferred, EmitRule, Enrich, PointSource, Recording};
pub use crate::callsite::{Callsite, CallsiteEvent};
pub use crate::layout::PointBuilder;
pub use crate::point::{PointBuf, Slots};
pub use crate::scope::emit;
pub use tallymark_schema::names::Role;

#[cfg(feature = "events")]
pub use events::*;

use crate::naming::EventNaming;
use crate::schema::{str_eq, FieldSchema, Privacy, Schema, Slot};
use crate::text::TextLimit;

/// A value of any type, for code that never runs: the macros give an `async fn`'s body block the
/// function's return type with `if false { return unreachable_value::<R>(); }`. Panics if
/// called.
#[must_use]
pub fn unreachable_value<T>() -> T {
    unreachable!("`unreachable_value` is for code that never runs")
}

/// Calls `body` once: the macros run a body that cannot suspend through it, as a closure the
/// compiler then checks as `FnOnce`, so the body may return what it borrowed through a `&mut`
/// capture (a closure called in place is checked as `FnMut`, which may not).
#[inline(always)]
pub fn call_once<T>(body: impl FnOnce() -> T) -> T {
    body()
}

/// Whether `rule` (an `ok_if` or `error_if`) holds for a call's `result`. Called through this
/// function, a closure's parameter gets its type from the bound: `ok_if = |r| r.is_ok()` needs
/// no annotation. The rule is borrowed, as under `off` (`&dyn Fn(&R) -> bool`), so a rule held
/// in a field (`ok_if = self.rule`) is not moved.
#[inline]
pub fn holds<R, F: Fn(&R) -> bool + ?Sized>(result: &R, rule: &F) -> bool {
    rule(result)
}

/// A layout's schema, as `#[tallymark::layout]` declares it.
#[allow(clippy::too_many_arguments)]
pub const fn schema(
    layout: &'static str,
    dataset: &'static str,
    binding: &'static str,
    fields: &'static [FieldSchema],
    blob_count: usize,
    double_count: usize,
    naming: EventNaming,
    error_text: TextLimit,
    hash_key: Option<&'static str>,
) -> Schema {
    let (hashed, redacted) = hashed_and_redacted(fields);
    // The layout macro refuses `#[hashed]` without the feature; this catches a schema that
    // reaches here anyway (the macros' feature unified apart from the runtime's). Evaluated in
    // the layout's `const SCHEMA`, so it fails the build, never a running Worker.
    assert!(
        hashed == 0 || crate::privacy::HASHER.is_some(),
        "`#[hashed]` fields need tallymark's `hashed` feature"
    );
    Schema {
        hash_key,
        roles: crate::schema::role_targets(fields),
        index_blob: crate::schema::index_blob(fields),
        private_fields: hashed + redacted > 0,
        hasher: if hashed > 0 {
            crate::privacy::HASHER
        } else {
            None
        },
        layout,
        dataset,
        binding,
        fields,
        blob_count,
        double_count,
        naming,
        error_text,
    }
}

/// How many of `fields` are hashed, and how many redacted.
const fn hashed_and_redacted(fields: &[FieldSchema]) -> (usize, usize) {
    let (mut hashed, mut redacted) = (0, 0);
    let mut i = 0;
    while i < fields.len() {
        match fields[i].privacy {
            Privacy::Plain => {}
            Privacy::Hashed => hashed += 1,
            Privacy::Redacted => redacted += 1,
        }
        i += 1;
    }
    (hashed, redacted)
}

/// One field of a layout's schema.
pub const fn field(
    name: &'static str,
    ty: &'static str,
    index: bool,
    slot: Option<Slot>,
    doc: &'static str,
    privacy: Privacy,
) -> FieldSchema {
    FieldSchema {
        privacy,
        name,
        ty,
        index,
        slot,
        doc,
    }
}

/// What a layout's generated `record` does: sets fields of the innermost running instrumented
/// call of layout `L`, or, with none running, counts the record in
/// [`crate::Stats::records_outside_call`].
pub fn record_active<L: crate::Layout>(set: impl FnOnce(&mut L::Point<'static>)) {
    if cfg!(feature = "off") {
        return;
    }
    if !crate::active::record::<L>(set) {
        crate::scope::count_in_current(crate::Stats {
            records_outside_call: 1,
            ..crate::Stats::default()
        });
    }
}

/// Whether `names` contains `name` (for compile-time checks).
pub const fn contains(names: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < names.len() {
        if str_eq(names[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

/// Compiles only if `T` may be declared in a blob slot or as the index.
pub const fn assert_blob_field<T: crate::BlobField + ?Sized>() {}

/// Compiles only if `T` may be declared in a double slot.
pub const fn assert_double_field<T: crate::DoubleField + ?Sized>() {}

#[cfg(feature = "events")]
mod events {
    use crate::events::ErrorDetail;
    use crate::text::TextLimit;
    use crate::value::Blob;
    use std::borrow::Cow;

    pub use crate::events::step::{Step, StepFields};

    /// A detail's console value; `None` leaves it out (see [`ViaOption`]).
    pub struct Detail<'v, T: ?Sized>(pub &'v T);

    /// `Option` details: `None` is left out.
    pub trait ViaOption {
        /// The console value.
        fn console_value(&self) -> Option<serde_json::Value>;
    }

    impl<T: serde::Serialize> ViaOption for &Detail<'_, Option<T>> {
        fn console_value(&self) -> Option<serde_json::Value> {
            self.0.as_ref().map(crate::events::detail_json)
        }
    }

    /// Every other serializable detail.
    pub trait ViaSerialize {
        /// The console value.
        fn console_value(&self) -> Option<serde_json::Value>;
    }

    impl<T: serde::Serialize + ?Sized> ViaSerialize for Detail<'_, T> {
        fn console_value(&self) -> Option<serde_json::Value> {
            Some(crate::events::detail_json(self.0))
        }
    }

    /// The console value of a detail mapped onto `field` of layout `L`, under the field's privacy:
    /// as it is, hashed (its text, or its JSON for other values), or left out when redacted or
    /// when there is no key.
    pub fn private_detail<L: crate::Layout>(
        field: &str,
        value: Option<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        use crate::schema::Privacy;
        let schema = L::SCHEMA;
        match schema.field(field).map(crate::FieldSchema::privacy) {
            Some(Privacy::Redacted) => None,
            Some(Privacy::Hashed) => {
                let value = value?;
                let text = match &value {
                    serde_json::Value::String(text) => text.clone(),
                    other => crate::json::to_js_json(other),
                };
                hashed_as_written(schema, &text)
            }
            _ => value,
        }
    }

    /// `text` of a hashed field as its point holds it: hashed, or `""` when empty (a point
    /// writes an empty field as it is); `None`, counted, when there is no key.
    fn hashed_as_written(schema: &crate::Schema, text: &str) -> Option<serde_json::Value> {
        if text.is_empty() {
            return Some(serde_json::Value::String(String::new()));
        }
        crate::scope::hash_in_current(schema, text.as_bytes()).map(serde_json::Value::String)
    }

    /// An error detail (`#[tallymark(error_text)]`) as a console line shows it, by the privacy
    /// of the layout's error field, which the detail fills: left out when redacted; when hashed,
    /// the hash of the text the point's field gets (cut to the layout's limit), so the line and
    /// the point join; else the detail's own console value.
    pub fn error_detail<L: crate::Layout, D: ErrorDetail + ?Sized>(
        detail: &D,
    ) -> Option<serde_json::Value> {
        use crate::schema::Privacy;
        let schema = L::SCHEMA;
        let field = tallymark_schema::names::Role::Error.field();
        match schema.field(field).map(crate::FieldSchema::privacy) {
            Some(Privacy::Redacted) => None,
            Some(Privacy::Hashed) => {
                let text = detail.error_text(schema.error_text())?;
                hashed_as_written(schema, &text)
            }
            _ => detail.console_value(),
        }
    }

    /// The error text of an error detail as blob content, cut to `limit`.
    pub fn error_blob(detail: &impl ErrorDetail, limit: TextLimit) -> Blob<'static> {
        detail
            .error_text(limit)
            .map_or(Blob::Unset, |text| Blob::Text(Cow::Owned(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_finds_only_a_whole_name() {
        assert!(contains(&["route", "event"], "event"));
        assert!(!contains(&["route", "events"], "event"));
        assert!(!contains(&["route"], "event"));
    }

    /// The fields of a layout: an index, and a blob `note` of this privacy.
    const fn fields(privacy: Privacy) -> [FieldSchema; 2] {
        [
            field("user", "String", true, None, "", Privacy::Plain),
            field("note", "String", false, Some(Slot::Blob(1)), "", privacy),
        ]
    }
    const PLAIN: [FieldSchema; 2] = fields(Privacy::Plain);
    const HASHED: [FieldSchema; 2] = fields(Privacy::Hashed);
    const REDACTED: [FieldSchema; 2] = fields(Privacy::Redacted);

    /// The schema of a layout of `fields`, as `#[tallymark::layout]` declares it.
    fn schema_of(layout_fields: &'static [FieldSchema]) -> Schema {
        schema(
            "L",
            "d",
            "B",
            layout_fields,
            1,
            0,
            EventNaming::PathMethod,
            TextLimit::DEFAULT_ERROR,
            None,
        )
    }

    /// Only a layout with a hashed field holds the hash function (so a Worker whose layouts have
    /// none references it nowhere, and the linker leaves it out).
    #[test]
    fn only_a_layout_with_a_hashed_field_holds_the_hasher() {
        // (fields, whether private, whether hashed); hashed fields need the `hashed` feature.
        let mut cases = vec![(&PLAIN, false, false), (&REDACTED, true, false)];
        if cfg!(feature = "hashed") {
            cases.push((&HASHED, true, true));
        }
        for (layout_fields, private, hashes) in cases {
            let schema = schema_of(layout_fields);
            let privacy = layout_fields[1].privacy();
            assert_eq!(schema.has_private_fields(), private, "{privacy:?}");
            assert_eq!(
                schema.keyed_hash(b"key", b"user-1"),
                crate::privacy::HASHER
                    .filter(|_| hashes)
                    .map(|hash| hash(b"key", b"user-1")),
                "{privacy:?}"
            );
        }
    }

    /// Without the `hashed` feature a schema with a hashed field is refused: in a layout's
    /// `const SCHEMA`, where generated code builds it, that fails the build.
    #[cfg(not(feature = "hashed"))]
    #[test]
    #[should_panic(expected = "`#[hashed]` fields need tallymark's `hashed` feature")]
    fn without_the_feature_a_schema_with_a_hashed_field_is_refused() {
        let _ = schema_of(&HASHED);
    }
}
