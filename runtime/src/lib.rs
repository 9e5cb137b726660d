//! # tallymark
//!
//! Typed, compile-time checked telemetry for Rust Cloudflare Workers, written to Workers Analytics
//! Engine, the console (shaped for Workers Logs), `tracing`, or memory in tests.
//!
//! Declare one layout per dataset. Each field names its slot once; the macro checks the layout at
//! compile time (at most 20 blobs and 20 doubles, exactly one index, no shared slots, slot numbers in
//! `1..=20`, field types that fit their slot) and generates a typed builder and a const [`Schema`]:
//!
//! ```
//! #[derive(Clone, Copy, tallymark::FixedText)]
//! pub enum Delivery { Http, Do, Reconcile }
//!
//! #[tallymark::layout(dataset = "kiloclaw_events", binding = "KILOCLAW_AE")]
//! pub struct Event {
//!     /// Event name.
//!     #[index] #[blob(1)] event: String,
//!     #[blob(2)] user_id: String,
//!     #[blob(3)] delivery: Delivery,
//!     #[double(1)] duration_ms: f64,
//! }
//!
//! let sink = tallymark::MemorySink::new();
//! tallymark::Scope::new(sink.clone()).run_sync(|| {
//!     Event::point().event("status.get").user_id("u1").delivery(Delivery::Http).duration_ms(12.5).emit();
//! });
//! let point = sink.last().unwrap();
//! assert_eq!(point.text("user_id"), Some("u1"));
//! assert_eq!(point.blob_texts(), ["status.get", "u1", "http"]);
//! assert_eq!(point.doubles(), [12.5]);
//! assert_eq!(point.index(), Some("status.get"));
//! ```
//!
//! Points are clamped to Analytics Engine's limits before any sink sees them ([`limits`]), budgeted
//! to 250 per invocation ([`Scope`]), and every loss is counted ([`Stats`]). Telemetry never panics
//! and never changes the instrumented code's result.
//!
//! ## Cargo features
//! * `off`: compiles every instrumentation site out. The macros still validate their input.
#![warn(missing_docs)]

mod call;
pub mod clock;
pub mod http;
mod layout;
pub mod limits;
mod platform;
mod point;
mod schema;
mod scope;
pub mod sink;
mod stats;
mod value;

#[cfg(target_arch = "wasm32")]
mod js;

pub use call::{error_message, Call, EmitRule, Enrich, Outcome, MAX_ERROR_CHARS};
pub use http::HttpStatus;
pub use layout::{Layout, PointBuilder};
pub use point::{DataPoint, FieldValue, PointBuf};
pub use schema::{FieldSchema, Schema, Slot};
pub use scope::{emit, emit_in, invocation_start, limit_notice, set_global_sink, InScope, Scope};
#[cfg(target_arch = "wasm32")]
pub use sink::AnalyticsEngineSink;
pub use sink::{
    ConsoleSink, Fanout, MemorySink, NoopSink, RecordedPoint, Sink, TracingSink, WriteError,
};
pub use stats::{global_stats, Stats};
pub use tallymark_macros::{instrumented, layout, record, FixedText};
pub use value::{Blob, BlobField, DoubleField, FixedText, IntoBlob, IntoDouble};

/// What the macros expand to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    use crate::point::{DataPoint, FieldValue};
    use crate::schema::FieldSchema;
    use std::borrow::Cow;

    pub use crate::sink::json_line;
    pub use tracing;

    pub mod classify;

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
}
