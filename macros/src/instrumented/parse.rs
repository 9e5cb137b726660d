//! `#[instrumented(Layout, key = value, ...)]`: the arguments, checked with every error collected.

use crate::args::{self, Arg, LayoutArgs};
use crate::errors::Errors;
use syn::{Expr, Ident, LitStr, Path};

/// The attribute as written. Keys other than `route`, `event`, `ok_if`, `error_if`, `emit_if`,
/// `enrich` and `crate` name layout fields.
pub struct InstrumentedArgs {
    pub layout: Path,
    pub route: Option<LitStr>,
    pub event: Option<LitStr>,
    pub ok_if: Option<Expr>,
    pub error_if: Option<Expr>,
    pub emit_if: Option<Expr>,
    pub enrich: Option<Expr>,
    pub krate: Path,
    /// `field = expr` mappings, in order.
    pub fields: Vec<(Ident, Expr)>,
}

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
    let mut parsed = InstrumentedArgs {
        layout: raw.layout,
        route: None,
        event: None,
        ok_if: None,
        error_if: None,
        emit_if: None,
        enrich: None,
        krate: syn::parse_quote!(::tallymark),
        fields: Vec::new(),
    };
    for Arg { key, value } in raw.args.without_repeats("argument", errors) {
        match key.to_string().as_str() {
            "route" => parsed.route = args::string_literal(&value, "route", errors),
            "event" => parsed.event = args::string_literal(&value, "event", errors),
            "ok_if" => parsed.ok_if = Some(value),
            "error_if" => parsed.error_if = Some(value),
            "emit_if" => parsed.emit_if = Some(value),
            "enrich" => parsed.enrich = Some(value),
            "crate" => {
                if let Some(path) = args::path(&value, "crate", errors) {
                    parsed.krate = path;
                }
            }
            _ => parsed.fields.push((key, value)),
        }
    }
    Ok(parsed)
}
