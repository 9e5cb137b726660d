//! `#[reconcile_event]` and `#[lifecycle_event]`: a Durable Object method or reconcile step, timed,
//! its error captured, written as one typed event with the state's dimensions.

use super::expand::{bind_result, classify, hidden};
use super::function::Function;
use crate::args::{self, Arg, LayoutArgs};
use crate::errors::Errors;
use crate::Instrumentation;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Expr, Path};

/// Which attribute.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `<prefix><action>`, console line and point through a `Reconcile` context.
    Reconcile,
    /// A lifecycle event: its point only, with the state's dimensions, when the method succeeds.
    Lifecycle,
}

impl Kind {
    /// The option naming the step, the option saying where its dimensions come from, and every
    /// option the attribute takes.
    fn options(self) -> (&'static str, &'static str, &'static [&'static str]) {
        match self {
            Kind::Reconcile => (
                "action",
                "context",
                &["action", "context", "prefix", "crate"],
            ),
            Kind::Lifecycle => ("event", "state", &["event", "state", "crate"]),
        }
    }
}

/// A step as written.
struct StepArgs {
    layout: Path,
    name: String,
    prefix: String,
    source: Expr,
    krate: Path,
    /// `fields(field = value, ..)`, evaluated when the step begins.
    field_values: Vec<Arg>,
}

pub fn step(
    kind: Kind,
    args: TokenStream,
    item: TokenStream,
    instrumentation: Instrumentation,
) -> TokenStream {
    let mut errors = Errors::default();
    let function = match syn::parse2::<Function>(item.clone()) {
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
    let step = check(kind, parsed, &mut errors);
    let returns = super::validate::check_returns(&function, &mut errors);
    let compile_errors = errors.to_compile_errors();
    match step {
        // Reported by `check_returns`; left as written.
        Some(_) if !returns => quote!(#function #compile_errors),
        Some(step) if instrumentation == Instrumentation::On => {
            let expanded = expand(kind, &step, function);
            quote!(#expanded #compile_errors)
        }
        Some(step) => {
            // Cloned as the expansion clones them, so `off` gives the same errors.
            let cloned: Vec<Expr> = step
                .field_values
                .iter()
                .map(|Arg { value, .. }| {
                    let clone = clone_of(&quote!((#value)), value.span());
                    syn::parse_quote!(#clone)
                })
                .collect();
            let checks = super::expand::OffChecks {
                fields: step
                    .field_values
                    .iter()
                    .map(|c| &c.key)
                    .zip(&cloned)
                    .collect(),
                used: vec![&step.source],
                ..Default::default()
            };
            let function =
                super::expand::used_but_off(function, &step.krate, &step.layout, &checks);
            quote!(#function #compile_errors)
        }
        None => quote!(#function #compile_errors),
    }
}

/// The step's arguments, every mistake reported; `None` when the step cannot be expanded.
fn check(kind: Kind, parsed: LayoutArgs, errors: &mut Errors) -> Option<StepArgs> {
    let (name_key, source_key, known) = kind.options();
    let layout = parsed.layout.clone();
    let (options, field_values) = parsed.checked(known, errors);
    let mut name = None;
    let mut source = None;
    let mut prefix = match kind {
        Kind::Reconcile => String::from("reconcile."),
        Kind::Lifecycle => String::new(),
    };
    let mut krate = syn::parse_quote!(::tallymark);
    for arg in options {
        let key = arg.key.to_string();
        if key == name_key {
            name = args::string_literal(&arg.value, name_key, errors);
        } else if key == source_key {
            source = Some(arg.value);
        } else if key == "prefix" {
            if let Some(lit) = args::string_literal(&arg.value, "prefix", errors) {
                prefix = lit.value();
            }
        } else if let Some(path) = args::path(&arg.value, "crate", errors) {
            krate = path;
        }
    }
    let missing = |key: &str| {
        syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("missing `{key} = ...`"),
        )
    };
    if name.is_none() && !errors.suggested(name_key) {
        errors.push(missing(name_key));
    }
    if source.is_none() && !errors.suggested(source_key) {
        errors.push(missing(source_key));
    }
    Some(StepArgs {
        layout,
        name: name.map(|name| name.value()).unwrap_or_default(),
        prefix,
        source: source?,
        krate,
        field_values,
    })
}

/// A clone of the value at `place`, at the span `at` of the value as written: a value that cannot
/// be cloned is an error there.
fn clone_of(place: &TokenStream, at: proc_macro2::Span) -> TokenStream {
    quote_spanned!(at=> ::core::clone::Clone::clone(&#place))
}

fn expand(kind: Kind, step_args: &StepArgs, function: Function) -> TokenStream {
    let StepArgs {
        layout,
        name,
        prefix,
        source,
        krate,
        field_values,
    } = step_args;
    let (full_name, short_name) = match kind {
        Kind::Reconcile => (format!("{prefix}{name}"), name.clone()),
        Kind::Lifecycle => (
            name.clone(),
            name.rsplit('.').next().unwrap_or(name).to_owned(),
        ),
    };
    let run = bind_result(krate, &function.sig, &function.body.stmts, None);
    let classify = classify(krate, layout, None, None);
    let (result, error, started, step, point, fields) = (
        hidden("result"),
        hidden("error"),
        hidden("started"),
        hidden("step"),
        hidden("point"),
        hidden("fields"),
    );
    // `fields(..)` are evaluated at entry, as `#[instrumented]`'s are, and a clone of each is set
    // on the point (at the value's span: a value that cannot be cloned is an error there).
    let values = field_values.iter().map(|Arg { value, .. }| value);
    let evaluate = (!field_values.is_empty()).then(|| quote!(let #fields = (#(#values,)*);));
    let sets = field_values
        .iter()
        .enumerate()
        .map(|(i, Arg { key, value })| {
            let i = syn::Index::from(i);
            let value = clone_of(&quote!(#fields.#i), value.span());
            quote!(let _ = #point.#key(#value);)
        });
    let write = match kind {
        Kind::Reconcile => quote!((#source).log(&#step);),
        Kind::Lifecycle => {
            // At the expression's span, so a state that is no reference is an error there.
            let state = quote_spanned!(source.span()=> &*(#source));
            quote! {
                if #step.error.is_none() {
                    #krate::events::emit(&#step, #state);
                }
            }
        }
    };
    function.with_body(&quote! {
        #evaluate
        let #started = #krate::clock::now();
        #run
        #classify
        let #step = #krate::__private::Step::<#layout, _> {
            name: #full_name,
            short_name: #short_name,
            duration_ms: #krate::clock::elapsed_ms(#started),
            error: #error,
            fields: &|_, #point| { #(#sets)* },
            state: ::core::marker::PhantomData,
        };
        #write
        #result
    })
}
