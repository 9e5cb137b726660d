//! Code generation for `#[derive(Event)]`.

use super::parse::{EventDecl, EventType};
use crate::instrumented::hidden;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::DeriveInput;

pub fn expand_event(input: &DeriveInput, parsed: &EventType) -> TokenStream {
    let name = &input.ident;
    // The generated functions' parameters, which the arms' bindings of the event's fields (named
    // as the user named them: `details`, `point`...) must not shadow.
    let (details, point) = (hidden("details"), hidden("point"));
    let layout = parsed.layout.as_ref().expect("checked");
    let krate = &parsed.krate;
    let lifetime = super::point_lifetime(&input.generics);
    let point_ty = quote!(<#layout as #krate::Layout>::Point<#lifetime>);
    let state = match &parsed.state {
        Some(state) => quote!(#state),
        None => quote!(()),
    };

    let pattern = |event: &EventDecl| {
        let path = match &event.variant {
            Some(variant) => quote!(Self::#variant),
            None => quote!(Self),
        };
        let bindings = event.fields.iter().map(|f| &f.ident);
        if event.unit {
            path
        } else if event.fields.is_empty() {
            // Also a variant whose unnamed fields were reported: `{ .. }` matches any shape.
            quote!(#path { .. })
        } else {
            quote!(#path { #(#bindings),* })
        }
    };
    let ignoring = |event: &EventDecl| match &event.variant {
        Some(variant) if event.unit => quote!(Self::#variant),
        Some(variant) => quote!(Self::#variant { .. }),
        None if event.unit => quote!(Self),
        None => quote!(Self { .. }),
    };

    let names = parsed.events.iter().map(|event| {
        let pattern = ignoring(event);
        let full = format!("{}{}", parsed.prefix, event.name);
        quote!(#pattern => #full)
    });
    let short_names = parsed.events.iter().map(|event| {
        let pattern = ignoring(event);
        let short = &event.name;
        quote!(#pattern => #short)
    });
    let writes_point = parsed.events.iter().map(|event| {
        let pattern = ignoring(event);
        let writes = !event.line_only;
        quote!(#pattern => #writes)
    });
    let detail_arms =
        parsed.events.iter().map(|event| {
            let pattern = pattern(event);
            let adds = event.fields.iter().filter(|field| field.skip.is_none()).map(|field| {
            let (ident, key) = (&field.ident, &field.key);
            if field.error_text.is_some() {
                // The error text goes to the layout's error field, so a line shows it only as
                // that field's privacy allows.
                quote!(#details.add(#key, #krate::__private::error_detail::<#layout, _>(#ident));)
            } else {
                // `Detail`'s traits are imported once, at the top of `details`.
                let value = quote!((&&#krate::__private::Detail(#ident)).console_value());
                match &field.to {
                    // A detail mapped onto a hashed or redacted field is never written raw.
                    Some(to) => {
                        let to = to.unraw().to_string();
                        quote!(#details.add(#key, #krate::__private::private_detail::<#layout>(#to, #value));)
                    }
                    None => quote!(#details.add(#key, #value);),
                }
            }
        });
            quote!(#pattern => { #(#adds)* })
        });
    let constants = parsed
        .constants
        .iter()
        .map(|(to, value)| quote!(let _ = #point.#to(#value);));
    let fills = parsed.events.iter().map(|event| {
        let pattern = pattern(event);
        // A layout field filled twice is reported by `check_targets`; only its first filler is
        // expanded, so that the mistake gives one error.
        let mut filled: Vec<String> = parsed
            .constants
            .iter()
            .map(|(to, _)| to.unraw().to_string())
            .collect();
        let point = &point;
        let sets = event.fields.iter().map(move |field| {
            let ident = &field.ident;
            if let Some((target, _)) = field.target() {
                if filled.contains(&target) {
                    return quote!(let _ = #ident;);
                }
                filled.push(target);
            }
            if field.error_text.is_some() {
                quote! {
                    #krate::__private::PointBuilder::fill_text(
                        #point,
                        #krate::__private::Role::Error,
                        #krate::__private::error_blob(
                            #ident,
                            <#layout as #krate::Layout>::SCHEMA.error_text(),
                        ),
                    );
                }
            } else if let Some(to) = &field.to {
                quote!(let _ = #point.#to(#ident);)
            } else {
                quote!(let _ = #ident;)
            }
        });
        quote!(#pattern => { #(#sets)* })
    });
    let state_checks = state_checks(parsed, krate);
    let all = parsed.events.iter().map(|event| {
        let full = format!("{}{}", parsed.prefix, event.name);
        let writes_point = !event.line_only;
        quote!((#full, #writes_point))
    });

    // A `match` on `self` lists the events' arms; an enum without variants has none, and only
    // `*self` is known to be uninhabited then.
    let scrutinee = if parsed.events.is_empty() {
        quote!(*self)
    } else {
        quote!(self)
    };
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let point_only = parsed.point_only.then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_generics #krate::events::PointEvent for #name #ty_generics #where_clause {}
        }
    });
    quote! {
        #state_checks
        #point_only

        #[automatically_derived]
        impl #impl_generics #krate::events::Event for #name #ty_generics #where_clause {
            type Layout = #layout;
            type State = #state;

            const ALL: &'static [(&'static str, bool)] = &[#(#all),*];

            fn name(&self) -> &'static str {
                match #scrutinee { #(#names),* }
            }

            fn short_name(&self) -> &'static str {
                match #scrutinee { #(#short_names),* }
            }

            fn writes_point(&self) -> bool {
                match #scrutinee { #(#writes_point),* }
            }

            fn details(&self, #details: &mut #krate::events::Details) {
                // Once for every detail below: each import is work for the compiler. Traits
                // only, as `_`: a name imported here could hide the user's (`layout = Detail`).
                #[allow(unused_imports)]
                use #krate::__private::{ViaOption as _, ViaSerialize as _};
                match #scrutinee { #(#detail_arms)* }
            }

            fn fill<#lifetime>(&#lifetime self, #point: &mut #point_ty) {
                #(#constants)*
                match #scrutinee { #(#fills)* }
            }
        }
    }
}

/// With `state = S`: a compile error for every layout field an event sets that `S` supplies.
///
/// Each field is checked once, at its first setter, and when several events (or a constant and
/// events) set it the error names them all: a field that many events set is one mistake, one
/// error that says where, and one constant for the compiler to evaluate.
fn state_checks(parsed: &EventType, krate: &syn::Path) -> TokenStream {
    let (Some(state), Some(layout)) = (&parsed.state, &parsed.layout) else {
        return TokenStream::new();
    };
    let setters = parsed
        .constants
        .iter()
        .map(|(to, _)| {
            (
                to.unraw().to_string(),
                to.span(),
                format!("`fields({to} = ...)`"),
            )
        })
        .chain(parsed.events.iter().flat_map(|event| {
            event.fields.iter().filter_map(move |field| {
                let (name, at) = field.target()?;
                Some((name, at.span(), format!("`{}`", event.ident)))
            })
        }));
    // Each target, where it is first set, and by what (in order).
    let mut targets: Vec<(String, Span, Vec<String>)> = Vec::new();
    for (target, span, setter) in setters {
        match targets.iter_mut().find(|(name, _, _)| *name == target) {
            // Two setters in one event are `check_targets`' error; named once here.
            Some((_, _, by)) => {
                if !by.contains(&setter) {
                    by.push(setter);
                }
            }
            None => targets.push((target, span, vec![setter])),
        }
    }
    let state_name = quote!(#state).to_string().replace(' ', "");
    let checks = targets.iter().map(|(target, span, by)| {
        let mut message = format!(
            "`{target}` is supplied by the state `{state_name}` when the event is emitted: an event cannot set it"
        );
        if by.len() > 1 {
            message.push_str(&format!(" (set by {})", by.join(", ")));
        }
        quote_spanned! {*span=>
            const _: () = ::core::assert!(
                !#krate::__private::contains(
                    <#state as #krate::events::Dimensions<#layout>>::LOCKED,
                    #target,
                ),
                #message
            );
        }
    });
    quote!(#(#checks)*)
}
