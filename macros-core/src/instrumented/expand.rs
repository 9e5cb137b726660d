//! The wrapped function: the body runs unchanged in its own block; around it, a `Call` times it,
//! classifies its result, and writes one point.

use super::awaits::may_await;
use super::function::Function;
use super::parse::InstrumentedArgs;
use super::record::{call_ident, fields_setter, mark_invocations, Target};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, ReturnType, Type};

/// A local of the generated code that user code can neither see nor shadow.
pub fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

pub fn expand(
    args: &InstrumentedArgs,
    callsite: &TokenStream,
    mut function: Function,
) -> TokenStream {
    let krate = &args.krate;
    let layout = &args.layout;
    let call = call_ident();
    let (result, error) = (hidden("result"), hidden("error"));
    let body = std::mem::take(&mut function.body.stmts);
    let (stmts, records) = mark_invocations(body, Target::Call(&call), krate);

    // The rule, the enricher and the fields the point starts with are passed as written, so the
    // compiler can inline them. Without them, the runtime's functions that do nothing are
    // passed: functions, not closures, so the user's crate has no bodies of their own to
    // type-check at every build. What every call starts with, the event name and the route, is
    // a constant the runtime reads.
    let emit_if = args
        .emit_if
        .as_ref()
        .map_or_else(|| quote!(#krate::__private::always), |rule| quote!(#rule));
    let enrich = args.enrich.as_ref().map_or_else(
        || quote!(#krate::__private::unchanged),
        |enrich| quote!(#enrich),
    );
    let (evaluate, fields) = if args.fields.is_empty() {
        (TokenStream::new(), quote!(#krate::__private::unchanged))
    } else {
        fields_setter(&args.fields)
    };
    // A body that records nothing gets a call that builds its point only at the end, so the
    // handler's future does not carry a whole data point across its `.await`s.
    let start = if records {
        quote!(recording_at)
    } else {
        quote!(deferred)
    };

    let bind = bind_result(krate, &function.sig, &stmts, Some(&call));
    let classify = classify(krate, layout, args.ok_if.as_ref(), args.error_if.as_ref());

    function.with_body(&quote! {
        #evaluate
        let mut #call =
            #krate::Call::<#layout, _, _, _>::#start(&const { #callsite }, #emit_if, #enrich, #fields);
        #bind
        #classify
        #call.finish_in_place(#error);
        #result
    })
}

/// What the attribute names, checked as it would be when expanded, for the `off` feature: each
/// `fields(field = expr)` set on a point of `layout` (a misspelled field or a wrong type is the
/// same error as without `off`), and each rule or source given its expected type.
#[derive(Default)]
pub struct OffChecks<'e> {
    /// `field = expr` pairs set on the point.
    pub fields: Vec<(&'e Ident, &'e Expr)>,
    /// `emit_if`: `Fn(&Point) -> bool`.
    pub emit_if: Option<&'e Expr>,
    /// `enrich`: `Fn(&mut Point)`.
    pub enrich: Option<&'e Expr>,
    /// `ok_if` and `error_if`: `Fn(&R) -> bool`, `R` the function's declared return type.
    pub result_rules: Vec<&'e Expr>,
    /// Expressions used as they are (a step's context or state).
    pub used: Vec<&'e Expr>,
    /// The call site (`tallymark::__private::Callsite`), built as the expansion builds it.
    pub callsite: Option<&'e TokenStream>,
}

/// Under the `off` feature: `function` unchanged but for a first statement, inside `if false`,
/// that type-checks what the attribute names (`checks`) the way the expansion would: the same
/// compile errors with and without `off`, no unused-variable or unused-import warning in the
/// user's crate, and nothing evaluated.
pub fn used_but_off(
    mut function: Function,
    krate: &syn::Path,
    layout: &syn::Path,
    checks: &OffChecks<'_>,
) -> Function {
    let point = hidden("point");
    let point_ty = quote!(<#layout as #krate::Layout>::Point<'_>);
    let sets = checks
        .fields
        .iter()
        .map(|(field, value)| quote!(let _ = #point.#field(#value);));
    let emit_if = checks
        .emit_if
        .map(|rule| quote!(let _: &dyn ::core::ops::Fn(&#point_ty) -> bool = &(#rule);));
    let enrich = checks
        .enrich
        .map(|enrich| quote!(let _: &dyn ::core::ops::Fn(&mut #point_ty) = &(#enrich);));
    let result =
        return_annotation(&function.sig.output).map_or_else(|| quote!(()), |ty| quote!(#ty));
    let result_rules = checks
        .result_rules
        .iter()
        .map(|rule| quote!(let _: &dyn ::core::ops::Fn(&#result) -> bool = &(#rule);));
    let used = checks.used.iter().map(|expr| quote!(let _ = &(#expr);));
    let callsite = checks
        .callsite
        .map(|callsite| quote!(let _ = const { #callsite };));
    // Tokens, not parsed here: a user's type or expression that does not fit where it
    // is put (found by the `macros` fuzz target: the return type `Result<E>+`) is the compiler's
    // error at the user's tokens, never a panic of the macro.
    let uses = quote! {
        #[allow(unreachable_code, unused_mut, unused_variables, clippy::all, clippy::pedantic)]
        if false {
            let mut #point = <#layout as #krate::Layout>::point();
            #(#sets)*
            #emit_if
            #enrich
            #(#result_rules)*
            #(#used)*
            #callsite
        };
    };
    let stmts = &function.body.stmts;
    function.body.stmts = quote!(#uses #stmts);
    function
}

/// A statement binding the hidden `result` to the value of the original body (`stmts`), run in
/// its own block: an `async` block awaited for an `async fn` whose body may suspend
/// ([`may_await`]), else a closure called once (by a function taking `FnOnce`, so the body may
/// return what it borrowed through a `&mut` capture); with the call `within` active while it
/// runs, when given. `return` and `?` keep their meaning.
pub fn bind_result(
    krate: &syn::Path,
    sig: &syn::Signature,
    stmts: &TokenStream,
    within: Option<&Ident>,
) -> TokenStream {
    let result = hidden("result");
    let annotation = return_annotation(&sig.output);
    if sig.asyncness.is_some() && may_await(stmts, krate) {
        // An unreachable `return` of the declared type pins the block's output type, so `?` in
        // the body converts errors as it would in the original function. The body sits in a
        // block of its own below it, so a `use` in the body cannot change what the declared type
        // names. The value is a function's, so no lint needs silencing: each attribute is work
        // for the compiler at every build of the user's crate.
        let pin_output = annotation.map(|ty| {
            quote! {
                if false {
                    return #krate::__private::unreachable_value::<#ty>();
                }
            }
        });
        let body = quote!(async { #pin_output { #stmts } });
        match within {
            Some(call) => quote!(let #result = #call.run(#body).await;),
            None => quote!(let #result = #body.await;),
        }
    } else {
        let ty = annotation.map(|ty| quote!(-> #ty));
        let body = quote!(|| #ty { #stmts });
        match within {
            Some(call) => quote!(let #result = #call.run_sync(#body);),
            None => quote!(let #result = #krate::__private::call_once(#body);),
        }
    }
}

/// Statements binding the hidden `error` (`Option<String>`) to the error text of the hidden
/// `result` (cut to `layout`'s limit), decided by its type, then `ok_if` and `error_if`.
pub fn classify(
    krate: &syn::Path,
    layout: &syn::Path,
    ok_if: Option<&Expr>,
    error_if: Option<&Expr>,
) -> TokenStream {
    let (result, error) = (hidden("result"), hidden("error"));
    let holds = |rule: &Expr| {
        // Borrowed at the rule's span: a rule of the wrong type is an error there.
        let rule = quote_spanned!(rule.span()=> &(#rule));
        quote!(#krate::__private::holds(&#result, #rule))
    };
    let ok_if = ok_if.map(|rule| {
        let holds = holds(rule);
        quote!(let #error = if #holds { ::core::option::Option::None } else { #error };)
    });
    let error_if = error_if.map(|rule| {
        let holds = holds(rule);
        quote! {
            let #error = match #error {
                ::core::option::Option::None if #holds => {
                    ::core::option::Option::Some(::std::string::String::from("error"))
                }
                #error => #error,
            };
        }
    });
    quote! {
        let #error = #krate::__private::classify::Classify::new(&#result).error_text::<#layout>();
        #ok_if
        #error_if
    }
}

/// The declared return type, for annotations and turbofishes, with `impl Trait` erased to `_`;
/// `None` when the signature has no `->`.
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
                attrs: Vec::new(),
                underscore_token: syn::Token![_](impl_trait.span()),
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}
