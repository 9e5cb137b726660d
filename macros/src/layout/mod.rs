//! `#[tallymark::layout]`: parse -> validate -> expand.

mod expand;
mod parse;
mod validate;

use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::quote;

pub fn layout(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let decl = match parse::parse(args, item, &mut errors) {
        Ok(decl) => decl,
        Err(error) => return error.to_compile_error(),
    };
    match validate::validate(&decl, &mut errors) {
        Some(layout) if errors.is_empty() => expand::expand(&layout),
        _ => {
            // Keep the user's struct (without tallymark's attributes) so that code naming it does
            // not fail too: only the layout's own mistakes are reported.
            let item = &decl.item;
            let compile_errors = errors.to_compile_errors();
            quote! {
                #[allow(dead_code)]
                #item
                #compile_errors
            }
        }
    }
}
