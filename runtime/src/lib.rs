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
mod error_detail;
mod event;
pub mod http;
mod json;
mod layout;
pub mod limits;
mod lines;
mod platform;
mod point;
mod reconcile;
mod schema;
mod scope;
pub mod sink;
mod stats;
mod step;
mod value;

#[cfg(target_arch = "wasm32")]
mod js;

pub use call::{
    error_message, Call, Deferred, EmitRule, Enrich, Outcome, PointSource, RecordedWhileRunning,
    Recording, MAX_ERROR_CHARS,
};
pub use error_detail::{
    detail_json, ErrorDetail, ErrorMessage, Json, UNSERIALIZABLE_DETAIL, UNSERIALIZABLE_ERROR,
};
pub use event::{emit_event, event_point, Details, Dimensions, Event, Nullable};
pub use http::HttpStatus;
pub use layout::{Layout, PointBuilder};
pub use lines::{LineSink, MemoryLines};
pub use point::{DataPoint, FieldValue, PointBuf};
pub use reconcile::{reconcile_line, Reconcile};
pub use schema::{FieldSchema, Schema, Slot};
pub use scope::{emit, emit_in, limit_notice, set_global_sink, InScope, Scope};
pub use sink::{
    AnalyticsEngineSink, ConsoleSink, Fanout, MemorySink, NoopSink, RecordedPoint, Sink,
    TracingSink, WriteError,
};
pub use stats::{global_stats, Stats};
pub use step::{Constants, Step};
pub use tallymark_macros::{
    instrumented, layout, lifecycle_event, reconcile_event, record, Dimensions, Event, FixedText,
};
pub use value::{Blob, BlobField, DoubleField, FixedText, IntoBlob, IntoDouble};

/// What the macros expand to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private;
