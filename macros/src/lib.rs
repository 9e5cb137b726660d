//! Procedural macros of [tallymark](https://docs.rs/tallymark). Depend on `tallymark`, which
//! re-exports them; the expanded code calls through `tallymark::__private`.

mod args;
mod errors;
mod fixed_text;
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
