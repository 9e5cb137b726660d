//! What `#[instrumented]` requires of its arguments and of the function it wraps.

use super::function::Function;
use super::parse::InstrumentedArgs;
use crate::args::Naming;
use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::quote;
use tallymark_schema::names::NamingRule;

/// The call site of the function (a constant `tallymark::__private::Callsite`): its event named as
/// given, from the route by the attribute's rule or the layout's, or (after an error) empty; and
/// its route, when given.
pub fn callsite(args: &InstrumentedArgs, errors: &mut Errors) -> TokenStream {
    let krate = &args.krate;
    let event = callsite_event(args, errors);
    let route = match &args.route {
        Some(route) => quote!(::core::option::Option::Some(#route)),
        None => quote!(::core::option::Option::None),
    };
    quote!(#krate::__private::Callsite { event: #event, route: #route })
}

/// How the call site's event is named: a `tallymark::__private::CallsiteEvent`.
fn callsite_event(args: &InstrumentedArgs, errors: &mut Errors) -> TokenStream {
    let krate = &args.krate;
    let named = |name: &str| quote!(#krate::__private::CallsiteEvent::Named(#name));
    if let (Some(_), Some((naming, _))) = (&args.event, &args.naming) {
        errors.at(
            naming,
            "`naming` names the event from `route`; with `event = \"...\"` it has nothing to do",
        );
    }
    if let Some(event) = &args.event {
        if event.value().is_empty() {
            errors.at(event, "the event name cannot be empty");
        }
        if let Some(route) = &args.route {
            check_route(route, errors);
        }
        return named(&event.value());
    }
    let Some(route) = &args.route else {
        // A misspelled `route` or `event` (reported with its did-you-mean) is that mistake.
        if !errors.suggested("route") && !errors.suggested("event") {
            errors.push(syn::Error::new(
                proc_macro2::Span::call_site(),
                "name the call: give `route = \"<METHOD> /<path>\"` or `event = \"...\"`",
            ));
        }
        return named("");
    };
    let Some((method, path)) = check_route(route, errors) else {
        return named("");
    };
    match args.naming.as_ref().map(|(_, naming)| naming) {
        Some(Naming::Builtin(rule)) => named(&rule.name(&method, &path)),
        Some(Naming::Custom(rule)) => quote! {
            #krate::__private::CallsiteEvent::Custom { rule: #rule, method: #method, path: #path }
        },
        None => {
            // The runtime takes the layout's built-in rule's name from these, by its position in
            // `NamingRule::ALL` (the field's type is an array as long), and never computes one.
            let builtin = NamingRule::ALL.map(|rule| rule.name(&method, &path));
            quote! {
                #krate::__private::CallsiteEvent::ByLayout {
                    builtin: &[#(#builtin),*],
                    method: #method,
                    path: #path,
                }
            }
        }
    }
}

/// The method and path of a route `"<METHOD> /<path>"`, or an error at it.
fn check_route(route: &syn::LitStr, errors: &mut Errors) -> Option<(String, String)> {
    let text = route.value();
    let (method, path) = tallymark_schema::names::split_route(&text);
    let method_ok = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic());
    if !method_ok || !path.starts_with('/') {
        errors.at(
            route,
            format!("route `{text}` is not `<METHOD> /<path>`, like \"GET /users/:id\""),
        );
        return None;
    }
    Some((method.to_owned(), path.to_owned()))
}

/// The function must be one whose calls can be timed.
pub fn check_function(item: &Function, errors: &mut Errors) {
    if let Some(constness) = &item.sig.constness {
        errors.at(
            constness,
            "a `const fn` cannot be instrumented: it may run at compile time",
        );
    }
}

/// Whether `item` returns; a function declared `-> !` is reported at its `!`: its call has no
/// result to classify.
pub fn check_returns(item: &Function, errors: &mut Errors) -> bool {
    let Some(never) = never_returns(item) else {
        return true;
    };
    errors.at(
        never,
        "a function that never returns (`-> !`) cannot be instrumented: its call has no result \
         to classify; instrument the function that calls it",
    );
    false
}

/// The `!` of a function declared `-> !`.
fn never_returns(item: &Function) -> Option<&syn::TypeNever> {
    match &item.sig.output {
        syn::ReturnType::Type(_, ty) => match ty.as_ref() {
            syn::Type::Never(never) => Some(never),
            _ => None,
        },
        syn::ReturnType::Default => None,
    }
}
