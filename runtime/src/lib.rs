//! # tallymark
//!
//! Typed, compile-time checked telemetry for Rust Cloudflare Workers, written to Workers Analytics
//! Engine, the console (shaped for Workers Logs), `tracing` (feature `tracing`), or memory in
//! tests.
//!
//! Declare one layout per dataset. Each field names its slot once; the macro checks the layout at
//! compile time (at most 20 blobs and 20 doubles, exactly one index, no shared slots, slot numbers in
//! `1..=20`, field types that fit their slot) and generates a typed builder and a const [`Schema`]:
//!
//! ```
//! #[derive(Clone, Copy, tallymark::FixedText)]
//! pub enum Delivery { Http, Queue }
//!
//! #[tallymark::layout(dataset = "app_events", binding = "APP_AE")]
//! pub struct Event {
//!     /// Event name.
//!     #[index] #[blob(1)] event: String,
//!     #[blob(2)] user_id: String,
//!     #[blob(3)] delivery: Delivery,
//!     #[double(1)] duration_ms: f64,
//! }
//!
//! let sink = tallymark::sink::MemorySink::new();
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
//! ## One way to write a point per situation
//!
//! | situation | how |
//! |---|---|
//! | a handler or any function call | [`macro@instrumented`] on the function; [`record!`] in its body |
//! | every route of an axum `Router` (feature `axum`) | `Router::layer(tallymark::axum::InstrumentLayer::<L>::new())` |
//! | middleware that sees only the concrete request | [`Call`] |
//! | anything else | the layout's builder: `Event::point().…().emit()` |
//! | a typed event (feature `events`) | [`events::emit`], or [`events::Reconcile::log`] for its line too |
//!
//! Points are clamped to Analytics Engine's limits before any sink sees them ([`limits`]), budgeted
//! to 250 per invocation ([`Scope`]), and every loss is counted ([`Stats`]). Telemetry never panics
//! and never changes the instrumented code's result.
//!
//! ## Cargo features
//! * `worker` (default): the Analytics Engine sink and [`Scope::from_env`], for `worker::Env`;
//!   on wasm, `testing::TestEnv`, an `Env` whose Analytics Engine bindings capture points in tests.
//! * `dev-print`: with the variable `TALLYMARK_DEV_PRINT=1`, [`Scope::from_env`] prints each
//!   point on the console too, for `wrangler dev`, whose binding discards points. Off by default,
//!   so that a deployed Worker carries none of it; without it the variable gets a notice.
//! * `http` (default): [`HttpStatus`] for `http::Response`.
//! * `tracing`: `sink::TracingSink`, one `tracing` event per point.
//! * `hashed`: `#[hashed]` layout fields, written as a keyed hash (HMAC-SHA-256). Off by default,
//!   so that a Worker without such a field compiles no hashing crates; without it `#[hashed]` is
//!   a compile error that names the feature.
//! * `axum`: `axum::InstrumentLayer`, a tower layer that writes one point per request of an
//!   axum `Router` (axum 0.8, as workers-rs's `axum` feature).
//! * `events`: typed events, their console lines and the step attributes ([`events`]).
//! * `off`: compiles every instrumentation site out. The macros still validate their input, and
//!   expand to the items they wrap; a [`Call`] made by hand ends without reading the clock,
//!   running its enricher or rule, or building its point, and an event logged by hand makes no
//!   line and no point. A [`Scope`] is still made, with its start time ([`Scope::started`]).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod active;
#[cfg(feature = "axum")]
pub mod axum;
mod call;
mod callsite;
pub mod clock;
#[cfg(feature = "events")]
pub mod events;
mod export;
mod http;
mod json;
mod layout;
pub mod limits;
mod naming;
mod platform;
mod point;
mod privacy;
mod schema;
mod scope;
pub mod sink;
mod stats;
#[cfg(test)]
mod test_layout;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
pub mod testing;
mod text;
mod value;

#[cfg(target_arch = "wasm32")]
mod js;

pub use active::InCall;
pub use call::{Call, Outcome};
pub use http::HttpStatus;
pub use layout::Layout;
pub use naming::EventNaming;
pub use point::{DataPoint, FieldValue};
pub use schema::{FieldSchema, Privacy, Schema, Slot};
pub use scope::{set_global_sink, InScope, Scope};
pub use stats::{global_stats, Stats};
pub use text::TextLimit;
pub use value::{Blob, BlobField, DoubleField, FixedText, IntoBlob, IntoDouble};

#[doc = include_str!("../docs/layout.md")]
pub use tallymark_macros::layout;

#[doc = include_str!("../docs/instrumented.md")]
pub use tallymark_macros::instrumented;

#[doc = include_str!("../docs/record.md")]
pub use tallymark_macros::record;

/// Derives [`FixedText`](trait@FixedText) for an enum of unit variants: each variant writes its
/// name in snake_case, or the text given with `#[tallymark(text = "...")]`.
///
/// ```
/// use tallymark::FixedText;
///
/// #[derive(tallymark::FixedText)]
/// enum Plan { Free, #[tallymark(text = "pro-2026")] Pro, TeamAnnual }
///
/// assert_eq!(Plan::Free.text(), "free");
/// assert_eq!(Plan::Pro.text(), "pro-2026");
/// assert_eq!(Plan::TeamAnnual.text(), "team_annual");
/// ```
pub use tallymark_macros::FixedText;

/// What the macros expand to. Not public API: it may change in any release.
#[doc(hidden)]
pub mod __private;
