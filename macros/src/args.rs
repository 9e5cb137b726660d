//! `key = value` argument lists shared by the attribute macros: parsed once, checked for unknown
//! and duplicate keys with every error collected.

use crate::errors::{did_you_mean, Errors};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

/// One `key = value` argument.
pub struct Arg {
    pub key: Ident,
    pub value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Arg { key, value })
    }
}

/// A comma-separated list of [`Arg`]s.
pub struct Args(pub Vec<Arg>);

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let list = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
        Ok(Args(list.into_iter().collect()))
    }
}

impl Args {
    /// Keeps the first occurrence of each key, reporting every repeat at its key as a duplicate
    /// `what` (`argument`, `layout argument`).
    pub fn without_repeats(self, what: &str, errors: &mut Errors) -> Vec<Arg> {
        let mut kept: Vec<Arg> = Vec::new();
        for arg in self.0 {
            let name = arg.key.unraw();
            if kept.iter().any(|k| k.key.unraw() == name) {
                errors.at(&arg.key, format!("duplicate {what} `{name}`"));
            } else {
                kept.push(arg);
            }
        }
        kept
    }

    /// [`Args::without_repeats`], then reports unknown keys (with a hint) and drops them.
    pub fn checked(self, known: &[&str], what: &str, errors: &mut Errors) -> Vec<Arg> {
        let mut kept = self.without_repeats(&format!("{what} argument"), errors);
        kept.retain(|arg| {
            let name = arg.key.unraw().to_string();
            if known.contains(&name.as_str()) {
                return true;
            }
            let hint = match did_you_mean(&name, known) {
                hint if !hint.is_empty() => hint,
                _ => {
                    let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    format!("; expected one of {}", expected.join(", "))
                }
            };
            errors.at(&arg.key, format!("unknown {what} argument `{name}`{hint}"));
            false
        });
        kept
    }
}

/// `Layout, key = value, ...`: the attribute arguments of `#[instrumented]` and the step attributes.
pub struct LayoutArgs {
    pub layout: syn::Path,
    pub args: Args,
}

impl Parse for LayoutArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let layout = input.parse()?;
        let args = if input.is_empty() {
            Args(Vec::new())
        } else {
            input.parse::<Token![,]>()?;
            input.parse()?
        };
        Ok(LayoutArgs { layout, args })
    }
}

/// The string literal of `expr`, or an error at it.
pub fn string_literal(expr: &Expr, key: &str, errors: &mut Errors) -> Option<syn::LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Some(lit.clone()),
        other => {
            errors.at(
                other,
                format!("`{key}` takes a string literal, like `{key} = \"...\"`"),
            );
            None
        }
    }
}

/// The path of `expr`, or an error at it.
pub fn path(expr: &Expr, key: &str, errors: &mut Errors) -> Option<syn::Path> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => Some(p.path.clone()),
        other => {
            errors.at(
                other,
                format!("`{key}` takes a path, like `{key} = ::tallymark`"),
            );
            None
        }
    }
}
