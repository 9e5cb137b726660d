//! Procedural macros of [tallymark](https://docs.rs/tallymark). Depend on `tallymark`, which
//! re-exports and documents them; the expanded code calls through `tallymark::__private`.
//!
//! Each macro is one line: its code is the plain library `tallymark-macros-core` (a proc-macro
//! crate can export nothing else, and the fuzz targets call the code directly). This crate adds
//! what only the compiler knows: whether instrumentation is compiled out (the `off` feature),
//! whether `#[hashed]` fields can be hashed (the `hashed` feature), and that the schema lock is the
//! crate's own.

use proc_macro::TokenStream;
use tallymark_macros_core::{Hashing, Instrumentation, LockSource};

/// Instrumentation compiled in, or out with `tallymark/off`.
const INSTRUMENTATION: Instrumentation = if cfg!(feature = "off") {
    Instrumentation::Off
} else {
    Instrumentation::On
};

/// `#[hashed]` fields accepted with `tallymark/hashed`, which links the keyed hash.
const HASHING: Hashing = if cfg!(feature = "hashed") {
    Hashing::Available
} else {
    Hashing::Unavailable
};

/// Declares a dataset layout. See the `tallymark` crate's documentation.
#[proc_macro_attribute]
pub fn layout(args: TokenStream, item: TokenStream) -> TokenStream {
    tallymark_macros_core::layout(args.into(), item.into(), LockSource::Crate, HASHING).into()
}

/// Gives each unit variant of an enum one fixed text (`#[tallymark(text = "...")]`, or its
/// snake_case name).
#[proc_macro_derive(FixedText, attributes(tallymark))]
pub fn derive_fixed_text(input: TokenStream) -> TokenStream {
    tallymark_macros_core::derive_fixed_text(input.into(), LockSource::Crate).into()
}

/// Times a function, captures its error, and writes one point of a layout per call.
/// See the `tallymark` crate's documentation.
#[proc_macro_attribute]
pub fn instrumented(args: TokenStream, item: TokenStream) -> TokenStream {
    tallymark_macros_core::instrumented(args.into(), item.into(), INSTRUMENTATION).into()
}

/// Records fields known only inside an instrumented function's body:
/// `tallymark::record!(user_id = id)`.
#[proc_macro]
pub fn record(input: TokenStream) -> TokenStream {
    tallymark_macros_core::record(input.into()).into()
}

/// Declares a typed event (a struct) or a family of events (an enum, one event per variant).
/// See the `tallymark` crate's documentation.
#[proc_macro_derive(Event, attributes(tallymark))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    tallymark_macros_core::derive_event(input.into()).into()
}

/// Maps a state struct's fields onto layout fields, filled when an event is emitted.
#[proc_macro_derive(Dimensions, attributes(tallymark))]
pub fn derive_dimensions(input: TokenStream) -> TokenStream {
    tallymark_macros_core::derive_dimensions(input.into()).into()
}

/// Wraps a step of a reconcile pass: times it, captures its error, and logs it (console line and
/// point) through a `tallymark::events::Reconcile` context.
#[proc_macro_attribute]
pub fn reconcile_event(args: TokenStream, item: TokenStream) -> TokenStream {
    tallymark_macros_core::reconcile_event(args.into(), item.into(), INSTRUMENTATION).into()
}

/// Wraps a Durable Object lifecycle method: times it and, when it succeeds, writes its event with
/// the state's dimensions.
#[proc_macro_attribute]
pub fn lifecycle_event(args: TokenStream, item: TokenStream) -> TokenStream {
    tallymark_macros_core::lifecycle_event(args.into(), item.into(), INSTRUMENTATION).into()
}
