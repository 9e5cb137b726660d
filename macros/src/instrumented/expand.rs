//! The wrapped function: the body runs unchanged in its own block; around it, a `Call` times it,
//! classifies its result, and writes one point.

use super::parse::InstrumentedArgs;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, ItemFn, ReturnType, Type};

/// The local the generated code and `tallymark::record!` share (so it has call-site hygiene).
pub fn call_ident() -> Ident {
    format_ident!("tallymark_call")
}

/// A local of the generated code that user code can neither see nor shadow.
pub fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

pub fn expand(args: &InstrumentedArgs, event: &str, item: ItemFn) -> TokenStream {
    let krate = &args.krate;
    let layout = &args.layout;
    let call = call_ident();
    let (result, error) = (hidden("result"), hidden("error"));
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = item;
    let stmts = &block.stmts;

    let text = |value: &str| quote!(#krate::Blob::Text(::std::borrow::Cow::Borrowed(#value)));
    let event = text(event);
    let route = match &args.route {
        Some(route) => {
            let route = text(&route.value());
            quote!(::core::option::Option::Some(#route))
        }
        None => quote!(::core::option::Option::None),
    };
    let some = |expr: Option<&Expr>| match expr {
        Some(expr) => quote!(::core::option::Option::Some(#expr)),
        None => quote!(::core::option::Option::None),
    };
    let (emit_if, enrich) = (some(args.emit_if.as_ref()), some(args.enrich.as_ref()));
    let mappings = record_fields(&call, &args.fields);

    let run_body = run_body(&sig, stmts);
    let classify = classify(krate, args.ok_if.as_ref(), args.error_if.as_ref());

    let body = with_braces_of(
        &block,
        quote! {
                let #call = #krate::Call::<#layout>::configured(#event, #route, #emit_if, #enrich);
                #mappings
                #[allow(clippy::redundant_closure_call)]
                let #result = #run_body;
                #classify
                #call.finish(#krate::Outcome::from_error(&#error), #error);
                #result
        },
    );
    quote! {
        #(#attrs)*
        #vis #sig #body
    }
}

/// `tokens` in braces carrying the span of `block`'s braces: an item that looks macro-made would
/// escape lints such as `dead_code`.
pub fn with_braces_of(block: &syn::Block, tokens: TokenStream) -> TokenStream {
    let mut body = TokenStream::new();
    block
        .brace_token
        .surround(&mut body, |body| body.extend(tokens));
    body
}

/// An expression that runs the original body in its own block and yields its value: an `async`
/// block awaited for an `async fn`, a closure called for a plain one. `return` and `?` keep
/// their meaning.
pub fn run_body(sig: &syn::Signature, stmts: &[syn::Stmt]) -> TokenStream {
    let annotation = return_annotation(&sig.output);
    if sig.asyncness.is_some() {
        let fake_return = annotation.as_ref().map(|ty| {
            let fake_return = hidden("fake_return");
            // An unreachable `return` of the declared type pins the block's output type, so `?`
            // in the body converts errors as it would in the original function.
            quote! {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::empty_loop, clippy::let_unit_value)]
                if false {
                    let #fake_return: #ty = loop {};
                    return #fake_return;
                }
            }
        });
        quote!(async { #fake_return #(#stmts)* }.await)
    } else {
        let ty = annotation.map(|ty| quote!(-> #ty));
        quote!((|| #ty { #(#stmts)* })())
    }
}

/// Statements binding the hidden `error` (`Option<String>`) to the error text of the hidden
/// `result`, decided by its type, then `ok_if` and `error_if`.
pub fn classify(krate: &syn::Path, ok_if: Option<&Expr>, error_if: Option<&Expr>) -> TokenStream {
    let (result, error) = (hidden("result"), hidden("error"));
    let ok_if = ok_if.map(|rule| {
        quote!(let #error = if (#rule)(&#result) { ::core::option::Option::None } else { #error };)
    });
    let error_if = error_if.map(|rule| {
        quote! {
            let #error = match #error {
                ::core::option::Option::None if (#rule)(&#result) => {
                    ::core::option::Option::Some(::std::string::String::from("error"))
                }
                #error => #error,
            };
        }
    });
    quote! {
        let #error = {
            #[allow(unused_imports)]
            use #krate::__private::classify::{
                Classify, ViaAnything as _, ViaResult as _, ViaResultOfStatus as _, ViaStatus as _,
            };
            (&&&&Classify(&#result)).error_text()
        };
        #ok_if
        #error_if
    }
}

/// Sets `field = expr` pairs on the call's point. Each value is evaluated first (outside the
/// point's borrow); a misspelled field is reported at its name, a wrong type at its value.
pub fn record_fields(call: &Ident, fields: &[(Ident, Expr)]) -> TokenStream {
    if fields.is_empty() {
        return TokenStream::new();
    }
    let point = hidden("point");
    // Each value is bound under the user's span (so a wrong type is reported at the value) and a
    // name no user code writes.
    let values: Vec<Ident> = fields
        .iter()
        .enumerate()
        .map(|(i, (_, expr))| Ident::new(&format!("tallymark_value_{i}"), expr.span()))
        .collect();
    let evaluate = fields
        .iter()
        .zip(&values)
        .map(|((_, expr), value)| quote!(let #value = #expr;));
    // A misspelled field is reported at its name.
    let sets = fields
        .iter()
        .zip(&values)
        .map(|((field, _), value)| quote!(let _ = #point.#field(#value);));
    quote! {
        {
            #(#evaluate)*
            #call.record(|#point| { #(#sets)* });
        }
    }
}

/// The declared return type for annotations, with `impl Trait` erased to `_`; `None` for `()`.
fn return_annotation(output: &ReturnType) -> Option<Type> {
    match output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            EraseImplTrait.visit_type_mut(&mut ty);
            Some(ty)
        }
    }
}

struct EraseImplTrait;

impl VisitMut for EraseImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](impl_trait.span()),
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}
