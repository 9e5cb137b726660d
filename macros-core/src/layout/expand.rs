//! Code generation for a valid layout: the schema, the typed builder, and the type checks.

use super::validate::{Field, Layout, Slot};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt as _;

pub fn expand(layout: &Layout<'_>) -> TokenStream {
    let item = &layout.decl.item;
    let krate = &layout.decl.krate;
    let name = &item.ident;
    let vis = &item.vis;
    let builder = format_ident!("{}Point", name);
    let blob_count = usize::from(layout.blob_count);
    let double_count = usize::from(layout.double_count);
    let dataset = &layout.dataset;
    let binding = &layout.binding;

    let placed = || layout.fields.iter().filter(|f| f.is_placed());
    let field_schemas = placed().map(|f| field_schema(krate, f));
    let type_checks = placed().map(|f| type_check(krate, f));
    // A field named like a builder method (reported) gets no setter or getter of its own.
    let methods = || {
        layout
            .fields
            .iter()
            .filter(|f| super::validate::method_clash(layout.decl, f.decl).is_none())
    };
    let setters = methods().map(|f| setter(krate, f));
    let getters = methods().map(getter);
    let builder_doc = format!("The typed builder of [`{name}`] points: one setter per field.");
    let name_str = name.to_string();
    let builder_str = builder.to_string();
    let naming = &layout.naming;
    let error_text = &layout.error_text;
    let hash_key = match &layout.decl.hash_key {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };

    quote! {
        #[allow(dead_code)]
        #item

        const _: () = { #(#type_checks)* };

        #[doc = #builder_doc]
        #[derive(Clone)]
        #[must_use = "a point is written only by `.emit()`"]
        #vis struct #builder<'a> {
            buf: #krate::__private::PointBuf<'a, #blob_count, #double_count>,
        }

        #[automatically_derived]
        impl ::core::fmt::Debug for #builder<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.buf.fmt_fields(#builder_str, f)
            }
        }

        #[automatically_derived]
        impl #krate::Layout for #name {
            type Point<'a> = #builder<'a>;

            const SCHEMA: &'static #krate::Schema = &#krate::__private::schema(
                #name_str,
                #dataset,
                #binding,
                &[#(#field_schemas),*],
                #blob_count,
                #double_count,
                #naming,
                #error_text,
                #hash_key,
            );

            fn point<'a>() -> #builder<'a> {
                #builder { buf: #krate::__private::PointBuf::new(<Self as #krate::Layout>::SCHEMA) }
            }
        }

        impl #name {
            /// An empty point of this layout (every blob `''`, every double `0`).
            #vis fn point<'a>() -> #builder<'a> {
                <Self as #krate::Layout>::point()
            }

            /// Sets fields of the innermost `#[instrumented]` call of this layout that is running,
            /// from any function it calls: `set` receives the fields recorded so far by such
            /// functions, and the call takes them before its body's next `record!` and before its
            /// point is written (the last value recorded wins). With no such call running,
            /// nothing is written and `Stats::records_outside_call` counts it.
            #vis fn record(set: impl ::core::ops::FnOnce(&mut #builder<'static>)) {
                #krate::__private::record_active::<Self>(set);
            }
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            /// Writes the point to the current scope's sink (or the global sink outside any
            /// scope). Never fails and never panics: what is lost is counted in the scope's stats.
            #vis fn emit(&mut self) {
                #krate::__private::emit(&mut self.buf);
            }

            #(#getters)*

            /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
            #vis fn seal(&mut self) -> #krate::DataPoint<'_> {
                self.buf.seal()
            }
        }

        #[automatically_derived]
        impl<'a> #krate::__private::PointBuilder<'a> for #builder<'a> {
            fn slots(&mut self) -> #krate::__private::Slots<'_, 'a> {
                self.buf.slots()
            }
        }
    }
}

fn field_schema(krate: &syn::Path, field: &Field<'_>) -> TokenStream {
    let name = field.decl.ident.unraw().to_string();
    let ty = field.decl.ty.to_token_stream().to_string().replace(' ', "");
    let index = field.index;
    let doc = &field.decl.doc;
    let slot = match field.slot {
        Some(Slot::Blob(n)) => quote!(::core::option::Option::Some(#krate::Slot::Blob(#n))),
        Some(Slot::Double(n)) => quote!(::core::option::Option::Some(#krate::Slot::Double(#n))),
        None => quote!(::core::option::Option::None),
    };
    // A field written nowhere (a mistake, reported) has nothing to protect.
    let privacy = match field
        .decl
        .privacy
        .as_ref()
        .filter(|_| field.is_placed())
        .map(ToString::to_string)
        .as_deref()
    {
        Some("hashed") => quote!(#krate::Privacy::Hashed),
        Some(_) => quote!(#krate::Privacy::Redacted),
        None => quote!(#krate::Privacy::Plain),
    };
    quote! {
        #krate::__private::field(#name, #ty, #index, #slot, #doc, #privacy)
    }
}

/// A compile-time check that the declared type fits its slot kind, reported at the type.
fn type_check(krate: &syn::Path, field: &Field<'_>) -> TokenStream {
    let ty = &field.decl.ty;
    let check = match field.slot {
        Some(Slot::Double(_)) => quote!(assert_double_field),
        _ => quote!(assert_blob_field),
    };
    quote_spanned! {field.decl.ty_span()=>
        let _ = #krate::__private::#check::<#ty>;
    }
}

fn setter(krate: &syn::Path, field: &Field<'_>) -> TokenStream {
    let ident = &field.decl.ident;
    let ty = &field.decl.ty;
    let doc = if field.decl.doc.is_empty() {
        format!("Sets `{ident}`.")
    } else {
        field.decl.doc.clone()
    };
    let (arg, store) = match field.slot {
        Some(Slot::Double(n)) => (quote!(impl #krate::IntoDouble), {
            let n = position(n);
            quote!(self.buf.set_double(#n, #krate::IntoDouble::into_double(value)))
        }),
        Some(Slot::Blob(n)) => (quote!(impl #krate::IntoBlob<'a, #ty>), {
            let n = position(n);
            quote!(self.buf.set_blob(#n, #krate::IntoBlob::into_blob(value)))
        }),
        None if field.index => (
            quote!(impl #krate::IntoBlob<'a, #ty>),
            quote!(self.buf.set_index(#krate::IntoBlob::into_blob(value))),
        ),
        // A field with a mistake (reported) goes nowhere and takes anything, so its uses compile.
        None => (quote!(impl ::core::marker::Sized), quote!(let _ = value)),
    };
    // One setter per field, named as the field; `pub`, as the builder's own visibility limits
    // who can reach it.
    quote! {
        #[doc = #doc]
        pub fn #ident(&mut self, value: #arg) -> &mut Self {
            #store;
            self
        }
    }
}

/// Slot `n` as the `usize` the point's storage takes: an unsuffixed literal, one token.
fn position(n: u8) -> Literal {
    Literal::usize_unsuffixed(usize::from(n))
}

/// A typed reader per field, for emit rules and enrichers (`get_user_id()`).
fn getter(field: &Field<'_>) -> TokenStream {
    let ident = &field.decl.ident;
    let get = format_ident!("get_{}", ident);
    let doc = format!("The value `{ident}` holds so far.");
    // Read by the runtime's functions, so the user's crate has no closure of its own per getter.
    let read = match field.slot {
        Some(Slot::Blob(n)) => {
            let n = position(n);
            quote!(self.buf.text(#n))
        }
        Some(Slot::Double(n)) => {
            let n = position(n);
            quote!(self.buf.number(#n))
        }
        None => quote!(self.buf.index_text()),
    };
    let ty = match field.slot {
        Some(Slot::Double(_)) => quote!(f64),
        _ => quote!(&str),
    };
    quote! {
        #[doc = #doc]
        pub fn #get(&self) -> #ty {
            #read
        }
    }
}
