//! Whether a body may suspend: an `async fn` whose body cannot runs it in a closure, not in an
//! `async` block of its own, and the user's crate has one coroutine less to check at every build.
//!
//! The rule errs towards "may": a body may suspend when its tokens hold `await` anywhere (also
//! inside a nested closure, `async` block or macro input), or invoke a macro other than those
//! named in [`AWAIT_FREE_MACROS`] by their bare name, or tallymark's `record!`. A macro's
//! expansion is not visible here, and some (`join!`, `select!`) await; so an unknown macro may,
//! and so may one named by a `macro_rules!` fragment (`$m!()`, a group here). A macro of the
//! user's own that shadows a listed name and expands to `.await` is a compile error in the
//! closure ("`await` is only allowed inside `async` functions"), never a change of meaning.

use super::record::names_record;
use proc_macro2::{Ident, Spacing, TokenStream, TokenTree};
use syn::Path;

/// Macros that never expand to an `.await` of their own, by the bare name they are invoked by:
/// the standard library's, and workers-rs's console macros. An `.await` in their input is seen
/// in the tokens.
const AWAIT_FREE_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "concat",
    "console_debug",
    "console_error",
    "console_log",
    "console_warn",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Whether `body` may suspend (see the module's rule). `krate` is the path tallymark is named
/// by, for its `record!`.
pub fn may_await(body: &TokenStream, krate: &Path) -> bool {
    let mut before: Vec<TokenTree> = Vec::new();
    let mut tokens = body.clone().into_iter().peekable();
    while let Some(token) = tokens.next() {
        match &token {
            TokenTree::Ident(ident) if ident == "await" => return true,
            TokenTree::Group(group) if may_await(&group.stream(), krate) => return true,
            TokenTree::Punct(bang)
                if bang.as_char() == '!'
                    && bang.spacing() == Spacing::Alone
                    && matches!(tokens.peek(), Some(TokenTree::Group(_)))
                    && match before.last() {
                        Some(TokenTree::Ident(name)) => {
                            !is_keyword(name) && !is_await_free_macro(&before, krate)
                        }
                        // A macro named by a fragment of a `macro_rules!` (`$m!()`).
                        Some(TokenTree::Group(_)) => true,
                        _ => false,
                    } =>
            {
                return true;
            }
            _ => {}
        }
        before.push(token);
    }
    false
}

/// Whether `ident` is a keyword that an expression may follow (`if !(a && b)`): it names no
/// macro.
fn is_keyword(ident: &Ident) -> bool {
    [
        "break", "if", "in", "match", "mut", "return", "while", "yield",
    ]
    .iter()
    .any(|keyword| ident == keyword)
}

/// Whether the macro whose name ends `before` is one of [`AWAIT_FREE_MACROS`], invoked by its
/// bare name, or tallymark's `record!`.
fn is_await_free_macro(before: &[TokenTree], krate: &Path) -> bool {
    let Some(TokenTree::Ident(name)) = before.last() else {
        return false;
    };
    let in_a_path = matches!(before.iter().rev().nth(1), Some(TokenTree::Punct(colon)) if colon.as_char() == ':');
    let listed = !in_a_path && AWAIT_FREE_MACROS.iter().any(|listed| name == listed);
    listed || names_record(before, krate)
}

#[cfg(test)]
mod tests {
    use super::may_await;

    fn awaits(body: &str) -> bool {
        may_await(&body.parse().unwrap(), &syn::parse_quote!(::tallymark))
    }

    #[test]
    fn a_body_that_awaits_anywhere_may_suspend() {
        for body in [
            "let x = fetch().await;",
            "let x = { let y = a.b().await?; y };",
            "let f = async move { x.await };",
            "let f = || async { x.await };",
            "println!(\"{}\", x.await);",
            "tallymark::record!(user = user().await);",
        ] {
            assert!(awaits(body), "{body}");
        }
    }

    #[test]
    fn a_macro_not_known_to_be_await_free_may_suspend() {
        for body in [
            "futures::join!(a, b);",
            "join!(a, b);",
            "tokio::select! { _ = a => {} }",
            "serde_json::json!({ \"ok\": true })",
            "std::println!(\"hi\");",
            "metrics::record!(x);",
            "my_macro![];",
            "macro_rules! m { () => {} } m!();",
        ] {
            assert!(awaits(body), "{body}");
        }
        // A macro named by a `macro_rules!` fragment arrives in a group of its own.
        let path = proc_macro2::Group::new(proc_macro2::Delimiter::None, quote::quote!(join));
        let body = quote::quote!(#path!(a, b));
        assert!(may_await(&body, &syn::parse_quote!(::tallymark)), "{body}");
    }

    #[test]
    fn keywords_before_a_negation_name_no_macro() {
        for body in ["return !(x);", "match !(f) { _ => {} }", "while !(done) {}"] {
            assert!(!awaits(body), "{body}");
        }
    }

    #[test]
    fn tallymarks_record_is_known_by_its_paths() {
        for body in [
            "record!(user = u);",
            "tallymark::record!(user = u);",
            "::tallymark::record!(@call user = u);",
        ] {
            assert!(!awaits(body), "{body}");
        }
        let renamed = may_await(
            &"telemetry::record!(user = u);".parse().unwrap(),
            &syn::parse_quote!(::telemetry),
        );
        assert!(!renamed);
    }

    #[test]
    fn a_raw_identifier_await_is_a_name() {
        assert!(!awaits("let r#await = 1; r#await + 1"));
    }

    #[test]
    fn a_body_without_await_or_unknown_macros_does_not() {
        for body in [
            "",
            "let name = ctx.param(\"name\").cloned().unwrap_or_default();\
             Response::ok(format!(\"hello, {name}\"))",
            "tallymark::record!(@call name = name.clone()); record!(user = u);",
            "if !(a && b) { return Err(x); } a != b",
            "let v = vec![1, 2]; assert_eq!(v.len(), 2); console_log!(\"{v:?}\");",
            "let f = async { 1 };",
            "let awaited = 1; x.awaiting()",
        ] {
            assert!(!awaits(body), "{body}");
        }
    }
}
