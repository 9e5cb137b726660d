//! Procedural macros of [tallymark](https://docs.rs/tallymark). Depend on `tallymark`, which
//! re-exports them; the expanded code calls through `tallymark::__private`.

mod args;
mod errors;
mod fixed_text;
mod instrumented;
mod layout;

use proc_macro::TokenStream;

/// Declares a dataset layout. See the `tallymark` crate's documentation.
#[proc_macro_attribute]
pub fn layout(args: TokenStream, item: TokenStream) -> TokenStream {
    layout::layout(args.into(), item.into()).into()
}

/// Gives each unit variant of an enum one fixed text (`#[text("...")]`, or its snake_case name).
#[proc_macro_derive(FixedText, attributes(text))]
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
