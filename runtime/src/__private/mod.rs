//! What the macros expand to. Not public API: it may change in any release.

use crate::point::{DataPoint, FieldValue};
use crate::schema::FieldSchema;
use std::borrow::Cow;

pub use crate::sink::json_line;
pub use tracing;

pub mod classify;

/// A detail's console value; `None` leaves it out (see [`ViaOption`]).
pub struct Detail<'v, T: ?Sized>(pub &'v T);

/// `Option` details: `None` is left out, as `undefined` is.
pub trait ViaOption {
    /// The console value.
    fn console_value(&self) -> Option<serde_json::Value>;
}

impl<T: serde::Serialize> ViaOption for &Detail<'_, Option<T>> {
    fn console_value(&self) -> Option<serde_json::Value> {
        self.0.as_ref().map(crate::detail_json)
    }
}

/// Every other serializable detail.
pub trait ViaSerialize {
    /// The console value.
    fn console_value(&self) -> Option<serde_json::Value>;
}

impl<T: serde::Serialize + ?Sized> ViaSerialize for Detail<'_, T> {
    fn console_value(&self) -> Option<serde_json::Value> {
        Some(crate::detail_json(self.0))
    }
}

/// The error text of an `#[error_text]` detail as blob content.
pub fn error_blob(detail: &impl crate::ErrorDetail) -> crate::Blob<'static> {
    detail.error_text().map_or(crate::Blob::Unset, |text| {
        crate::Blob::Text(Cow::Owned(text))
    })
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

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Compiles only if `T` may be declared in a blob slot or as the index.
pub const fn assert_blob_field<T: crate::BlobField + ?Sized>() {}

/// Compiles only if `T` may be declared in a double slot.
pub const fn assert_double_field<T: crate::DoubleField + ?Sized>() {}

/// A text field's value for `tracing` (bytes shown lossily).
pub fn trace_text<'p>(point: &'p DataPoint<'_>, field: &FieldSchema) -> Cow<'p, str> {
    match point.value_of(field) {
        FieldValue::Text(text) => Cow::Borrowed(text),
        FieldValue::Bytes(bytes) => String::from_utf8_lossy(bytes),
        FieldValue::Number(n) => Cow::Owned(n.to_string()),
    }
}

/// A double field's value for `tracing`.
pub fn trace_number(point: &DataPoint<'_>, field: &FieldSchema) -> f64 {
    match point.value_of(field) {
        FieldValue::Number(n) => n,
        _ => 0.0,
    }
}
