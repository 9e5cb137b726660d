//! `key = value` argument lists shared by the attribute macros: parsed once, checked for unknown
//! and duplicate keys with every error collected.

use crate::errors::{did_you_mean, hint, quoted, Errors};
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

    /// [`Args::without_repeats`], then reports unknown keys and drops them: "unknown `what`
    /// `key`", then a did-you-mean, or when no key is close, what `otherwise` says of the key.
    pub fn checked(
        self,
        known: &[&str],
        what: &str,
        otherwise: impl Fn(&str) -> String,
        errors: &mut Errors,
    ) -> Vec<Arg> {
        let mut kept = self.without_repeats(what, errors);
        kept.retain(|arg| {
            let name = arg.key.unraw().to_string();
            if known.contains(&name.as_str()) {
                return true;
            }
            let hint = errors.hint_for_key(&name, known, || otherwise(&name));
            errors.at(&arg.key, format!("unknown {what} `{name}`{hint}"));
            false
        });
        kept
    }
}

/// `Layout, option = value, ..., fields(field = value, ...)`: the arguments of `#[instrumented]`
/// and the step attributes. Options and layout fields live in separate namespaces, so a field may
/// be named like an option and a misspelled option is never taken for a field.
pub struct LayoutArgs {
    pub layout: syn::Path,
    pub options: Args,
    /// The `fields` keyword of each `fields(...)` group, with its contents.
    pub fields: Vec<(Ident, Args)>,
}

impl Parse for LayoutArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let layout = input.parse()?;
        let mut options = Vec::new();
        let mut fields = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            if input.peek(Ident::peek_any) && input.peek2(syn::token::Paren) {
                let key = input.call(Ident::parse_any)?;
                let content;
                syn::parenthesized!(content in input);
                if key == "fields" {
                    fields.push((key, content.parse()?));
                } else {
                    return Err(syn::Error::new_spanned(
                        key,
                        "expected `option = value` or `fields(field = value, ...)`",
                    ));
                }
            } else {
                options.push(input.parse()?);
            }
        }
        Ok(LayoutArgs {
            layout,
            options: Args(options),
            fields,
        })
    }
}

impl LayoutArgs {
    /// The options, checked against `known` (unknown and repeated ones reported and dropped), and
    /// every `field = value` of the `fields(...)` groups (a field given twice reported).
    pub fn checked(self, known: &[&str], errors: &mut Errors) -> (Vec<Arg>, Vec<Arg>) {
        let options = self.options.checked(
            known,
            "option",
            |name| {
                format!(
                    "; the options are {}, and layout fields are set in `fields({name} = ...)`",
                    quoted(known)
                )
            },
            errors,
        );
        let mut groups = self.fields.into_iter();
        let mut fields = Args(Vec::new());
        if let Some((_, first)) = groups.next() {
            fields = first;
        }
        for (key, group) in groups {
            errors.at(&key, "give every field in one `fields(...)` group");
            fields.0.extend(group.0);
        }
        let mut fields = fields.without_repeats("field", errors);
        // Keys are read as options' are (`crate = ...`), so a keyword gets this far; as a field
        // it would expand to `point.use(...)`, which does not parse.
        fields.retain(|arg| {
            let is_name = syn::parse2::<Ident>(quote::ToTokens::to_token_stream(&arg.key)).is_ok();
            if !is_name {
                errors.at(
                    &arg.key,
                    format!(
                        "`{}` is a keyword, not a field name (a field named so is written `r#{}`)",
                        arg.key, arg.key
                    ),
                );
            }
            is_name
        });
        (options, fields)
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

/// `naming = "path_method" | "api_crud" | path::to::rule`, as `tallymark::EventNaming` tokens
/// (the built-in rule too, for `#[instrumented]` to apply at compile time).
pub enum Naming {
    Builtin(tallymark_schema::names::NamingRule),
    Custom(syn::Path),
}

impl Naming {
    /// Parses the value of `naming = ...`, or reports why it cannot be one.
    pub fn parse(expr: &Expr, errors: &mut Errors) -> Option<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => {
                let name = lit.value();
                let rule = tallymark_schema::names::NamingRule::from_attribute_name(&name);
                if rule.is_none() {
                    let known: Vec<&str> = tallymark_schema::names::NamingRule::ALL
                        .iter()
                        .map(|rule| rule.attribute_name())
                        .collect();
                    let hint = hint(&name, &known, || {
                        format!(
                            "; the built-in rules are \"{}\", or name a `fn(&str, &str) -> String`",
                            known.join("\", \"")
                        )
                    });
                    errors.at(lit, format!("unknown naming rule \"{name}\"{hint}"));
                }
                rule.map(Naming::Builtin)
            }
            Expr::Path(p) if p.qself.is_none() => Some(Naming::Custom(p.path.clone())),
            other => {
                errors.at(
                    other,
                    "`naming` takes a rule's name (\"path_method\", \"api_crud\") or the path of a `fn(&str, &str) -> String`",
                );
                None
            }
        }
    }

    /// The `tallymark::EventNaming` value.
    pub fn tokens(&self, krate: &syn::Path) -> proc_macro2::TokenStream {
        match self {
            Naming::Builtin(tallymark_schema::names::NamingRule::PathMethod) => {
                quote::quote!(#krate::EventNaming::PathMethod)
            }
            Naming::Builtin(tallymark_schema::names::NamingRule::ApiCrud) => {
                quote::quote!(#krate::EventNaming::ApiCrud)
            }
            Naming::Custom(path) => quote::quote!(#krate::EventNaming::Custom(#path)),
        }
    }
}

/// `error_text = chars(N) | utf16_units(N) | bytes(N) | unlimited`, as `tallymark::TextLimit`
/// tokens.
pub fn text_limit(
    expr: &Expr,
    krate: &syn::Path,
    errors: &mut Errors,
) -> Option<proc_macro2::TokenStream> {
    const UNITS: &[&str] = &["chars", "utf16_units", "bytes", "unlimited"];
    let usage = "`error_text` takes `chars(N)`, `utf16_units(N)`, `bytes(N)` or `unlimited`";
    let (unit, count) = match expr {
        Expr::Call(call) if call.args.len() == 1 => match (&*call.func, &call.args[0]) {
            (
                Expr::Path(unit),
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }),
            ) => (unit.path.get_ident().cloned(), Some(n.clone())),
            _ => (None, None),
        },
        Expr::Path(unit) => (unit.path.get_ident().cloned(), None),
        _ => (None, None),
    };
    let Some(unit) = unit else {
        errors.at(expr, usage);
        return None;
    };
    let variant = match (unit.to_string().as_str(), &count) {
        ("chars", Some(n)) => quote::quote!(Chars(#n)),
        ("utf16_units", Some(n)) => quote::quote!(Utf16Units(#n)),
        ("bytes", Some(n)) => quote::quote!(Bytes(#n)),
        ("unlimited", None) => quote::quote!(Unlimited),
        (name, _) if !UNITS.contains(&name) => {
            errors.at(
                &unit,
                format!(
                    "unknown unit `{name}`{}. {usage}",
                    did_you_mean(name, UNITS)
                ),
            );
            return None;
        }
        _ => {
            errors.at(expr, usage);
            return None;
        }
    };
    Some(quote::quote!(#krate::TextLimit::#variant))
}
