//! `#[reconcile_event]` and `#[lifecycle_event]`: a Durable Object method or reconcile step, timed,
//! its error captured, written as one typed event with the state's dimensions.

use super::expand::{classify, hidden, run_body, with_braces_of};
use crate::args::{self, Arg, LayoutArgs};
use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, ItemFn, Path};

/// Which attribute.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `reconcile.{action}`, console line and point through a `Reconcile` context.
    Reconcile,
    /// A lifecycle event: its point only, with the state's dimensions, on success only.
    Lifecycle,
}

pub fn step(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => return error.to_compile_error(),
    };
    let parsed = match syn::parse2::<LayoutArgs>(args) {
        Ok(parsed) => parsed,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#item #error);
        }
    };
    // `action` (reconcile) or `event` (lifecycle) names the step; `context`/`state` says where
    // the reason and the dimensions come from; every other key is a constant layout field.
    let (name_key, source_key) = match kind {
        Kind::Reconcile => ("action", "context"),
        Kind::Lifecycle => ("event", "state"),
    };
    let mut name = None;
    let mut source = None;
    let mut constants: Vec<Arg> = Vec::new();
    for arg in parsed.args.without_repeats("argument", &mut errors) {
        let key = arg.key.to_string();
        if key == name_key {
            name = args::string_literal(&arg.value, name_key, &mut errors);
        } else if key == source_key {
            source = Some(arg.value);
        } else {
            constants.push(arg);
        }
    }
    let missing = |key: &str| {
        syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("missing `{key} = ...`"),
        )
    };
    if name.is_none() && errors.is_empty() {
        errors.push(missing(name_key));
    }
    if source.is_none() {
        errors.push(missing(source_key));
    }
    let (Some(name), Some(source)) = (name, source) else {
        let compile_errors = errors.to_compile_errors();
        return quote!(#item #compile_errors);
    };
    if !errors.is_empty() {
        let compile_errors = errors.to_compile_errors();
        return quote!(#item #compile_errors);
    }
    if cfg!(feature = "off") {
        return quote!(#function);
    }
    expand(
        kind,
        &parsed.layout,
        &name.value(),
        &source,
        &constants,
        function,
    )
}

fn expand(
    kind: Kind,
    layout: &Path,
    name: &str,
    source: &Expr,
    constants: &[Arg],
    function: ItemFn,
) -> TokenStream {
    let krate = quote!(::tallymark);
    let (full_name, action) = match kind {
        Kind::Reconcile => (format!("reconcile.{name}"), name.to_owned()),
        Kind::Lifecycle => (
            name.to_owned(),
            name.rsplit('.').next().unwrap_or(name).to_owned(),
        ),
    };
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let run = run_body(&sig, &block.stmts);
    let classify = classify(&syn::parse_quote!(::tallymark), None, None);
    let (result, error, started, step, point) = (
        hidden("result"),
        hidden("error"),
        hidden("started"),
        hidden("step"),
        hidden("point"),
    );
    let sets = constants
        .iter()
        .map(|Arg { key, value }| quote!(let _ = #point.#key(#value);));
    let write = match kind {
        Kind::Reconcile => quote!((#source).log(&#step);),
        Kind::Lifecycle => quote! {
            if #step.error.is_none() {
                #krate::emit_event(&#step, &*(#source));
            }
        },
    };
    let body = with_braces_of(
        &block,
        quote! {
            let #started = #krate::clock::now();
            #[allow(clippy::redundant_closure_call)]
            let #result = #run;
            #classify
            let #step = #krate::Step::<#layout> {
                name: #full_name,
                action: #action,
                duration_ms: #krate::clock::elapsed_ms(#started),
                error: #error,
                constants: |#point| { #(#sets)* },
            };
            #write
            #result
        },
    );
    quote! {
        #(#attrs)*
        #vis #sig #body
    }
}
