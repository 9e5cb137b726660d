//! `#[derive(Event)]` (parse -> validate -> expand) and `#[derive(Dimensions)]`: typed events and
//! state-derived dimensions.

mod expand;
mod parse;
mod validate;

use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields};

/// The lifetime of the point in the generated `fill`: `'a`, or `'__tallymark` when the type has
/// a lifetime `'a` of its own, which `fill`'s would shadow (errors name the point's type with it,
/// so the usual name is kept where it can be).
fn point_lifetime(generics: &syn::Generics) -> syn::Lifetime {
    let taken = generics
        .lifetimes()
        .any(|param| param.lifetime.ident == "a");
    let name = if taken { "'__tallymark" } else { "'a" };
    syn::Lifetime::new(name, proc_macro2::Span::call_site())
}

pub fn derive_event(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let parsed = parse::parse(&input, &mut errors);
    validate::check_targets(&parsed, &mut errors);
    validate::check_destinations(&parsed, &mut errors);
    let compile_errors = errors.to_compile_errors();
    if parsed.layout.is_none() {
        return compile_errors;
    }
    // Expanded after a mistake too, so code emitting the events still compiles.
    let expanded = expand::expand_event(&input, &parsed);
    quote!(#expanded #compile_errors)
}

pub fn derive_dimensions(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let mut layout = None;
    let mut krate: syn::Path = syn::parse_quote!(::tallymark);
    crate::helper::each_option(
        &input.attrs,
        &["layout", "crate"],
        "dimensions",
        &mut errors,
        |key, meta| {
            match key {
                "layout" => layout = Some(meta.value()?.parse::<syn::Path>()?),
                _ => krate = meta.value()?.parse()?,
            }
            Ok(())
        },
    );
    let Some(layout) = layout else {
        if !errors.suggested("layout") {
            errors.at(
                &input.ident,
                "name the layout: #[tallymark(layout = MyLayout)]",
            );
        }
        return errors.to_compile_errors();
    };
    let Data::Struct(data) = &input.data else {
        errors.at(&input.ident, "`Dimensions` is derived for a struct");
        return errors.to_compile_errors();
    };
    let Fields::Named(named) = &data.fields else {
        errors.at(&input.ident, "`Dimensions` needs named fields");
        return errors.to_compile_errors();
    };
    let mut mapped: Vec<(syn::Ident, syn::Ident, bool)> = Vec::new();
    for field in &named.named {
        if let Some((to, overridable)) = parse::parse_dimension(field, &mut errors) {
            if let Some((_, other, _)) = mapped.iter().find(|(t, _, _)| *t == to) {
                errors.at(&to, format!("`{to}` is already filled from `{other}`"));
            }
            mapped.push((to, field.ident.clone().expect("named"), overridable));
        }
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    let locked: Vec<String> = mapped
        .iter()
        .filter(|(_, _, overridable)| !overridable)
        .map(|(to, _, _)| to.unraw().to_string())
        .collect();
    let fill = |want: bool| {
        mapped
            .iter()
            .filter(move |(_, _, overridable)| *overridable == want)
            .map(|(to, from, _)| quote!(let _ = point.#to(&self.#from);))
    };
    let (overridable, locked_fills) = (fill(true), fill(false));
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let lifetime = point_lifetime(&input.generics);
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::events::Dimensions<#layout> for #name #ty_generics #where_clause {
            const LOCKED: &'static [&'static str] = &[#(#locked),*];

            fn fill<#lifetime>(
                &#lifetime self,
                point: &mut <#layout as #krate::Layout>::Point<#lifetime>,
                overridable: bool,
            ) {
                if overridable {
                    #(#overridable)*
                } else {
                    #(#locked_fills)*
                }
            }
        }
    }
}
