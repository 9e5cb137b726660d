//! `#[derive(Event)]` input: the event type's options, and each event's fields.

use crate::errors::Errors;
use crate::helper::each_option;
use syn::ext::IdentExt as _;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, Data, DeriveInput, Expr, Fields, Ident, LitStr, Path, Token};

/// Options of the event type:
/// `#[tallymark(layout = L, prefix = "...", state = S, fields(k = v), point_only, crate = path)]`.
pub struct EventType {
    pub layout: Option<Path>,
    /// `point_only`: the type's events have no console line (they are written with `emit`).
    pub point_only: bool,
    pub prefix: String,
    pub state: Option<Path>,
    pub krate: Path,
    /// Constant fields every event of the type writes (`fields(delivery = Delivery::Reconcile)`).
    pub constants: Vec<(Ident, Expr)>,
    pub events: Vec<EventDecl>,
}

/// One event: the struct, or one enum variant.
pub struct EventDecl {
    /// `None` for a struct, the variant's name for an enum.
    pub variant: Option<Ident>,
    /// The struct's or the variant's name, where errors about the whole event point.
    pub ident: Ident,
    pub name: String,
    pub line_only: bool,
    pub fields: Vec<DetailField>,
    pub unit: bool,
}

/// A field: a console detail, and possibly a layout field.
pub struct DetailField {
    pub ident: Ident,
    pub key: String,
    pub to: Option<Ident>,
    pub error_text: Option<Ident>,
    /// `skip`: a field that goes to neither the line nor the point.
    pub skip: Option<Ident>,
}

const TYPE_OPTIONS: &[&str] = &[
    "layout",
    "prefix",
    "state",
    "fields",
    "name",
    "line_only",
    "point_only",
    "crate",
];
const EVENT_OPTIONS: &[&str] = &["name", "line_only"];
const FIELD_OPTIONS: &[&str] = &["to", "key", "error_text", "skip"];

pub fn parse(input: &DeriveInput, errors: &mut Errors) -> EventType {
    let mut parsed = EventType {
        layout: None,
        point_only: false,
        prefix: String::new(),
        state: None,
        krate: syn::parse_quote!(::tallymark),
        constants: Vec::new(),
        events: Vec::new(),
    };
    let mut struct_name = None;
    let mut struct_line_only = false;
    each_option(&input.attrs, TYPE_OPTIONS, "event", errors, |key, meta| {
        match key {
            "layout" => parsed.layout = Some(meta.value()?.parse()?),
            "state" => parsed.state = Some(meta.value()?.parse()?),
            "crate" => parsed.krate = meta.value()?.parse()?,
            "prefix" => parsed.prefix = meta.value()?.parse::<LitStr>()?.value(),
            "name" => struct_name = Some(meta.value()?.parse::<LitStr>()?),
            "line_only" => struct_line_only = true,
            "point_only" => parsed.point_only = true,
            _ => {
                let content;
                syn::parenthesized!(content in meta.input);
                parsed.constants.extend(parse_constants(&content)?);
            }
        }
        Ok(())
    });
    if parsed.layout.is_none() && !errors.suggested("layout") {
        errors.at(
            &input.ident,
            "name the layout: #[tallymark(layout = MyLayout)]",
        );
    }
    match &input.data {
        Data::Struct(data) => {
            let name = struct_name.map(|n| n.value()).unwrap_or_else(|| {
                tallymark_schema::names::snake_case(&input.ident.unraw().to_string())
            });
            parsed.events.push(EventDecl {
                variant: None,
                ident: input.ident.clone(),
                name,
                line_only: struct_line_only,
                unit: matches!(data.fields, Fields::Unit),
                fields: parse_fields(&data.fields, errors),
            });
        }
        Data::Enum(data) => {
            for variant in &data.variants {
                let (name, line_only) = variant_options(&variant.ident, &variant.attrs, errors);
                parsed.events.push(EventDecl {
                    variant: Some(variant.ident.clone()),
                    ident: variant.ident.clone(),
                    name,
                    line_only,
                    unit: matches!(variant.fields, Fields::Unit),
                    fields: parse_fields(&variant.fields, errors),
                });
            }
        }
        Data::Union(_) => errors.at(&input.ident, "an event is a struct or an enum"),
    }
    parsed
}

fn parse_constants(input: ParseStream<'_>) -> syn::Result<Vec<(Ident, Expr)>> {
    let pairs = Punctuated::<syn::MetaNameValue, Token![,]>::parse_terminated(input)?;
    pairs
        .into_iter()
        .map(|pair| match pair.path.get_ident() {
            Some(ident) => Ok((ident.clone(), pair.value)),
            None => Err(syn::Error::new_spanned(
                pair.path,
                "expected a layout field name",
            )),
        })
        .collect()
}

fn variant_options(ident: &Ident, attrs: &[Attribute], errors: &mut Errors) -> (String, bool) {
    let mut name = tallymark_schema::names::snake_case(&ident.unraw().to_string());
    let mut line_only = false;
    each_option(attrs, EVENT_OPTIONS, "variant", errors, |key, meta| {
        match key {
            "name" => name = meta.value()?.parse::<LitStr>()?.value(),
            _ => line_only = true,
        }
        Ok(())
    });
    (name, line_only)
}

fn parse_fields(fields: &Fields, errors: &mut Errors) -> Vec<DetailField> {
    let mut parsed = Vec::new();
    match fields {
        Fields::Unit => {}
        Fields::Unnamed(unnamed) => errors.at(
            unnamed,
            "event fields need names: they are the console line's detail keys",
        ),
        Fields::Named(named) => {
            for field in &named.named {
                let ident = field.ident.clone().expect("named field");
                let mut detail = DetailField {
                    key: ident.unraw().to_string(),
                    ident,
                    to: None,
                    error_text: None,
                    skip: None,
                };
                each_option(&field.attrs, FIELD_OPTIONS, "field", errors, |key, meta| {
                    match key {
                        "to" => detail.to = Some(meta.value()?.parse()?),
                        "key" => detail.key = meta.value()?.parse::<LitStr>()?.value(),
                        "skip" => detail.skip = meta.path.get_ident().cloned(),
                        _ => detail.error_text = meta.path.get_ident().cloned(),
                    }
                    Ok(())
                });
                parsed.push(detail);
            }
        }
    }
    parsed
}

/// A state field's mapping for `#[derive(Dimensions)]`: `#[tallymark(to = field)]`, or
/// `#[tallymark(to = field, overridable)]` when an event's own value wins over it.
pub fn parse_dimension(field: &syn::Field, errors: &mut Errors) -> Option<(Ident, bool)> {
    let mut to = None;
    let mut overridable = None;
    each_option(
        &field.attrs,
        &["to", "overridable"],
        "dimension",
        errors,
        |key, meta| {
            match key {
                "to" => to = Some(meta.value()?.parse::<Ident>()?),
                _ => overridable = Some(meta.path.clone()),
            }
            Ok(())
        },
    );
    match (to, overridable) {
        (Some(to), overridable) => Some((to, overridable.is_some())),
        (None, Some(path)) => {
            errors.at(path, "`overridable` goes with `to = field`");
            None
        }
        (None, None) => None,
    }
}
