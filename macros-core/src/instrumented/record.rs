//! `record!`: how `#[instrumented]` hands its call to the `record!` invocations in its body, and
//! what they expand to.
//!
//! `#[instrumented]` marks each `record!` of its body (bare, `tallymark::record!`, or under the
//! `crate = path` it was given) by prefixing the macro's input with `@call`, the hidden local
//! holding the call, or with `@_` where there is no call (the `off` feature, or a function whose
//! attribute has a mistake, reported once by the attribute): then only the values are
//! type-checked. `record!` expands only marked input;
//! unmarked, it was invoked outside an instrumented body (or under another name) and says so.
//! Name resolution is untouched, so a `record!` of another crate, called by its path, stays that
//! crate's; a bare `record!` in an instrumented body is tallymark's (a macro of the user's named
//! `record` is called by a path there, `crate::record!`). A function nested in the body cannot
//! reach the call: its `record!`s are left unmarked.

use super::expand::hidden;
use crate::errors::Errors;
use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path, Token};

/// The hidden local of an instrumented function that holds its call.
pub fn call_ident() -> Ident {
    hidden("call")
}

/// Where the `record!`s of a body record.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// Into the call held in this local.
    Call(&'a Ident),
    /// Nowhere, under the `off` feature: their fields are still checked against this layout.
    Off(&'a Path),
    /// Nowhere: the attribute has a mistake (reported), so only the values are type-checked.
    Nowhere,
}

/// `tokens` with every `record!` invocation of tallymark's (as named under the crate `krate`)
/// marked for `target` (a mark already there, from an enclosing instrumented function, is
/// replaced); and whether there was any.
pub fn mark_invocations(
    tokens: TokenStream,
    target: Target<'_>,
    krate: &Path,
) -> (TokenStream, bool) {
    let marker = match target {
        Target::Call(call) => quote!(@#call),
        Target::Off(layout) => quote!(@_(#layout)),
        Target::Nowhere => quote!(@_),
    };
    let mut found = false;
    let mut out: Vec<TokenTree> = Vec::new();
    // After `fn <name>`: the next braces at this level are a nested function's body, which
    // cannot reach the call (its `record!`s stay unmarked, and say so at their own tokens).
    let mut nested_body_next = false;
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            // Braces after `<` or `,` are a const generic argument (`-> Foo<{ N + 1 }>`).
            TokenTree::Group(group)
                if nested_body_next
                    && group.delimiter() == Delimiter::Brace
                    && !matches!(out.last(), Some(TokenTree::Punct(p)) if matches!(p.as_char(), '<' | ',')) =>
            {
                nested_body_next = false;
                out.push(TokenTree::Group(group));
            }
            TokenTree::Group(group) => {
                let (stream, inner) = mark_invocations(group.stream(), target, krate);
                found |= inner;
                out.push(regroup(&group, stream));
            }
            TokenTree::Ident(keyword)
                if keyword == "fn" && matches!(tokens.peek(), Some(TokenTree::Ident(_))) =>
            {
                nested_body_next = true;
                out.push(TokenTree::Ident(keyword));
            }
            TokenTree::Punct(bang)
                if bang.as_char() == '!'
                    && bang.spacing() == Spacing::Alone
                    && names_record(&out, krate) =>
            {
                // The mark is located at the macro's name, so an error it causes is there.
                let at = out.last().map_or_else(Span::call_site, TokenTree::span);
                out.push(TokenTree::Punct(bang));
                if let Some(TokenTree::Group(input)) = tokens.peek().cloned() {
                    tokens.next();
                    found = true;
                    let mut marked = located_at(&marker, at);
                    marked.extend(without_mark(input.stream()));
                    out.push(regroup(&input, marked));
                }
            }
            other => out.push(other),
        }
    }
    (out.into_iter().collect(), found)
}

/// [`mark_invocations`] in a function item's body, its last braces (or in all of `tokens`, when
/// they end otherwise): the item's own `fn <name>` is not a function nested in the body.
pub fn mark_in_item(tokens: TokenStream, target: Target<'_>, krate: &Path) -> TokenStream {
    let mut tokens: Vec<TokenTree> = tokens.into_iter().collect();
    match tokens.pop() {
        Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
            let (stream, _) = mark_invocations(body.stream(), target, krate);
            tokens.push(regroup(&body, stream));
            tokens.into_iter().collect()
        }
        last => {
            tokens.extend(last);
            mark_invocations(tokens.into_iter().collect(), target, krate).0
        }
    }
}

/// `tokens` (not looked into) located at `at`, each keeping the names it resolves as.
fn located_at(tokens: &TokenStream, at: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(token.span().located_at(at));
            token
        })
        .collect()
}

/// `group`'s delimiter and span around `stream`.
fn regroup(group: &Group, stream: TokenStream) -> TokenTree {
    let mut new = Group::new(group.delimiter(), stream);
    new.set_span(group.span());
    TokenTree::Group(new)
}

/// Whether the tokens before a `!` name tallymark's `record`: `record`, `tallymark::record`, or
/// `<krate>::record`.
pub(super) fn names_record(before: &[TokenTree], krate: &Path) -> bool {
    let ident_is = |token: Option<&TokenTree>, name: &str| matches!(token, Some(TokenTree::Ident(ident)) if ident == name);
    let n = before.len();
    if !ident_is(before.last(), "record") {
        return false;
    }
    let is_path_separator = n >= 3
        && matches!((&before[n - 3], &before[n - 2]), (TokenTree::Punct(a), TokenTree::Punct(b))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':');
    if !is_path_separator {
        // A method call's `.record` or a field's path is not a macro name; a bare `record!` is.
        return true;
    }
    let crate_name = krate
        .segments
        .last()
        .map(|segment| segment.ident.to_string());
    n >= 4
        && (ident_is(before.get(n - 4), "tallymark")
            || crate_name.is_some_and(|name| ident_is(before.get(n - 4), &name)))
}

/// `stream` without a leading mark (`@call`, `@_`, `@_(Layout)`).
fn without_mark(stream: TokenStream) -> TokenStream {
    let mut tokens = stream.clone().into_iter().peekable();
    match (tokens.next(), tokens.next()) {
        // `_` is an identifier token too.
        (Some(TokenTree::Punct(at)), Some(TokenTree::Ident(_))) if at.as_char() == '@' => {
            if matches!(tokens.peek(), Some(TokenTree::Group(group)) if group.delimiter() == proc_macro2::Delimiter::Parenthesis)
            {
                tokens.next();
            }
            tokens.collect()
        }
        _ => stream,
    }
}

/// Where a `record!` was marked to record.
enum Mark {
    /// Into the call held in this local.
    Call(Ident),
    /// Nowhere: its values are only type-checked.
    NoCall,
    /// Nowhere, under `off`: its fields are checked against this layout, never evaluated.
    Off(Path),
}

/// `record!`'s input: the mark, then `field = value` pairs.
struct RecordInput {
    mark: Option<Mark>,
    pairs: Punctuated<syn::MetaNameValue, Token![,]>,
}

impl Parse for RecordInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mark = if input.peek(Token![@]) {
            input.parse::<Token![@]>()?;
            if input.peek(Token![_]) {
                input.parse::<Token![_]>()?;
                if input.peek(syn::token::Paren) {
                    let layout;
                    syn::parenthesized!(layout in input);
                    Some(Mark::Off(layout.parse()?))
                } else {
                    Some(Mark::NoCall)
                }
            } else {
                Some(Mark::Call(input.parse()?))
            }
        } else {
            None
        };
        let pairs = Punctuated::parse_terminated(input)?;
        Ok(RecordInput { mark, pairs })
    }
}

/// The message of a `record!` that no instrumented function marked.
const OUTSIDE: &str = "`record!` works only in the body of an `#[instrumented]` function, \
    invoked as `record!` or `tallymark::record!`";
const OUTSIDE_HELP: &str = "to record from a function the instrumented call runs, use the \
    layout's `record`: `MyLayout::record(|point| { point.user_id(id); })`";

/// `record!(field = expr, ...)`.
pub fn record(input: TokenStream) -> TokenStream {
    let RecordInput { mark, pairs } = match syn::parse2::<RecordInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let Some(mark) = mark else {
        let error = syn::Error::new(
            Span::call_site(),
            format!("{OUTSIDE}\n\nhelp: {OUTSIDE_HELP}"),
        );
        return error.to_compile_error();
    };
    let mut errors = Errors::default();
    let mut fields = Vec::new();
    for pair in pairs {
        match pair.path.get_ident() {
            Some(ident) if fields.iter().any(|(seen, _)| seen == ident) => {
                errors.at(ident, format!("`{ident}` is recorded twice"));
            }
            Some(ident) => fields.push((ident.clone(), pair.value)),
            None => errors.at(&pair.path, "expected a field name, like `user_id = id`"),
        }
    }
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    let call = match mark {
        Mark::Call(call) => call,
        Mark::NoCall => {
            // The values are neither evaluated nor moved, but still count as used.
            let values = fields.iter().map(|(_, value)| quote!(let _ = &(#value);));
            return quote!(if false { #(#values)* });
        }
        Mark::Off(layout) => {
            // Set on a point of the layout, as without `off`, so a misspelled field or a wrong
            // type is the same error; never evaluated.
            let point = hidden("point");
            let sets = fields
                .iter()
                .map(|(field, value)| quote!(let _ = #point.#field(#value);));
            return quote! {
                #[allow(unreachable_code, unused_mut)]
                if false {
                    let mut #point = #layout::point();
                    #(#sets)*
                }
            };
        }
    };
    let (evaluate, set) = fields_setter(&fields);
    quote! {
        {
            #evaluate
            #call.record(#set);
        }
    }
}

/// Statements evaluating each `field = expr` value, in order, and a closure that sets them on the
/// point. Each value is evaluated first (outside any borrow of the point); a misspelled field is
/// reported at its name, a wrong type at its value.
pub fn fields_setter(fields: &[(Ident, Expr)]) -> (TokenStream, TokenStream) {
    let point = hidden("point");
    // Each value is bound under the user's span (so a wrong type is reported at the value) and a
    // name no user code writes.
    let values: Vec<Ident> = fields
        .iter()
        .enumerate()
        .map(|(i, (_, expr))| Ident::new(&format!("tallymark_value_{i}"), expr.span()))
        .collect();
    let evaluate = fields
        .iter()
        .zip(&values)
        .map(|((_, expr), value)| quote!(let #value = #expr;));
    let sets = fields
        .iter()
        .zip(&values)
        .map(|((field, _), value)| quote!(let _ = #point.#field(#value);));
    (quote!(#(#evaluate)*), quote!(move |#point| { #(#sets)* }))
}

/// For tests: the marked form of `tokens`.
#[cfg(test)]
fn marked(tokens: &str) -> (String, bool) {
    let krate: Path = syn::parse_quote!(::tallymark);
    let (tokens, found) =
        mark_invocations(tokens.parse().unwrap(), Target::Call(&call_ident()), &krate);
    (tokens.to_string(), found)
}

#[cfg(test)]
mod tests {
    use super::marked;

    #[test]
    fn record_invocations_are_marked_wherever_they_are() {
        for found in [
            "record!(user_id = id);",
            "tallymark::record!(user_id = id);",
            "::tallymark::record!(user_id = id);",
            "let f = || { if x { tallymark::record!(label = l) } };",
            "tokio::select! { _ = a => { record!(label = \"a\") } }",
            "async move { record! { user_id = id } }.await",
        ] {
            let (tokens, was_found) = marked(found);
            assert!(was_found, "{found}");
            assert_eq!(tokens.matches("record ! ").count(), 1, "{tokens}");
            assert_eq!(tokens.matches("@ call ").count(), 1, "{tokens}");
            let mark = tokens.find("@ call ").unwrap();
            assert!(tokens.find("record ! ").unwrap() < mark, "{tokens}");
        }
    }

    #[test]
    fn a_mark_from_an_enclosing_function_is_replaced() {
        let (tokens, _) = marked("record!(@outer user_id = id);");
        assert_eq!(tokens, "record ! (@ call user_id = id) ;");
        let (tokens, _) = marked("record!(@_ user_id = id);");
        assert_eq!(tokens, "record ! (@ call user_id = id) ;");
        let (tokens, _) = marked("record!(@_(crate::Layout) user_id = id);");
        assert_eq!(tokens, "record ! (@ call user_id = id) ;");
    }

    #[test]
    fn other_uses_of_the_word_are_left_alone() {
        for not_found in [
            "",
            "let record = 1; record != 2;",
            "db.record(x); println!(\"record!\");",
            "recorder!(x); my_record!(x);",
            "metrics::record!(x);",
        ] {
            let (tokens, found) = marked(not_found);
            assert!(!found, "{not_found}");
            assert!(!tokens.contains('@'), "{tokens}");
        }
    }

    /// A function nested in the body cannot capture the call: its body is left unmarked, whatever
    /// its shape, and the body goes on being marked after it.
    #[test]
    fn a_nested_functions_body_is_left_unmarked() {
        for nested in [
            "fn helper(u: &str) { record!(user = u) }",
            "async fn helper() { record!(user = u) }",
            "unsafe fn helper<T>() where T: Tr { record!(user = u) }",
            "fn helper() -> Foo<{ N + 1 }> { record!(user = u) }",
            "fn helper<const N: usize>() -> V<A, { N }> where A: Tr<{ N }> { record!(user = u) }",
            "impl S { fn helper(&self) { record!(user = u) } }",
            "trait T { fn helper(&self) { record!(user = u) } }",
        ] {
            let (tokens, _) = marked(&format!("{nested} record!(user = id);"));
            assert_eq!(tokens.matches("@ call").count(), 1, "{tokens}");
            assert!(
                tokens.ends_with("record ! (@ call user = id) ;"),
                "{tokens}"
            );
        }
        // A function pointer's type is no nested function: the closure after it is marked.
        let (tokens, _) = marked("let f: fn(u8) = |x| { record!(user = x) };");
        assert_eq!(tokens.matches("@ call").count(), 1, "{tokens}");
    }
}
