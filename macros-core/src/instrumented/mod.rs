//! `#[tallymark::instrumented]` and `tallymark::record!`: parse -> validate -> expand.

mod awaits;
mod expand;
mod function;
mod parse;
mod record;
mod steps;
mod validate;

pub use expand::hidden;
pub use record::record;
pub use steps::{step, Kind};

use crate::errors::Errors;
use crate::Instrumentation;
use function::Function;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

pub fn instrumented(
    args: TokenStream,
    item: TokenStream,
    instrumentation: Instrumentation,
) -> TokenStream {
    let mut errors = Errors::default();
    let item_tokens = item.clone();
    let parsed = parse::parse(args, &mut errors);
    let function = syn::parse2::<Function>(item);
    let (parsed, mut function) = match (parsed, function) {
        (Ok(parsed), Ok(function)) => (parsed, function),
        (parsed, function) => {
            if let Err(error) = parsed {
                errors.push(error);
            }
            if let Err(error) = function {
                errors.push(error);
            }
            // The function stays as written, so the rest of the crate still compiles, and its
            // `record!`s type-check their values without a second error.
            let krate = syn::parse_quote!(::tallymark);
            let item = record::mark_in_item(item_tokens, record::Target::Nowhere, &krate);
            let compile_errors = errors.to_compile_errors();
            return quote!(#item #compile_errors);
        }
    };
    validate::check_function(&function, &mut errors);
    let returns = validate::check_returns(&function, &mut errors);
    let callsite = validate::callsite(&parsed, &mut errors);
    let compile_errors = errors.to_compile_errors();
    if !returns {
        // Reported above; left as written, its `record!`s type-checking their values.
        let function = record::mark_in_item(
            function.into_token_stream(),
            record::Target::Nowhere,
            &parsed.krate,
        );
        return quote!(#function #compile_errors);
    }
    if instrumentation == Instrumentation::Off {
        let checks = expand::OffChecks {
            fields: parsed
                .fields
                .iter()
                .map(|(field, value)| (field, value))
                .collect(),
            emit_if: parsed.emit_if.as_ref(),
            enrich: parsed.enrich.as_ref(),
            result_rules: [&parsed.ok_if, &parsed.error_if]
                .into_iter()
                .flatten()
                .collect(),
            used: Vec::new(),
            callsite: Some(&callsite),
        };
        let function = expand::used_but_off(function, &parsed.krate, &parsed.layout, &checks);
        let function = record::mark_in_item(
            function.into_token_stream(),
            record::Target::Off(&parsed.layout),
            &parsed.krate,
        );
        return quote!(#function #compile_errors);
    }
    if function.sig.constness.is_some() {
        // Reported above; expanded as a plain fn so the body's `record!` still resolves.
        function.sig.constness = None;
    }
    let expanded = expand::expand(&parsed, &callsite, function);
    quote!(#expanded #compile_errors)
}
