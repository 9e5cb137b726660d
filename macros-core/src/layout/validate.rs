//! The layout rules: each is checked independently so one compile reports every broken rule.

use super::parse::{FieldDecl, LayoutDecl, SlotAttr};
use crate::args::{text_limit, Naming};
use crate::errors::Errors;
use crate::Hashing;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;

/// Most blobs and most doubles a point may carry.
pub const MAX_SLOTS: u32 = 20;

/// What a field occupies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Blob(u8),
    Double(u8),
}

/// A field, with where it goes. A field with a mistake goes nowhere: its setter accepts a value
/// and ignores it, so code using the layout still compiles while the mistake is reported.
pub struct Field<'d> {
    pub decl: &'d FieldDecl,
    pub index: bool,
    pub slot: Option<Slot>,
}

impl Field<'_> {
    /// Whether the field is written anywhere.
    pub fn is_placed(&self) -> bool {
        self.index || self.slot.is_some()
    }
}

/// A layout, valid or (after errors) the fallback that keeps its users compiling.
pub struct Layout<'d> {
    pub decl: &'d LayoutDecl,
    pub dataset: String,
    pub binding: String,
    /// `tallymark::EventNaming` tokens.
    pub naming: TokenStream,
    /// `tallymark::TextLimit` tokens.
    pub error_text: TokenStream,
    pub fields: Vec<Field<'d>>,
    /// Highest blob slot declared.
    pub blob_count: u8,
    /// Highest double slot declared.
    pub double_count: u8,
}

/// Names a layout's builder generates as methods besides one setter per field.
const BUILDER_METHODS: &[&str] = &["emit", "seal"];

/// Checks every rule, reporting each broken one; returns the layout to expand (the fallback one
/// when a rule is broken).
pub fn validate<'d>(decl: &'d LayoutDecl, hashing: Hashing, errors: &mut Errors) -> Layout<'d> {
    let dataset = check_name(decl, decl.dataset.as_ref(), "dataset", errors);
    let binding = check_name(decl, decl.binding.as_ref(), "binding", errors);
    let krate = &decl.krate;
    let naming = decl
        .naming
        .as_ref()
        .and_then(|expr| Naming::parse(expr, errors))
        .map_or_else(
            || quote!(#krate::EventNaming::PathMethod),
            |naming| naming.tokens(krate),
        );
    let error_text = decl
        .error_text
        .as_ref()
        .and_then(|expr| text_limit(expr, krate, errors))
        .unwrap_or_else(|| quote!(#krate::TextLimit::DEFAULT_ERROR));
    check_method_names(decl, errors);

    let mut fields = Vec::new();
    let mut index_field: Option<&FieldDecl> = None;
    let mut blobs = SlotTable::new("blob");
    let mut doubles = SlotTable::new("double");

    for field in &decl.fields {
        if let Some(attr) = &field.index {
            match index_field {
                Some(first) => errors.at(
                    attr,
                    format!(
                        "a layout has exactly one index, and `{}` is already the index",
                        first.ident
                    ),
                ),
                None => index_field = Some(field),
            }
            if let Some(double) = &field.double {
                errors.at(
                    &double.attr,
                    format!(
                        "the index `{}` is text and cannot also be a double",
                        field.ident
                    ),
                );
            }
        }
        if let (Some(_), Some(double)) = (&field.blob, &field.double) {
            errors.at(
                &double.attr,
                format!(
                    "`{}` is already a blob; a field occupies one slot",
                    field.ident
                ),
            );
        }
        let unplaced = field.index.is_none() && field.blob.is_none() && field.double.is_none();
        if unplaced && !field.slot_unknown {
            errors.at(
                &field.ident,
                format!(
                    "`{}` has no slot: mark it `#[blob(N)]`, `#[double(N)]` or `#[index]`",
                    field.ident
                ),
            );
        }
        check_privacy(decl, field, hashing, errors);
        let slot = match (&field.blob, &field.double) {
            (Some(blob), _) => blobs.claim(field, blob, errors).map(Slot::Blob),
            (None, Some(double)) => doubles.claim(field, double, errors).map(Slot::Double),
            (None, None) => None,
        };
        // A field that cannot be hashed is a mistake (reported once, by `check_hashing`): it
        // goes nowhere, so its value is never written as it is.
        let refused = hashing == Hashing::Unavailable && hashed_attr(field).is_some();
        fields.push(Field {
            decl: field,
            index: field.index.is_some() && !refused,
            slot: slot.filter(|_| !refused),
        });
    }

    if index_field.is_none() && !decl.fields.is_empty() {
        errors.at(
            &decl.item.ident,
            format!(
                "layout `{}` has no index: mark exactly one text field `#[index]`",
                decl.item.ident
            ),
        );
    } else if decl.fields.is_empty() {
        errors.at(&decl.item.ident, "a layout needs at least an index field");
    }
    if !decl.item.generics.params.is_empty() {
        errors.at(&decl.item.generics, "a layout cannot be generic");
    }
    check_hashing(decl, hashing, errors);

    Layout {
        decl,
        dataset: dataset.unwrap_or_default(),
        binding: binding.unwrap_or_default(),
        naming,
        error_text,
        fields,
        blob_count: blobs.highest,
        double_count: doubles.highest,
    }
}

/// Why `field` cannot have its name: it is the name of a method the builder generates
/// (`emit`, `seal`, or the getter `get_<field>` of another field).
pub fn method_clash(decl: &LayoutDecl, field: &FieldDecl) -> Option<String> {
    let name = field.ident.unraw().to_string();
    if BUILDER_METHODS.contains(&name.as_str()) {
        return Some(format!(
            "a layout field cannot be named `{name}`: the point builder has a method `{name}`"
        ));
    }
    let other = name.strip_prefix("get_")?;
    decl.fields.iter().any(|f| f.ident == other).then(|| {
        format!("a layout field cannot be named `{name}`: it is the getter of the field `{other}`")
    })
}

fn check_method_names(decl: &LayoutDecl, errors: &mut Errors) {
    for field in &decl.fields {
        if let Some(message) = method_clash(decl, field) {
            errors.at(&field.ident, message);
        }
    }
}

/// Which field took which slot of one kind.
struct SlotTable<'d> {
    kind: &'static str,
    taken: Vec<(u8, &'d FieldDecl)>,
    highest: u8,
}

impl<'d> SlotTable<'d> {
    fn new(kind: &'static str) -> Self {
        SlotTable {
            kind,
            taken: Vec::new(),
            highest: 0,
        }
    }

    fn claim(&mut self, field: &'d FieldDecl, attr: &SlotAttr, errors: &mut Errors) -> Option<u8> {
        let kind = self.kind;
        let count = self.taken.len() + 1;
        if count == MAX_SLOTS as usize + 1 {
            errors.at(
                &field.ident,
                format!(
                    "too many {kind}s: `{}` is the {count}st; Analytics Engine allows at most \
                     {MAX_SLOTS} {kind}s per data point",
                    field.ident
                ),
            );
        }
        let (number, lit) = attr.number.as_ref()?;
        if !(1..=MAX_SLOTS).contains(number) {
            errors.at(
                lit,
                format!(
                    "{kind} slot {number} is out of range: slots are numbered 1 to {MAX_SLOTS}"
                ),
            );
            return None;
        }
        let slot = u8::try_from(*number).ok()?;
        if let Some((_, owner)) = self.taken.iter().find(|(taken, _)| *taken == slot) {
            errors.at(
                lit,
                format!("{kind}{slot} is already taken by `{}`", owner.ident),
            );
            return None;
        }
        self.taken.push((slot, field));
        self.highest = self.highest.max(slot);
        Some(slot)
    }
}

fn check_name(
    decl: &LayoutDecl,
    lit: Option<&syn::LitStr>,
    key: &str,
    errors: &mut Errors,
) -> Option<String> {
    let Some(lit) = lit else {
        if !decl.given.iter().any(|given| given == key) && !errors.suggested(key) {
            errors.push(syn::Error::new(
                proc_macro2::Span::call_site(),
                format!("missing `{key} = \"...\"` in #[tallymark::layout(...)]"),
            ));
        }
        return None;
    };
    let value = lit.value();
    if !is_identifier(&value) {
        errors.at(
            lit,
            format!(
                "`{value}` is not a valid {key} name: use letters, digits and underscores, \
                 starting with a letter or underscore"
            ),
        );
    }
    Some(value)
}

/// Dataset and binding names: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Without tallymark's `hashed` feature nothing can hash: the layout's first `#[hashed]` field
/// says so, once (the mistake is the missing feature, not each field).
fn check_hashing(decl: &LayoutDecl, hashing: Hashing, errors: &mut Errors) {
    if hashing == Hashing::Available {
        return;
    }
    if let Some(attr) = decl.fields.iter().find_map(hashed_attr) {
        errors.at(
            attr,
            "`#[hashed]` needs tallymark's `hashed` feature: \
             `tallymark = { version = \"..\", features = [\"hashed\"] }` in Cargo.toml",
        );
    }
}

/// The `hashed` of the field's `#[hashed]`, if it has one.
fn hashed_attr(field: &FieldDecl) -> Option<&syn::Ident> {
    field.privacy.as_ref().filter(|attr| *attr == "hashed")
}

/// `#[hashed]` needs the layout's `hash_key`, and text: a hashed double would be a number
/// without meaning. (Without the `hashed` feature, `check_hashing`'s error says all there is.)
fn check_privacy(decl: &LayoutDecl, field: &FieldDecl, hashing: Hashing, errors: &mut Errors) {
    let Some(attr) = hashed_attr(field).filter(|_| hashing == Hashing::Available) else {
        return;
    };
    if field.double.is_some() {
        errors.at(
            attr,
            format!(
                "`{}` is a double: only text fields can be hashed",
                field.ident
            ),
        );
    } else if decl.hash_key.is_none() {
        errors.at(
            attr,
            "a hashed field needs the layout's key: `#[tallymark::layout(.., hash_key = \"SECRET_NAME\")]`, \
             the Worker secret the hash is keyed with",
        );
    }
}
