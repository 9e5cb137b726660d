//! Code generation for a valid layout: the schema, the typed builder, and the type checks.

use super::validate::{Field, Layout, Slot};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

/// Most fields one `tracing` event can carry (the dataset takes one more).
const TRACING_MAX_FIELDS: usize = 31;

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

    let field_schemas = layout.fields.iter().map(|f| field_schema(krate, f));
    let type_checks = layout.fields.iter().map(|f| type_check(krate, f));
    let setters = layout.fields.iter().map(|f| setter(krate, f));
    let trace_body = trace_body(krate, layout);
    let fills = fills(krate, layout);
    let getters = layout.fields.iter().map(getter);
    let builder_doc = format!("The typed builder of [`{name}`] points: one setter per field.");
    let name_str = name.to_string();

    quote! {
        #[allow(dead_code)]
        #item

        const _: () = { #(#type_checks)* };

        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #vis struct #builder<'a> {
            buf: #krate::PointBuf<'a, #blob_count, #double_count>,
        }

        #[automatically_derived]
        impl #krate::Layout for #name {
            type Point<'a> = #builder<'a>;

            const SCHEMA: &'static #krate::Schema = &#krate::Schema {
                layout: #name_str,
                dataset: #dataset,
                binding: #binding,
                fields: &[#(#field_schemas),*],
                blob_count: #blob_count,
                double_count: #double_count,
                trace: {
                    fn trace(point: &#krate::DataPoint<'_>) {
                        #trace_body
                    }
                    trace
                },
            };

            fn point<'a>() -> #builder<'a> {
                #builder { buf: #krate::PointBuf::new(<Self as #krate::Layout>::SCHEMA) }
            }
        }

        #[automatically_derived]
        impl #name {
            /// An empty point of this layout (every blob `''`, every double `0`).
            #vis fn point<'a>() -> #builder<'a> {
                <Self as #krate::Layout>::point()
            }
        }

        #[automatically_derived]
        impl<'a> #builder<'a> {
            #(#setters)*

            /// Writes the point to the current scope's sink (see `tallymark::emit`).
            #vis fn emit(&mut self) {
                #krate::emit(&mut self.buf);
            }

            #(#getters)*

            /// Clamps the point to Analytics Engine's limits and returns the view sinks read.
            #vis fn seal(&mut self) -> #krate::DataPoint<'_> {
                self.buf.seal()
            }
        }

        #[automatically_derived]
        impl<'a> #krate::PointBuilder<'a> for #builder<'a> {
            fn seal(&mut self) -> #krate::DataPoint<'_> {
                self.buf.seal()
            }

            fn emit_in(&mut self, scope: ::core::option::Option<&#krate::Scope>) {
                #krate::emit_in(scope, &mut self.buf);
            }

            #fills
        }
    }
}

fn field_schema(krate: &syn::Path, field: &Field<'_>) -> TokenStream {
    let name = field.decl.ident.to_string();
    let ty = field.decl.ty.to_token_stream().to_string().replace(' ', "");
    let index = field.index;
    let doc = &field.decl.doc;
    let slot = match field.slot {
        Some(Slot::Blob(n)) => quote!(::core::option::Option::Some(#krate::Slot::Blob(#n))),
        Some(Slot::Double(n)) => quote!(::core::option::Option::Some(#krate::Slot::Double(#n))),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #krate::FieldSchema { name: #name, ty: #ty, index: #index, slot: #slot, doc: #doc }
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
        Some(Slot::Double(n)) => (
            quote!(impl #krate::IntoDouble),
            quote!(self.buf.set_double(#n as usize, #krate::IntoDouble::into_double(value))),
        ),
        Some(Slot::Blob(n)) => (
            quote!(impl #krate::IntoBlob<'a, #ty>),
            quote!(self.buf.set_blob(#n as usize, #krate::IntoBlob::into_blob(value))),
        ),
        None => (
            quote!(impl #krate::IntoBlob<'a, #ty>),
            quote!(self.buf.set_index(#krate::IntoBlob::into_blob(value))),
        ),
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

/// The body of the generated `tracing` emitter: one event, fields by name.
fn trace_body(krate: &syn::Path, layout: &Layout<'_>) -> TokenStream {
    let tracing = quote!(#krate::__private::tracing);
    let level = quote!(#tracing::Level::INFO);
    if layout.fields.len() > TRACING_MAX_FIELDS {
        return quote! {
            #tracing::event!(target: "tallymark", #level,
                tallymark.dataset = point.dataset(),
                tallymark.fields = %#krate::__private::json_line(point));
        };
    }
    let values: Vec<Ident> = (0..layout.fields.len())
        .map(|i| format_ident!("value_{}", i))
        .collect();
    let reads = layout
        .fields
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, (f, v))| {
            let read = match f.slot {
                Some(Slot::Double(_)) => quote!(trace_number),
                _ => quote!(trace_text),
            };
            quote!(let #v = #krate::__private::#read(point, &fields[#i]);)
        });
    let pairs = layout.fields.iter().zip(&values).map(|(f, v)| {
        let ident = &f.decl.ident;
        match f.slot {
            Some(Slot::Double(_)) => quote!(#ident = #v),
            _ => quote!(#ident = &*#v),
        }
    });
    quote! {
        let fields = point.schema().fields;
        #(#reads)*
        #tracing::event!(target: "tallymark", #level,
            tallymark.dataset = point.dataset(), #(#pairs),*);
    }
}

/// A typed reader per field, for emit rules and enrichers (`get_user_id()`).
fn getter(field: &Field<'_>) -> TokenStream {
    let ident = &field.decl.ident;
    let get = format_ident!("get_{}", ident);
    let doc = format!("The value `{ident}` holds so far.");
    let read = match field.slot {
        Some(Slot::Blob(n)) => {
            quote!(self.buf.blob(#n as usize).map_or("", |b| b.as_str().unwrap_or("")))
        }
        Some(Slot::Double(n)) => quote!(self.buf.double(#n as usize).unwrap_or(0.0)),
        None => quote!(self.buf.index().as_str().unwrap_or("")),
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

/// The `fill_*` hooks of `PointBuilder`, each writing the field of its conventional name when the
/// layout has it in a slot of the right kind.
fn fills(krate: &syn::Path, layout: &Layout<'_>) -> TokenStream {
    let blob_field = |name: &str| {
        layout.fields.iter().find_map(|f| match f.slot {
            Some(Slot::Blob(n)) if f.decl.ident == name => Some(n),
            _ => None,
        })
    };
    let store_blob = |name: &str, value: TokenStream| match blob_field(name) {
        Some(n) => quote!(self.buf.set_blob(#n as usize, #value);),
        None => quote!(let _ = #value;),
    };
    // The event name goes to `event`, else to the index (through its blob when it has one).
    let index_blob = layout.fields.iter().find_map(|f| match f.slot {
        Some(Slot::Blob(n)) if f.index => Some(n),
        _ => None,
    });
    let event = match blob_field("event").or(index_blob) {
        Some(n) => quote!(self.buf.set_blob(#n as usize, name);),
        None => quote!(self.buf.set_index(name);),
    };
    let route = store_blob("route", quote!(route));
    let error = store_blob("error", quote!(text));
    let outcome = store_blob(
        "outcome",
        quote!(#krate::Blob::Text(::std::borrow::Cow::Borrowed(outcome))),
    );
    let duration = layout.fields.iter().find_map(|f| match f.slot {
        Some(Slot::Double(n)) if f.decl.ident == "duration_ms" => Some(n),
        _ => None,
    });
    let duration = match duration {
        Some(n) => quote!(self.buf.set_double(#n as usize, ms);),
        None => quote!(let _ = ms;),
    };
    quote! {
        fn fill_event(&mut self, name: #krate::Blob<'a>) { #event }
        fn fill_route(&mut self, route: #krate::Blob<'a>) { #route }
        fn fill_error(&mut self, text: #krate::Blob<'a>) { #error }
        fn fill_outcome(&mut self, outcome: &'static str) { #outcome }
        fn fill_duration_ms(&mut self, ms: f64) { #duration }
    }
}
