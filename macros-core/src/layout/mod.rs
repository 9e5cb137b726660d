//! `#[tallymark::layout]`: parse -> validate (against itself, then against the crate's schema
//! lock) -> expand.

mod expand;
mod parse;
pub(crate) mod validate;

use crate::errors::Errors;
use crate::{Hashing, LockSource};
use proc_macro2::TokenStream;
use quote::quote;

pub fn layout(
    args: TokenStream,
    item: TokenStream,
    lock: LockSource<'_>,
    hashing: Hashing,
) -> TokenStream {
    let mut errors = Errors::default();
    let decl = match parse::parse(args, item, &mut errors) {
        Ok(decl) => decl,
        Err(error) => return error.to_compile_error(),
    };
    // After a mistake the layout still expands (its broken fields written nowhere), so code that
    // uses it compiles and only the layout's own mistakes are reported.
    let layout = validate::validate(&decl, hashing, &mut errors);
    // Checked against the lock only when valid in itself: a mistake gives one error.
    let locked = if errors.is_empty() {
        crate::lock::check_layout(&layout, lock, &mut errors)
    } else {
        TokenStream::new()
    };
    let expanded = expand::expand(&layout);
    let compile_errors = errors.to_compile_errors();
    quote!(#expanded #locked #compile_errors)
}
