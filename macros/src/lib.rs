//! Procedural macros of [tallymark](https://docs.rs/tallymark). Depend on `tallymark`, which
//! re-exports and documents them; the expanded code calls through `tallymark::__private`.
//!
//! Each macro is parse → validate → expand, in modules of its own; every mistake is collected and
//! reported at its token, and the macro still expands (with the mistake left out) so that the rest
//! of the crate type-checks and each mistake gives one error.

mod args;
mod errors;
mod event;
mod fixed_text;
mod helper;
mod instrumented;
mod layout;
mod lock;

use proc_macro::TokenStream;

/// Declares a dataset layout. See the `tallymark` crate's documentation.
#[proc_macro_attribute]
pub fn layout(args: TokenStream, item: TokenStream) -> TokenStream {
    layout::layout(args.into(), item.into()).into()
}

/// Gives each unit variant of an enum one fixed text (`#[tallymark(text = "...")]`, or its
/// snake_case name).
#[proc_macro_derive(FixedText, attributes(tallymark))]
pub fn derive_fixed_text(input: TokenStream) -> TokenStream {
    fixed_text::derive(input.into()).into()
}

/// Times a function, captures its error, and writes one point of a layout per call.
/// See the `tallymark` crate's documentation.
#[proc_macro_attribute]
pub fn instrumented(args: TokenStream, item: TokenStream) -> TokenStream {
    instrumented::instrumented(args.into(), item.into()).into()
}

/// Records fields known only inside an instrumented function's body:
/// `tallymark::record!(user_id = id)`.
#[proc_macro]
pub fn record(input: TokenStream) -> TokenStream {
    instrumented::record(input.into()).into()
}

/// Declares a typed event (a struct) or a family of events (an enum, one event per variant).
/// See the `tallymark` crate's documentation.
#[proc_macro_derive(Event, attributes(tallymark))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    event::derive_event(input.into()).into()
}

/// Maps a state struct's fields onto layout fields, filled when an event is emitted.
#[proc_macro_derive(Dimensions, attributes(tallymark))]
pub fn derive_dimensions(input: TokenStream) -> TokenStream {
    event::derive_dimensions(input.into()).into()
}

/// Wraps a step of a reconcile pass: times it, captures its error, and logs it (console line and
/// point) through a `tallymark::events::Reconcile` context.
#[proc_macro_attribute]
pub fn reconcile_event(args: TokenStream, item: TokenStream) -> TokenStream {
    instrumented::step(instrumented::Kind::Reconcile, args.into(), item.into()).into()
}

/// Wraps a Durable Object lifecycle method: times it and, when it succeeds, writes its event with
/// the state's dimensions.
#[proc_macro_attribute]
pub fn lifecycle_event(args: TokenStream, item: TokenStream) -> TokenStream {
    instrumented::step(instrumented::Kind::Lifecycle, args.into(), item.into()).into()
}
