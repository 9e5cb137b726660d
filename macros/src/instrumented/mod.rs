//! `#[tallymark::instrumented]` and `tallymark::record!`: parse -> validate -> expand.

mod expand;
mod parse;
mod steps;
mod validate;

pub use steps::{step, Kind};

use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{ItemFn, Token};

pub fn instrumented(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item_tokens = item.clone();
    let parsed = parse::parse(args, &mut errors);
    let function = syn::parse2::<ItemFn>(item);
    let (parsed, mut function) = match (parsed, function) {
        (Ok(parsed), Ok(function)) => (parsed, function),
        (parsed, function) => {
            if let Err(error) = parsed {
                errors.push(error);
            }
            if let Err(error) = function {
                errors.push(error);
            }
            // The function stays as written, so the rest of the crate still compiles.
            let compile_errors = errors.to_compile_errors();
            return quote!(#item_tokens #compile_errors);
        }
    };
    validate::check_function(&function, &mut errors);
    let event = validate::event_name(&parsed, &mut errors);
    let compile_errors = errors.to_compile_errors();
    if cfg!(feature = "off") {
        return quote!(#function #compile_errors);
    }
    if function.sig.constness.is_some() {
        // Reported above; expanded as a plain fn so the body's `record!` still resolves.
        function.sig.constness = None;
    }
    let expanded = expand::expand(&parsed, event, function);
    quote!(#expanded #compile_errors)
}

/// `record!(field = expr, ...)` inside an instrumented function's body.
pub fn record(input: TokenStream) -> TokenStream {
    let pairs = match Punctuated::<syn::MetaNameValue, Token![,]>::parse_terminated.parse2(input) {
        Ok(pairs) => pairs,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let mut fields = Vec::new();
    for pair in pairs {
        match pair.path.get_ident() {
            Some(ident) if fields.iter().any(|(seen, _)| seen == ident) => {
                errors.at(ident, format!("`{ident}` is recorded twice"));
            }
            Some(ident) => fields.push((ident.clone(), pair.value)),
            None => errors.at(&pair.path, "expected a field name, like `user_id = id`"),
        }
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    if cfg!(feature = "off") {
        // Compiled out: the values are neither evaluated nor moved, but still count as used.
        let values = fields.iter().map(|(_, value)| quote!(let _ = &(#value);));
        return quote!(if false { #(#values)* });
    }
    expand::record_fields(&expand::call_ident(), &fields)
}
