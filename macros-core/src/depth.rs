//! A bound on how deeply the syntax given to a macro nests, checked on its tokens before they are
//! parsed.
//!
//! syn parses nested syntax recursively, a few stack frames per level, so input nested thousands
//! deep overflows the stack of the thread running the macro, which aborts the whole compilation
//! with no error at any token. The `macros` fuzz target found it three times: 4,600 parentheses,
//! then chains of nested types (`V<V<…>>`, `&&…T`, `fn() -> fn() -> …`), closures and `break`s,
//! then qualified paths joined to an assignment or after a shift (`x =<<<…`). A
//! proc macro is usually compiled without optimisation, where a level can take 40 KB of stack:
//! 200 nested generics overflow rustc's 8 MB. At [`MAX_DEPTH`] every macro expands within half
//! of it (`tests::at_the_bound_every_macro_expands_in_half_of_rustcs_stack`). Syntax that mixes
//! kinds (closures inside ranges inside `|` chains, as the fuzz target builds them) takes more
//! stack per counted level than any one chain: at a bound of 64 such input needed over 4 MB in
//! the fuzz build, and overflowed 8 MB; at 32 none of it needs 1 MB.
//!
//! So the tokens are walked first, without recursion, counting at each token the levels a parser
//! can be nested in there ([`levels`]). No hand-written code reaches [`MAX_DEPTH`]; past it the
//! macro gives one error, at the first token too deep, and leaves the item as it is. A function
//! body that an attribute keeps as tokens is bounded by its brackets alone
//! ([`function_attribute`]): nothing parses it, and ordinary code nested a dozen blocks deep
//! counts more than [`MAX_DEPTH`] levels.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// How many levels of nested syntax a macro's input may have.
pub const MAX_DEPTH: usize = 32;

/// An error at the first token of `tokens` nested deeper than [`MAX_DEPTH`] levels, if any.
///
/// The levels at a token are the sum of:
/// * each bracket (`()`, `[]`, `{}`) around it, plus the levels where that bracket opened;
/// * each `<` before it not yet closed by a `>` (generics and qualified paths; a comparison or a
///   shift counts until `&&`, `||` or the end of its statement, `<=` nothing);
/// * each unary prefix before it, `&`, `*`, `-` or `!` where no operand ends just before
///   (references, pointers, negations), until a binary operator ends what they apply to;
/// * each prefix that takes all that follows: `|` and `.` where no operand ends just before
///   (closures, ranges), each `->`, and each keyword that takes an expression
///   ([`takes_expression`]: `break`, `return`, `if`, `match`…).
///
/// All of these end with their statement: at `;`, at `=>`, at a `,` outside `<…>`, and after a
/// `{…}` block that is not a generic argument. So binary operators, paths, method calls and long
/// flat code count nothing, while every way syn nests (brackets, types inside types, expressions
/// inside prefixes) counts at least one level per level.
pub fn check(tokens: &TokenStream) -> Result<(), syn::Error> {
    let mut groups = vec![Walk::new(tokens, 0)];
    while let Some(walk) = groups.last_mut() {
        let Some(token) = walk.tokens.get(walk.next).cloned() else {
            groups.pop();
            continue;
        };
        walk.next += 1;
        match &token {
            TokenTree::Group(group) => {
                let levels = walk.levels() + 1;
                if levels > MAX_DEPTH {
                    return Err(too_deep(group.span_open()));
                }
                walk.after_group(group.delimiter());
                groups.push(Walk::new(&group.stream(), levels));
            }
            TokenTree::Punct(punct) => {
                walk.punct(punct);
                if walk.levels() > MAX_DEPTH {
                    return Err(too_deep(punct.span()));
                }
            }
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                walk.word(&token);
                if walk.levels() > MAX_DEPTH {
                    return Err(too_deep(token.span()));
                }
            }
        }
    }
    Ok(())
}

/// How deeply the brackets of a function's body may nest under an attribute that keeps the body
/// as tokens ([`function_attribute`]).
pub const MAX_BODY_BRACKETS: usize = 256;

/// A function attribute's expansion by `expand`, for an attribute that keeps the function's body
/// as tokens (`#[instrumented]`, the step attributes), unless the function nests too deep: then
/// the error and `item` unchanged. `args` and the function up to its body are bounded as any
/// input is, and the body only by how deeply its brackets nest ([`MAX_BODY_BRACKETS`]). No parser reads the body, and the walk that looks for
/// `record!` in it takes one frame a bracket; [`check`]'s levels, counted several to a block of
/// ordinary code, would refuse code nested a dozen blocks deep.
pub fn function_attribute(
    args: TokenStream,
    item: TokenStream,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let mut head: Vec<TokenTree> = item.clone().into_iter().collect();
    let body = match head.last() {
        Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
            let body = body.clone();
            head.pop();
            Some(body)
        }
        _ => None,
    };
    let mut head: TokenStream = head.into_iter().collect();
    let statements = body.map(|body| {
        let (inner_attributes, statements) = split_inner_attributes(&body);
        // Inner attributes are parsed (`#![doc = <expr>]`): bounded as the signature is.
        head.extend(inner_attributes);
        statements
    });
    let checked = check(&args)
        .and_then(|()| check(&head))
        .and_then(|()| statements.map_or(Ok(()), |statements| check_brackets(&statements)));
    guard_attribute(checked, args, item, true, expand)
}

/// The inner attributes (`#![...]`) at the start of a body, and the statements after them.
fn split_inner_attributes(body: &proc_macro2::Group) -> (TokenStream, proc_macro2::Group) {
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut end = 0;
    while let [TokenTree::Punct(hash), TokenTree::Punct(bang), TokenTree::Group(brackets), ..] =
        &tokens[end..]
    {
        if hash.as_char() != '#'
            || bang.as_char() != '!'
            || brackets.delimiter() != Delimiter::Bracket
        {
            break;
        }
        end += 3;
    }
    let statements =
        proc_macro2::Group::new(Delimiter::Brace, tokens[end..].iter().cloned().collect());
    (tokens[..end].iter().cloned().collect(), statements)
}

/// An error at the first bracket inside `body` (a bracket itself) nested deeper than
/// [`MAX_BODY_BRACKETS`], if any.
fn check_brackets(body: &proc_macro2::Group) -> Result<(), syn::Error> {
    let mut open = vec![body.stream().into_iter()];
    while let Some(tokens) = open.last_mut() {
        match tokens.next() {
            Some(TokenTree::Group(group)) => {
                if open.len() > MAX_BODY_BRACKETS {
                    return Err(too_deep_brackets(group.span_open()));
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
/// alone, for an item whose helper attributes (`#[blob]`…) would each be an error without the
/// macro, as when the item does not parse.
pub fn attribute_replacing_item(
    args: TokenStream,
    item: TokenStream,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let checked = check(&args).and_then(|()| check(&item));
    guard_attribute(checked, args, item, false, expand)
}

/// `expand(args, item)` when `checked`, else its error (at the first token nested too deep),
/// followed by `item` when `keep_item`.
fn guard_attribute(
    checked: Result<(), syn::Error>,
    args: TokenStream,
    item: TokenStream,
    keep_item: bool,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match checked {
        Ok(()) => expand(args, item),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            if keep_item {
                tokens.extend(item);
            }
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

/// The error at a token nested too deep.
fn too_deep(span: proc_macro2::Span) -> syn::Error {
    syn::Error::new(
        span,
        format!(
            "syntax nested more than {MAX_DEPTH} levels deep (brackets, generics, references, \
             closures…): tallymark's macros read at most {MAX_DEPTH}"
        ),
    )
}

/// The error at a bracket of a function's body nested too deep.
fn too_deep_brackets(span: proc_macro2::Span) -> syn::Error {
    syn::Error::new(
        span,
        format!(
            "brackets nested more than {MAX_BODY_BRACKETS} deep in the function's body: \
             tallymark's macros read at most {MAX_BODY_BRACKETS}"
        ),
    )
}

/// What the token before the current one leaves the current one as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    /// An operand ended there (an identifier, a literal, a bracket, `?`, a closing `>`): a `&`,
    /// `*`, `-`, `!`, `|` or `.` is binary or postfix.
    Operand,
    /// Nothing, a punctuation or a keyword: such a punctuation is a prefix.
    Prefix,
    /// A `'`: the name of a lifetime or label follows, not a keyword.
    Quote,
}

/// What a punctuation is, with those joined to it (`&&`, `->`, `..`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Binary,
    Prefix,
}

/// The walk through one bracket's tokens.
struct Walk {
    tokens: Vec<TokenTree>,
    next: usize,
    /// The levels where this bracket opened, itself included.
    outer: usize,
    /// `<`s not yet closed.
    angles: usize,
    /// Unary prefixes still applying.
    unary: usize,
    /// Prefixes that take all that follows, since the statement began.
    open: usize,
    before: Before,
    /// Between the `|`s of a closure's parameters.
    closure_parameters: bool,
    /// The operator the punctuations joined to the current token begin (`<` of `<<=`, `<<`…),
    /// and its role.
    joined: Option<(&'static str, Role)>,
}

impl Walk {
    fn new(tokens: &TokenStream, outer: usize) -> Self {
        Walk {
            tokens: tokens.clone().into_iter().collect(),
            next: 0,
            outer,
            angles: 0,
            unary: 0,
            open: 0,
            before: Before::Prefix,
            closure_parameters: false,
            joined: None,
        }
    }

    fn levels(&self) -> usize {
        self.outer + self.angles + self.unary + self.open
    }

    /// The punctuation after the current token, when joined to it (`=` of `<=`).
    fn joined_next(&self) -> Option<char> {
        match (self.tokens.get(self.next - 1), self.tokens.get(self.next)) {
            (Some(TokenTree::Punct(this)), Some(TokenTree::Punct(next)))
                if this.spacing() == Spacing::Joint =>
            {
                Some(next.as_char())
            }
            _ => None,
        }
    }

    fn end_statement(&mut self) {
        self.angles = 0;
        self.unary = 0;
        self.open = 0;
    }

    /// A bracket was read: an operand ends; a block that is not a generic argument ends the
    /// statement (`if a < b { … }`).
    fn after_group(&mut self, delimiter: Delimiter) {
        let before_group = self.next.checked_sub(2).and_then(|i| self.tokens.get(i));
        let argument =
            matches!(before_group, Some(TokenTree::Punct(p)) if matches!(p.as_char(), '<' | ','));
        if delimiter == Delimiter::Brace && !argument {
            self.end_statement();
        }
        self.before = Before::Operand;
        self.joined = None;
    }

    /// Counts a punctuation.
    fn punct(&mut self, punct: &proc_macro2::Punct) {
        let c = punct.as_char();
        // A punctuation joined to those before is part of their operator (`&&`, `..`, `->`) when
        // it continues one; otherwise (`=<`, `=&`, the third `<` of `<<<`) it begins anew.
        let joined = self.joined.take().and_then(|(so_far, role)| {
            extend_operator(so_far, c).map(|operator| (so_far, operator, role))
        });
        let role = match joined {
            Some((_, _, role)) => role,
            None if self.before == Before::Operand => Role::Binary,
            None => Role::Prefix,
        };
        let previous = joined.and_then(|(so_far, _, _)| so_far.chars().last());
        match c {
            ';' => self.end_statement(),
            // A closure's parameters (`|a, b|`) are not separate expressions.
            ',' if self.angles == 0 && !self.closure_parameters => {
                self.unary = 0;
                self.open = 0;
            }
            '>' if previous == Some('=') => self.end_statement(), // `=>`
            '>' if previous == Some('-') => self.open += 1,       // `->`
            '>' if self.joined_next() == Some('=') => {}          // `>=`
            '>' => self.angles = self.angles.saturating_sub(1),
            // `<=` after an operand compares, and so does `<<=` at its `<=`. Every other `<` may
            // open generics or a qualified path, a shift `<<` too (`V<<T as A>::B>`).
            '<' if role == Role::Binary && self.joined_next() == Some('=') => {}
            '<' => self.angles += 1,
            '&' | '|' if role == Role::Binary && previous == Some(c) => {
                // `&&`, `||`: what a comparison before them compared has ended.
                self.angles = 0;
            }
            _ => {}
        }
        match (role, c) {
            // A binary operator ends what unary prefixes before it apply to; `<` and `>` may
            // open and close generics inside a reference's type, and do not.
            (Role::Binary, '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|' | '=' | '!') => {
                self.unary = 0;
            }
            (Role::Prefix, '&' | '*' | '-' | '!') => self.unary += 1,
            _ => {}
        }
        // An assignment (`=`, `+=`, `<<=`…; a comparison `<=` too) takes all that follows.
        if c == '='
            && role == Role::Binary
            && !matches!(previous, Some('=' | '!'))
            && !matches!(self.joined_next(), Some('=' | '>'))
        {
            self.open += 1;
        }
        let closes_parameters = c == '|' && self.closure_parameters;
        if closes_parameters {
            self.closure_parameters = false;
        } else if role == Role::Prefix && matches!(c, '|' | '.') {
            self.open += 1;
            self.closure_parameters = c == '|';
        }
        // The `|` closing a closure's parameters joins nothing after it (`|_||_| x`: two closures).
        if punct.spacing() == Spacing::Joint && !closes_parameters {
            let operator = match joined {
                Some((_, operator, _)) => Some(operator),
                None => extend_operator("", c),
            };
            self.joined = operator.map(|operator| (operator, role));
        }
        self.before = match c {
            '?' => Before::Operand,
            '>' if !matches!(previous, Some('-' | '=')) => Before::Operand,
            '\'' => Before::Quote,
            _ => Before::Prefix,
        };
    }

    /// Counts an identifier, a keyword or a literal.
    fn word(&mut self, token: &TokenTree) {
        self.joined = None;
        let lifetime = self.before == Before::Quote;
        let keyword = match token {
            TokenTree::Ident(ident) if !lifetime => ident.to_string(),
            _ => String::new(),
        };
        if takes_expression(&keyword) {
            self.open += 1;
        }
        let operand_keyword = matches!(
            keyword.as_str(),
            "self" | "Self" | "super" | "crate" | "true" | "false"
        );
        // A lifetime is followed by what it qualifies (`&'a T`), as a keyword is.
        self.before = if lifetime || (is_keyword(&keyword) && !operand_keyword) {
            Before::Prefix
        } else {
            Before::Operand
        };
    }
}

/// Rust's operators of more than one punctuation.
const OPERATORS: [&str; 24] = [
    "&&", "||", "<<", ">>", "<<=", ">>=", "==", "!=", "<=", ">=", "->", "=>", "..", "...", "..=",
    "::", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=",
];

/// The beginning of an operator that `c` joined after `so_far` makes, if it begins one of
/// [`OPERATORS`] (`so_far` is empty for a punctuation that follows none).
fn extend_operator(so_far: &str, c: char) -> Option<&'static str> {
    let len = so_far.len() + c.len_utf8();
    OPERATORS
        .iter()
        .find(|operator| {
            operator.len() >= len
                && operator.starts_with(so_far)
                && operator[so_far.len()..].starts_with(c)
        })
        .map(|operator| &operator[..len])
}

/// Whether keyword `word` takes an expression after it, which syn parses nested in it.
fn takes_expression(word: &str) -> bool {
    matches!(
        word,
        "async"
            | "become"
            | "box"
            | "break"
            | "const"
            | "do"
            | "for"
            | "if"
            | "in"
            | "let"
            | "match"
            | "move"
            | "return"
            | "static"
            | "try"
            | "unsafe"
            | "while"
            | "yield"
    )
}

/// Whether `word` is a Rust keyword (strict or reserved, any edition).
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "gen"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn nested(depth: usize) -> TokenStream {
        let text = format!("fn f() {{ {}1{} }}", "(".repeat(depth), ")".repeat(depth));
        TokenStream::from_str(&text).unwrap()
    }

    const TOO_DEEP: &str = "syntax nested more than 32 levels deep (brackets, generics, \
                            references, closures…): tallymark's macros read at most 32";

    #[test]
    fn brackets_may_nest_up_to_the_bound() {
        // The function's braces are one level.
        assert!(check(&nested(MAX_DEPTH - 1)).is_ok());
        let error = check(&nested(MAX_DEPTH)).unwrap_err();
        assert_eq!(error.to_string(), TOO_DEEP);
    }

    /// Ways syn nests without brackets, each as the text before and after what it nests: the
    /// ones the `macros` fuzz target overflowed the stack with, and their kin.
    const CHAINS: [(&str, &str, &str, &str); 26] = [
        ("generics", "fn f(x: ", "V<", ">"),
        ("references", "fn f(x: ", "&", ""),
        ("lifetimes", "fn f(x: ", "&'a ", ""),
        ("pointers", "fn f(x: ", "*const ", ""),
        ("fn types", "fn f(x: ", "fn() -> ", ""),
        ("impl types", "fn f() -> ", "impl Fn() -> ", ""),
        ("qualified paths", "fn f(x: ", "<", " as A>::B"),
        ("closures", "fn f() { ", "|_| ", ""),
        ("breaks", "fn f() { loop { ", "break ", ""),
        ("returns", "fn f() { ", "return ", ""),
        ("negations", "fn f() { ", "!", ""),
        ("minus", "fn f() { ", "- ", ""),
        ("ranges", "fn f() { ", ".. ", ""),
        ("generic arguments in blocks", "fn f(x: ", "V<{ 1 }, ", ">"),
        ("references in generics", "fn f(x: ", "&V<A, ", ">"),
        ("closures in calls", "fn f() { ", "f(a, |_| ", ")"),
        ("closures of two parameters", "fn f() { ", "|a, b| ", ""),
        ("closures without parameters", "fn f() { ", "|| ", ""),
        ("assignments", "fn f() { ", "x = ", ""),
        ("compound assignments", "fn f() { ", "x <<= ", ""),
        // Found by the fuzz target: a punctuation joined to another read as part of its
        // operator when it was not (`=<`, `=&`, `|_||`), and `<` after a `<<`.
        (
            "qualified paths right after `=`",
            "fn f() { x =",
            "<",
            " as A>::B",
        ),
        ("references right after `=`", "fn f() { x =", "&", ""),
        ("closures right after closures", "fn f() { x =", "|_|", ""),
        (
            "qualified paths after a shift",
            "fn f() { x <<",
            "<",
            " as A>::B",
        ),
        (
            "qualified paths after `?`",
            "fn f() { x ?",
            "<",
            " as A>::B",
        ),
        ("shifts in generics", "fn f(x: ", "V<<T as A>::B, ", ">"),
    ];

    /// `chain` nested `n` deep, closed (brackets and types completed) so that it parses.
    fn chain(n: usize, (_, start, open, close): (&str, &str, &str, &str)) -> String {
        let inner = format!("{}T{}", open.repeat(n), close.repeat(n));
        match start {
            "fn f(x: " => format!("{start}{inner}) {{}}"),
            "fn f() -> " => format!("{start}{inner} {{}}"),
            "fn f() { loop { " => format!("{start}{inner} }} }}"),
            _ => format!("{start}{inner} }}"),
        }
    }

    /// The deepest `n` of `pattern` that the bound lets through.
    fn deepest(pattern: (&str, &str, &str, &str)) -> usize {
        let passes = |n| check(&TokenStream::from_str(&chain(n, pattern)).unwrap()).is_ok();
        let mut n = 1;
        while n <= 2 * MAX_DEPTH && passes(n + 1) {
            n += 1;
        }
        n
    }

    #[test]
    fn chains_past_the_bound_are_refused_at_their_token() {
        for pattern in CHAINS {
            let n = deepest(pattern);
            assert!(
                (MAX_DEPTH / 4..=MAX_DEPTH).contains(&n),
                "{}: {n}",
                pattern.0
            );
            let error = check(&TokenStream::from_str(&chain(10 * MAX_DEPTH, pattern)).unwrap())
                .unwrap_err();
            assert_eq!(error.to_string(), TOO_DEEP, "{}", pattern.0);
        }
    }

    /// What the bound is for: at it, every macro expands every chain without overflowing the
    /// stack. The thread has 4 MB, half the 8 MB of rustc's, and this test's build is not
    /// optimised, as a proc macro's usually is not: its frames are the largest.
    #[test]
    fn at_the_bound_every_macro_expands_in_half_of_rustcs_stack() {
        use crate::{Instrumentation, LockSource};
        let inputs: Vec<String> = CHAINS
            .iter()
            .map(|&pattern| chain(deepest(pattern), pattern))
            .chain([
                nested(MAX_DEPTH - 1).to_string(),
                format!(
                    "struct S {{ a: {}T{} }}",
                    "V<".repeat(MAX_DEPTH - 2),
                    ">".repeat(MAX_DEPTH - 2)
                ),
                format!(
                    "enum E {{ A {{ a: {}T{} }} }}",
                    "V<".repeat(MAX_DEPTH - 3),
                    ">".repeat(MAX_DEPTH - 3)
                ),
            ])
            .collect();
        std::thread::Builder::new()
            .stack_size(4 << 20)
            .spawn(move || {
                for input in inputs {
                    let item = TokenStream::from_str(&input).unwrap();
                    assert!(check(&item).is_ok(), "{input}");
                    let none = TokenStream::new();
                    crate::layout(
                        none.clone(),
                        item.clone(),
                        LockSource::Absent,
                        crate::Hashing::Available,
                    );
                    crate::instrumented(none.clone(), item.clone(), Instrumentation::On);
                    crate::reconcile_event(none.clone(), item.clone(), Instrumentation::On);
                    crate::record(item.clone());
                    crate::derive_event(item.clone());
                    crate::derive_dimensions(item.clone());
                    crate::derive_fixed_text(item, LockSource::Absent);
                }
                // A body is bounded by its brackets alone, and walked for `record!`.
                let event = TokenStream::from_str("Event").unwrap();
                crate::instrumented(
                    event.clone(),
                    deep_body(MAX_BODY_BRACKETS),
                    Instrumentation::On,
                );
                crate::instrumented(event, deep_body(MAX_BODY_BRACKETS), Instrumentation::Off);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    /// A function whose body nests `depth` brackets deep, a `record!` in the deepest.
    fn deep_body(depth: usize) -> TokenStream {
        let text = format!(
            "fn f() {{ {}tallymark::record!(n = 1){} }}",
            "(".repeat(depth - 1),
            ")".repeat(depth - 1)
        );
        TokenStream::from_str(&text).unwrap()
    }

    /// Whether `function_attribute` expands `item` (rather than refusing it as too deep).
    fn expands(item: TokenStream) -> Result<(), String> {
        let args = TokenStream::from_str("Event").unwrap();
        let expanded = function_attribute(args, item, |_, _| TokenStream::new()).to_string();
        if expanded.is_empty() {
            Ok(())
        } else {
            Err(expanded)
        }
    }

    /// Found by a review: a dozen blocks of ordinary code (`if`, `for`, `if let`, `match`, a
    /// closure) counted over 32 of `check`'s levels, and `#[instrumented]` refused them.
    #[test]
    fn a_function_attribute_bounds_its_body_by_brackets_alone() {
        let ordinary = "pub async fn sync(rows: Vec<Vec<u32>>, limit: u32) -> Result<u32, String> {
            let mut total = 0;
            if limit > 0 { if limit > 0 { if limit > 0 { if limit > 0 {
            for row in &rows { for &x in row { if let Some(y) = x.checked_mul(2) { match y {
                0 => {}
                n if n < limit => { let hits = rows.iter().map(|r| {
                    r.iter().filter(|&&v| v < n).count() as u32 }).sum::<u32>(); total += hits; }
                _ => return Err(format!(\"{y} over {limit}\")),
            }}}}}}}}
            Ok(total)
        }";
        let ordinary = TokenStream::from_str(ordinary).unwrap();
        assert!(check(&ordinary).is_err(), "over check's levels");
        assert_eq!(expands(ordinary), Ok(()));
        assert_eq!(expands(deep_body(MAX_BODY_BRACKETS)), Ok(()));
        let error = expands(deep_body(MAX_BODY_BRACKETS + 1)).unwrap_err();
        assert!(
            error.starts_with(
                ":: core :: compile_error ! { \"brackets nested more than 256 deep in the \
                 function's body: tallymark's macros read at most 256\" }"
            ),
            "{error}"
        );
        // The signature is bounded as any input is.
        let deep_signature = format!(
            "fn f(x: {}T{}) {{}}",
            "V<".repeat(MAX_DEPTH),
            ">".repeat(MAX_DEPTH)
        );
        assert!(expands(TokenStream::from_str(&deep_signature).unwrap()).is_err());
        // So are the body's inner attributes, which syn parses (their values as expressions).
        let deep_inner_attribute = format!(
            "fn f() {{ #![doc = a::<{}T{}>] 1 }}",
            "V<".repeat(1_000),
            ">".repeat(1_000)
        );
        let error = expands(TokenStream::from_str(&deep_inner_attribute).unwrap()).unwrap_err();
        assert!(error.contains("levels deep"), "{error}");
    }

    #[test]
    fn long_flat_code_is_not_deep() {
        for flat in [
            "(1) ".repeat(10_000),
            format!("fn f() {{ if a{} {{}} }}", " && b < c".repeat(2_000)),
            format!("fn f() {{ x{} }}", ".a::<V<T>>()?".repeat(2_000)),
            format!("fn f() {{ {} }}", "if a < b { c } ".repeat(2_000)),
            format!("fn f() {{ {} }}", "let x = &mut *y as &T; ".repeat(2_000)),
            format!(
                "fn f() {{ match x {{ {} }} }}",
                "A => {} B => return, ".repeat(2_000)
            ),
            format!("fn f() {{ f({}) }}", "&a, -b, !c, |d| e, ".repeat(2_000)),
            format!("fn f(x: ({})) {{}}", "&'a V<&T>, ".repeat(2_000)),
            format!("fn f(x: V<{}>) {{}}", "&'a T, ".repeat(MAX_DEPTH / 2)),
            format!("fn f() {{ {} }}", "if a {} else ".repeat(2_000) + "{}"),
            format!("fn f() {{ x{} }}", " >= y <= z".repeat(MAX_DEPTH / 2 - 1)),
            format!(
                "fn f() {{ {} }}",
                "x += 1; y = x == z && x != z; ".repeat(2_000)
            ),
        ] {
            let tokens = TokenStream::from_str(&flat).unwrap();
            assert!(check(&tokens).is_ok(), "{}…", &flat[..60]);
        }
    }

    #[test]
    fn an_attribute_too_deep_gives_the_error_and_the_item_unchanged() {
        let args = TokenStream::from_str("Event").unwrap();
        let item = nested(1_000);
        let expanded =
            function_attribute(args, item.clone(), |_, _| unreachable!("never expanded"));
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
