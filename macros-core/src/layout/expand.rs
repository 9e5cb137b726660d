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
    let field_schemas = placed().map(field_schema);
    let type_checks = placed().map(|f| type_check(krate, f));
    // A field named like a builder method (reported) gets no setter or getter of its own.
    let methods: Vec<&Field<'_>> = layout
        .fields
        .iter()
        .filter(|f| super::validate::method_clash(layout.decl, f.decl).is_none())
        .collect();
    let of_kind = |kind: Kind| {
        methods
            .iter()
            .filter(move |f| Kind::of(f) == kind)
            .map(|f| method_entry(f))
    };
    let (blobs, doubles) = (of_kind(Kind::Blob), of_kind(Kind::Double));
    let (indexes, nowhere) = (of_kind(Kind::Index), of_kind(Kind::Nowhere));
    let name_str = name.to_string();
    let builder_str = builder.to_string();
    let naming = &layout.naming;
    let error_text = &layout.error_text;
    let hash_key = match &layout.decl.hash_key {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };

    // The items beside the layout are the runtime's `layout_items!`: given these names and
    // literals, the compiler writes them (see the macro's doc for what each part is).
    quote! {
        #[allow(dead_code)]
        #item

        const _: () = { #(#type_checks)* };

        #krate::__private::layout_items! {
            #vis #name => #builder (#name_str, #builder_str)
            counts (#blob_count, #double_count)
            schema (#dataset, #binding, #naming, #error_text, #hash_key)
            fields [#(#field_schemas)*]
            blob [#(#blobs)*]
            double [#(#doubles)*]
            index [#(#indexes)*]
            nowhere [#(#nowhere)*]
        }
    }
}

/// Which setter a field gets: by its slot, the index alone, or none (a field with a mistake,
/// reported, whose setter takes anything so that its uses compile).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blob,
    Double,
    Index,
    Nowhere,
}

impl Kind {
    fn of(field: &Field<'_>) -> Kind {
        match field.slot {
            Some(Slot::Blob(_)) => Kind::Blob,
            Some(Slot::Double(_)) => Kind::Double,
            None if field.index => Kind::Index,
            None => Kind::Nowhere,
        }
    }

    /// The kind's name in `layout_items!`: its list of setters, and for a placed field the
    /// function of the runtime's `__private::slot` that gives its schema slot.
    fn name(self) -> TokenStream {
        match self {
            Kind::Blob => quote!(blob),
            Kind::Double => quote!(double),
            Kind::Index => quote!(index),
            Kind::Nowhere => quote!(nowhere),
        }
    }
}

/// A placed field's entry in the schema (a field written nowhere, a mistake already reported, has
/// none, so nothing to protect): its name and type as text, whether it is the index, its
/// slot (a function of the runtime's `__private::slot`, and a position), doc and privacy.
fn field_schema(field: &Field<'_>) -> TokenStream {
    let name = field.decl.ident.unraw().to_string();
    let ty = field.decl.ty.to_token_stream().to_string().replace(' ', "");
    let index = field.index;
    let doc = &field.decl.doc;
    let slot = Kind::of(field).name();
    let n = slot_position(field);
    let privacy = match field
        .decl
        .privacy
        .as_ref()
        .map(ToString::to_string)
        .as_deref()
    {
        Some("hashed") => quote!(Hashed),
        Some(_) => quote!(Redacted),
        None => quote!(Plain),
    };
    quote!((#name, #ty, #index, #slot #n, #doc, #privacy))
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

/// A field's entry in the list of its kind given to `layout_items!`: its setter's and getter's
/// names, its position (a blob or double), its type (where the setter converts to it) and the
/// setter's doc: the field's own, else `Sets `<field>`.`.
fn method_entry(field: &Field<'_>) -> TokenStream {
    let setter = &field.decl.ident;
    let getter = format_ident!("get_{}", setter);
    let ty = &field.decl.ty;
    let n = slot_position(field);
    let doc = if field.decl.doc.is_empty() {
        format!("Sets `{setter}`.")
    } else {
        field.decl.doc.clone()
    };
    match Kind::of(field) {
        Kind::Blob => quote!(#setter #getter #n (#ty) #doc),
        Kind::Double => quote!(#setter #getter #n #doc),
        Kind::Index => quote!(#setter #getter (#ty) #doc),
        Kind::Nowhere => quote!(#setter #getter #doc),
    }
}

/// The field's position among the slots of its kind, as an unsuffixed literal (one token); `0`
/// for a field with no slot.
fn slot_position(field: &Field<'_>) -> Literal {
    let n = match field.slot {
        Some(Slot::Blob(n) | Slot::Double(n)) => n,
        None => 0,
    };
    Literal::u8_unsuffixed(n)
}
