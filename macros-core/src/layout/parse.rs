//! Parsing `#[layout(...)]` and its struct into a model, collecting every error on the way.

use crate::args::{self, Args};
use crate::errors::{did_you_mean, one_of, Errors};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Fields, Ident, ItemStruct, LitInt, LitStr, Meta, Token, Type};

/// The layout as written.
pub struct LayoutDecl {
    /// The struct, with tallymark's field attributes removed.
    pub item: ItemStruct,
    pub dataset: Option<LitStr>,
    pub binding: Option<LitStr>,
    /// Arguments given (valid or not), so a bad value is not also reported as missing.
    pub given: Vec<String>,
    /// Path to the `tallymark` crate in expanded code.
    pub krate: syn::Path,
    /// `naming = "..."` or `naming = path::to::rule`.
    pub naming: Option<syn::Expr>,
    /// `error_text = chars(N)`, ...
    pub error_text: Option<syn::Expr>,
    /// `hash_key = "SECRET"`: the Worker secret that keys `#[hashed]` fields.
    pub hash_key: Option<LitStr>,
    pub fields: Vec<FieldDecl>,
}

/// One field and the slots its attributes name.
pub struct FieldDecl {
    pub ident: Ident,
    pub ty: Type,
    pub doc: String,
    /// The `#[index]` attribute, if present.
    pub index: Option<Attribute>,
    pub blob: Option<SlotAttr>,
    pub double: Option<SlotAttr>,
    /// A slot attribute was misspelled, or may be behind a `#[cfg_attr]` (either reported): the
    /// field's slot is unknown, not missing.
    pub slot_unknown: bool,
    /// `#[renamed_from = "old"]`: the field the schema lock knows at this slot under another name.
    pub renamed_from: Option<LitStr>,
    /// `#[hashed]` or `#[redacted]`, the attribute's name token.
    pub privacy: Option<Ident>,
}

/// A `#[blob(N)]` or `#[double(N)]` attribute.
pub struct SlotAttr {
    pub attr: Attribute,
    /// The slot number, when it parsed as an integer.
    pub number: Option<(u32, LitInt)>,
}

const SLOT_ATTRIBUTES: &[&str] = &[
    "index",
    "blob",
    "double",
    "renamed_from",
    "hashed",
    "redacted",
];
const ARGUMENTS: &[&str] = &[
    "dataset",
    "binding",
    "naming",
    "error_text",
    "hash_key",
    "crate",
];

/// Parses the attribute's arguments and the struct. Syntax errors in the item abort; everything
/// else is collected in `errors`.
pub fn parse(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
    errors: &mut Errors,
) -> syn::Result<LayoutDecl> {
    let mut item: ItemStruct = syn::parse2(item)?;
    let mut decl = LayoutDecl {
        item: item.clone(),
        dataset: None,
        binding: None,
        given: Vec::new(),
        krate: syn::parse_quote!(::tallymark),
        naming: None,
        error_text: None,
        hash_key: None,
        fields: Vec::new(),
    };
    match syn::parse2::<Args>(args) {
        Ok(args) => {
            for arg in args.checked(ARGUMENTS, "layout argument", |_| one_of(ARGUMENTS), errors) {
                decl.given.push(arg.key.to_string());
                match arg.key.to_string().as_str() {
                    "dataset" => decl.dataset = args::string_literal(&arg.value, "dataset", errors),
                    "binding" => decl.binding = args::string_literal(&arg.value, "binding", errors),
                    "naming" => decl.naming = Some(arg.value),
                    "error_text" => decl.error_text = Some(arg.value),
                    "hash_key" => {
                        decl.hash_key = args::string_literal(&arg.value, "hash_key", errors)
                    }
                    _ => {
                        if let Some(path) = args::path(&arg.value, "crate", errors) {
                            decl.krate = path;
                        }
                    }
                }
            }
        }
        Err(error) => errors.push(error),
    }

    let Fields::Named(named) = &mut item.fields else {
        errors.at(
            &item.ident,
            "a layout is a struct with named fields, one per blob, double or index",
        );
        decl.item = item;
        return Ok(decl);
    };
    for field in &mut named.named {
        decl.fields.push(parse_field(field, errors));
    }
    decl.item = item;
    Ok(decl)
}

/// Takes tallymark's attributes off `field` and records them.
fn parse_field(field: &mut syn::Field, errors: &mut Errors) -> FieldDecl {
    let ident = field.ident.clone().expect("named fields have names");
    let mut decl = FieldDecl {
        ident,
        ty: field.ty.clone(),
        doc: doc_comment(&field.attrs),
        index: None,
        blob: None,
        double: None,
        slot_unknown: false,
        renamed_from: None,
        privacy: None,
    };
    let mut kept = Vec::new();
    for attr in field.attrs.drain(..) {
        let name = attr
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match name.as_str() {
            "index" => {
                if !matches!(attr.meta, Meta::Path(_)) {
                    errors.at(&attr.meta, "`#[index]` takes no arguments");
                }
                if decl.index.is_some() {
                    errors.at(&attr, format!("duplicate `#[index]` on `{}`", decl.ident));
                } else {
                    decl.index = Some(attr);
                }
            }
            "hashed" | "redacted" => {
                if !matches!(attr.meta, Meta::Path(_)) {
                    errors.at(&attr.meta, format!("`#[{name}]` takes no arguments"));
                }
                let ident = attr.path().get_ident().cloned();
                match (&decl.privacy, ident) {
                    (Some(first), Some(ident)) => errors.at(
                        &ident,
                        format!(
                            "`{}` is already `#[{first}]`: a field is hashed or redacted, not both",
                            decl.ident
                        ),
                    ),
                    (None, ident) => decl.privacy = ident,
                    (_, None) => {}
                }
            }
            "renamed_from" => match &attr.meta {
                Meta::NameValue(pair) => match &pair.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(old),
                        ..
                    }) => decl.renamed_from = Some(old.clone()),
                    other => errors.at(other, "expected the old name: `#[renamed_from = \"old\"]`"),
                },
                other => errors.at(other, "expected `#[renamed_from = \"old\"]`"),
            },
            "blob" | "double" => {
                let slot = parse_slot(&attr, &name, errors);
                let target = if name == "blob" {
                    &mut decl.blob
                } else {
                    &mut decl.double
                };
                if target.is_some() {
                    errors.at(&attr, format!("duplicate `#[{name}]` on `{}`", decl.ident));
                } else {
                    *target = Some(slot);
                }
            }
            // The macro reads the field before the compiler configures it, so a field a build
            // leaves out would still have its slot in the schema, and its setter.
            "cfg" => errors.at(
                attr.path(),
                format!(
                    "`#[cfg]` on a layout field: a layout's fields are its dataset's columns, \
                     the same in every build; declare `{}` in all of them, and leave it unset \
                     where it does not apply",
                    decl.ident
                ),
            ),
            // Likewise, a slot or privacy that a build adds would be invisible to the macro.
            // Other attributes under `cfg_attr` (a `doc`, a lint) are the compiler's.
            "cfg_attr" if configures_layout_attribute(&attr) => {
                decl.slot_unknown = true;
                errors.at(
                    attr.path(),
                    format!(
                        "tallymark's attributes under `#[cfg_attr]`: a layout's fields are its \
                         dataset's columns, the same in every build; write them on `{}` \
                         unconditionally",
                        decl.ident
                    ),
                );
            }
            _ => {
                let hint = did_you_mean(&name, SLOT_ATTRIBUTES);
                if hint.is_empty() {
                    kept.push(attr);
                } else {
                    decl.slot_unknown = true;
                    errors.at(
                        attr.path(),
                        format!("unknown layout attribute `{name}`{hint}"),
                    );
                }
            }
        }
    }
    field.attrs = kept;
    decl
}

/// Whether a `#[cfg_attr(predicate, attributes..)]` applies one of the layout's attributes (one
/// that does not parse is left to the compiler, which reports it).
fn configures_layout_attribute(attr: &Attribute) -> bool {
    attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .is_ok_and(|metas| {
            metas.iter().skip(1).any(|meta| {
                meta.path()
                    .get_ident()
                    .is_some_and(|ident| SLOT_ATTRIBUTES.contains(&ident.to_string().as_str()))
            })
        })
}

fn parse_slot(attr: &Attribute, name: &str, errors: &mut Errors) -> SlotAttr {
    let number = match attr.parse_args::<LitInt>() {
        Ok(lit) => match lit.base10_parse::<u32>() {
            Ok(n) => Some((n, lit)),
            Err(error) => {
                errors.push(error);
                None
            }
        },
        Err(_) => {
            errors.at(
                &attr.meta,
                format!("expected a slot number, like `#[{name}(1)]`"),
            );
            None
        }
    };
    SlotAttr {
        attr: attr.clone(),
        number,
    }
}

/// The doc comment of an item, its lines joined with `\n` and trimmed.
pub fn doc_comment(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join("\n").trim().to_string()
}

impl FieldDecl {
    /// The declared type's span.
    pub fn ty_span(&self) -> proc_macro2::Span {
        self.ty.span()
    }
}
