//! `#[instrumented(Layout, option = value, ..., fields(field = value, ...))]`: the arguments,
//! checked with every error collected.

use crate::args::{self, Arg, LayoutArgs, Naming};
use crate::errors::Errors;
use syn::{Expr, Ident, LitStr, Path};

/// The options `#[instrumented]` takes besides `fields(...)`.
pub const OPTIONS: &[&str] = &[
    "route", "event", "naming", "ok_if", "error_if", "emit_if", "enrich", "crate",
];

/// The attribute as written.
pub struct InstrumentedArgs {
    pub layout: Path,
    pub route: Option<LitStr>,
    pub event: Option<LitStr>,
    /// `naming = ...`, with its key.
    pub naming: Option<(Ident, Naming)>,
    pub ok_if: Option<Expr>,
    pub error_if: Option<Expr>,
    pub emit_if: Option<Expr>,
    pub enrich: Option<Expr>,
    pub krate: Path,
    /// `fields(field = expr, ...)`, in order.
    pub fields: Vec<(Ident, Expr)>,
}

/// Parses the arguments; only a syntax error (or no layout) stops the parse, every other mistake
/// is collected in `errors` and left out.
pub fn parse(
    tokens: proc_macro2::TokenStream,
    errors: &mut Errors,
) -> syn::Result<InstrumentedArgs> {
    if tokens.is_empty() {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "name the layout first: #[tallymark::instrumented(MyLayout, route = \"GET /path\")]",
        ));
    }
    let raw: LayoutArgs = syn::parse2(tokens)?;
    let layout = raw.layout.clone();
    let (options, fields) = raw.checked(OPTIONS, errors);
    let mut parsed = InstrumentedArgs {
        layout,
        route: None,
        event: None,
        naming: None,
        ok_if: None,
        error_if: None,
        emit_if: None,
        enrich: None,
        krate: syn::parse_quote!(::tallymark),
        fields: fields
            .into_iter()
            .map(|Arg { key, value }| (key, value))
            .collect(),
    };
    for Arg { key, value } in options {
        match key.to_string().as_str() {
            "route" => parsed.route = args::string_literal(&value, "route", errors),
            "event" => parsed.event = args::string_literal(&value, "event", errors),
            "naming" => parsed.naming = Naming::parse(&value, errors).map(|naming| (key, naming)),
            "ok_if" => parsed.ok_if = Some(value),
            "error_if" => parsed.error_if = Some(value),
            "emit_if" => parsed.emit_if = Some(value),
            "enrich" => parsed.enrich = Some(value),
            _ => {
                if let Some(path) = args::path(&value, "crate", errors) {
                    parsed.krate = path;
                }
            }
        }
    }
    Ok(parsed)
}
