//! `#[derive(FixedText)]`: one fixed text per enum variant.

use crate::errors::Errors;
use crate::helper::each_option;
use crate::LockSource;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, LitStr};

pub fn derive(input: TokenStream, lock: LockSource<'_>) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let Data::Enum(data) = &input.data else {
        return syn::Error::new_spanned(&input.ident, "`FixedText` is derived for enums")
            .to_compile_error();
    };
    let mut arms = Vec::new();
    let mut texts: Vec<(String, &syn::Ident)> = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            errors.at(
                &variant.ident,
                "`FixedText` variants carry no data: each writes one fixed text",
            );
        }
        let text = variant_text(variant, &mut errors);
        if let Some((_, other)) = texts.iter().find(|(t, _)| *t == text) {
            errors.at(
                &variant.ident,
                format!(
                    "`{}` writes \"{text}\", as `{other}` already does",
                    variant.ident
                ),
            );
        }
        texts.push((text.clone(), &variant.ident));
        let ident = &variant.ident;
        arms.push(quote!(Self::#ident { .. } => #text));
    }
    let mut krate: syn::Path = syn::parse_quote!(::tallymark);
    each_option(
        &input.attrs,
        &["crate"],
        "FixedText",
        &mut errors,
        |_, meta| {
            krate = meta.value()?.parse()?;
            Ok(())
        },
    );
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Checked against the schema lock only when valid in itself: a mistake gives one error.
    let locked = if errors.is_empty() {
        let values: Vec<String> = texts.iter().map(|(text, _)| text.clone()).collect();
        crate::lock::check_enum(name, &values, lock, &mut errors)
    } else {
        TokenStream::new()
    };
    // Expanded after a mistake too, so the enum's uses still compile.
    let compile_errors = errors.to_compile_errors();
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::FixedText for #name #ty_generics #where_clause {
            fn text(&self) -> &'static str {
                match self { #(#arms),* }
            }
        }
        #locked
        #compile_errors
    }
}

/// `#[tallymark(text = "...")]`, or the variant's name in snake_case.
fn variant_text(variant: &syn::Variant, errors: &mut Errors) -> String {
    let mut text = None;
    each_option(&variant.attrs, &["text"], "variant", errors, |_, meta| {
        text = Some(meta.value()?.parse::<LitStr>()?.value());
        Ok(())
    });
    text.unwrap_or_else(|| tallymark_schema::names::snake_case(&variant.ident.unraw().to_string()))
}
