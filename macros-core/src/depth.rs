//! A bound on how deeply the tokens given to a macro nest their brackets, checked before they are
//! parsed.
//!
//! syn parses nested expressions and types recursively, so a body thousands of brackets deep
//! (found by the `macros` fuzz target: 4,600 parentheses in an `#[instrumented]` function)
//! overflows the stack of the thread running the macro, which aborts the whole compilation with
//! no error at any token. No hand-written code nests [`MAX_DEPTH`] brackets; past it the macro
//! gives one error, at the first bracket too deep, and leaves the item as it is.

use proc_macro2::{TokenStream, TokenTree};

/// How many brackets (`()`, `[]`, `{}`) inside each other a macro's input may have.
pub const MAX_DEPTH: usize = 128;

/// An error at the first bracket of `tokens` nested deeper than [`MAX_DEPTH`], if any. Walks the
/// tokens without recursion.
pub fn check(tokens: &TokenStream) -> Result<(), syn::Error> {
    let mut open = vec![tokens.clone().into_iter()];
    while let Some(tokens) = open.last_mut() {
        match tokens.next() {
            Some(TokenTree::Group(group)) => {
                if open.len() > MAX_DEPTH {
                    return Err(syn::Error::new(
                        group.span_open(),
                        format!(
                            "brackets nested more than {MAX_DEPTH} deep: tallymark's macros read \
                             at most {MAX_DEPTH}"
                        ),
                    ));
                }
                open.push(group.stream().into_iter());
            }
            Some(_) => {}
            None => {
                open.pop();
            }
        }
    }
    Ok(())
}

/// An attribute's expansion by `expand`, unless `args` or `item` nest too deep: then the error
/// and `item` unchanged.
pub fn attribute(
    args: TokenStream,
    item: TokenStream,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match check(&args).and_then(|()| check(&item)) {
        Ok(()) => expand(args, item),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(item);
            tokens
        }
    }
}

/// A derive's or a function-like macro's expansion by `expand`, unless `input` nests too deep:
/// then the error alone.
pub fn input(input: TokenStream, expand: impl FnOnce(TokenStream) -> TokenStream) -> TokenStream {
    match check(&input) {
        Ok(()) => expand(input),
        Err(error) => error.to_compile_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn nested(depth: usize) -> TokenStream {
        let text = format!("fn f() {{ {}1{} }}", "(".repeat(depth), ")".repeat(depth));
        TokenStream::from_str(&text).unwrap()
    }

    #[test]
    fn brackets_may_nest_up_to_the_bound() {
        // The function's braces are one level.
        assert!(check(&nested(MAX_DEPTH - 1)).is_ok());
        let error = check(&nested(MAX_DEPTH)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "brackets nested more than 128 deep: tallymark's macros read at most 128"
        );
    }

    #[test]
    fn a_long_flat_input_is_not_deep() {
        let flat = TokenStream::from_str(&"(1) ".repeat(10_000)).unwrap();
        assert!(check(&flat).is_ok());
    }

    #[test]
    fn an_attribute_too_deep_gives_the_error_and_the_item_unchanged() {
        let args = TokenStream::from_str("Event").unwrap();
        let item = nested(1_000);
        let expanded = attribute(args, item.clone(), |_, _| unreachable!("never expanded"));
        let text = expanded.to_string();
        assert!(
            text.starts_with(":: core :: compile_error !"),
            "{}",
            &text[..80]
        );
        assert!(text.ends_with(&item.to_string()));
        assert!(input(item, |_| unreachable!("never expanded"))
            .to_string()
            .starts_with(":: core :: compile_error !"));
    }
}
