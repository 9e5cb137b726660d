//! Bounds on how deep a query nests, checked on the tokens before the query is parsed.
//!
//! Special forms. Rules:
//! - a special form is a keyword that sqlparser (0.59, ClickHouse dialect) parses by a grammar of
//!   its own and, when that fails, parses again from the keyword as a name, which reads what
//!   follows once more: a keyword of [`BEFORE_PARENTHESIS`] followed by `(` (`CAST(…)`,
//!   `EXTRACT(…)`, `POSITION(…)`, which is read three ways, `CASE (…)`, `NOT (…)`, …), and
//!   `ARRAY` followed by `[`;
//! - a broken query doubles the parser's work (triples it, for `position`) at each special form
//!   it sits in, so [`MAX_DEPTH`] of them inside each other is the most a query may have: found
//!   by the `sql_check` fuzz target, a 364-byte query nesting `position` a dozen deep took 14 s
//!   to reject, and a thirty-deep one would take days;
//! - where a table goes (after `FROM` or a `JOIN`), sqlparser reads a bracket as a subquery and,
//!   when that fails, again as a join in brackets, whose table may be a bracket again: so each
//!   bracket right after such a bracket counts (`FROM ((`), found by the `sql_check` fuzz target
//!   (a 229-byte query of brackets after FROM took 12 s to reject). The first does not: a broken
//!   subquery's second reading stops at its `SELECT`, so subqueries nested in FROM cost no more
//!   than once each;
//! - other brackets (plain function calls, grouping, subqueries in expressions, and the keywords
//!   sqlparser does not read again, `TRIM(`, `EXISTS(`) do not count: the parser reads them once.
//!
//! Operators. Rules:
//! - sqlparser reads a chain of binary operators (`a + b + c`, `x = 1 OR x = 2 OR …`) without
//!   recursion but builds it as a tree as deep as the chain is long, and the checker, the name
//!   resolution and the translation walk that tree recursively, a frame per level (up to 27 KB
//!   each in a debug build): found by the `sql_check` fuzz target, 300 `+` overflowed the stack;
//! - so the levels at each token are bounded at [`MAX_OPERATOR_DEPTH`]: each operator and
//!   keyword since the expression began (at its bracket or its last `,`), plus those of every
//!   bracket around it, one each for the brackets themselves. Names, numbers and strings count
//!   nothing. It bounds the tree's depth, since each of its levels has a token of its own.
use super::Rejection;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Word};

/// How many special forms a query may nest inside each other.
pub const MAX_DEPTH: usize = 8;

/// The keywords that open a special form when a `(` follows them.
const BEFORE_PARENTHESIS: &[Keyword] = &[
    Keyword::CASE,
    Keyword::CAST,
    Keyword::CEIL,
    Keyword::CONVERT,
    Keyword::CURRENT_DATE,
    Keyword::CURRENT_TIME,
    Keyword::CURRENT_TIMESTAMP,
    Keyword::EXTRACT,
    Keyword::FLOOR,
    Keyword::LOCALTIME,
    Keyword::LOCALTIMESTAMP,
    Keyword::NOT,
    Keyword::OVERLAY,
    Keyword::POSITION,
    Keyword::SAFE_CAST,
    Keyword::SUBSTR,
    Keyword::SUBSTRING,
    Keyword::TRY_CAST,
];

/// What opens a special form, as the rejection names it.
enum Form<'t> {
    /// A keyword before its bracket: `CAST(`, `ARRAY[`.
    Keyword(&'t Word),
    /// A bracket right after one where a table goes (`FROM ((`).
    Table,
}

/// The special form `opening` opens after `previous`, if it opens one; `table` says whether
/// `opening` is a bracket where a table goes ([`opens_table`]).
fn special_form<'t>(previous: Option<&'t Token>, opening: &Token, table: bool) -> Option<Form<'t>> {
    match (previous, opening) {
        (Some(Token::LParen), _) if table => Some(Form::Table),
        (Some(Token::Word(word)), Token::LParen) if BEFORE_PARENTHESIS.contains(&word.keyword) => {
            Some(Form::Keyword(word))
        }
        (Some(Token::Word(word)), Token::LBracket) if word.keyword == Keyword::ARRAY => {
            Some(Form::Keyword(word))
        }
        _ => None,
    }
}

/// Whether `opening`, after `previous`, is a bracket where a table goes: after `FROM`, a `JOIN`,
/// or another such bracket (`after_table`).
fn opens_table(previous: Option<&Token>, opening: &Token, after_table: bool) -> bool {
    *opening == Token::LParen
        && match previous {
            Some(Token::LParen) => after_table,
            Some(Token::Word(word)) => {
                word.keyword == Keyword::FROM || word.keyword == Keyword::JOIN
            }
            _ => false,
        }
}

/// How many levels of operators, keywords and brackets a query may nest.
pub const MAX_OPERATOR_DEPTH: usize = 128;

/// A bracket the walk is inside.
struct Open {
    /// Whether a special form opened it.
    form: bool,
    /// Whether it is where a table goes.
    table: bool,
    /// The levels of the expression it sits in, up to it.
    chain: usize,
}

/// Rejects `tokens` (whitespace left out) when they nest special forms deeper than
/// [`MAX_DEPTH`], naming the keyword that goes one deeper, or operators deeper than
/// [`MAX_OPERATOR_DEPTH`], naming the token that goes one deeper.
pub fn check(tokens: &[Token]) -> Result<(), Rejection> {
    let mut open: Vec<Open> = Vec::new();
    let mut forms = 0;
    // The levels of the brackets around the current token, and of its expression in the
    // innermost one.
    let mut outer = 0;
    let mut chain = 0;
    let mut previous: Option<&Token> = None;
    for token in tokens {
        match token {
            Token::LParen | Token::LBracket => {
                let after_table = open.last().is_some_and(|bracket| bracket.table);
                let table = opens_table(previous, token, after_table);
                let form = special_form(previous, token, table);
                if let Some(form) = &form {
                    forms += 1;
                    if forms > MAX_DEPTH {
                        let opening = match form {
                            Form::Keyword(keyword) => format!("{keyword}{token}"),
                            Form::Table => "((".to_owned(),
                        };
                        return Err(too_deep(&opening));
                    }
                }
                open.push(Open {
                    form: form.is_some(),
                    table,
                    chain,
                });
                outer += chain + 1;
                chain = 0;
            }
            Token::RParen | Token::RBracket => {
                if let Some(closed) = open.pop() {
                    forms -= usize::from(closed.form);
                    outer -= closed.chain + 1;
                    chain = closed.chain;
                }
            }
            Token::Comma => chain = 0,
            token if is_operand(token) => {}
            _ => chain += 1,
        }
        if outer + chain > MAX_OPERATOR_DEPTH {
            return Err(operators_too_deep(token));
        }
        previous = Some(token);
    }
    Ok(())
}

/// Whether `token` is a name, a number or a string: a leaf of the tree, not a level.
fn is_operand(token: &Token) -> bool {
    matches!(
        token,
        Token::Word(Word {
            keyword: Keyword::NoKeyword,
            ..
        }) | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::HexStringLiteral(_)
    )
}

fn too_deep(opening: &str) -> Rejection {
    Rejection {
        reason: format!(
            "`{opening}` opens a special form inside {MAX_DEPTH} others; tallymark's checker \
             parses at most {MAX_DEPTH} inside each other (CAST, EXTRACT, POSITION, SUBSTRING, \
             CASE, NOT, `((` after FROM and the like), since its parser's time doubles with each"
        ),
        fix: "compute the inner part in a subquery in FROM, or write it with plain functions"
            .to_owned(),
    }
}

fn operators_too_deep(token: &Token) -> Rejection {
    Rejection {
        reason: format!(
            "at `{token}` the query nests more than {MAX_OPERATOR_DEPTH} levels of operators, \
             keywords and brackets in one expression; tallymark's checker reads at most \
             {MAX_OPERATOR_DEPTH}, since it walks each level recursively"
        ),
        fix: "write a chain of ORed comparisons as `x IN (…)`, or split the expression in a \
              subquery"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::ClickHouseDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn tokens(sql: &str) -> Vec<Token> {
        Tokenizer::new(&ClickHouseDialect {}, sql)
            .tokenize()
            .unwrap()
            .into_iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect()
    }

    fn nested(open: &str, depth: usize, close: &str) -> String {
        format!(
            "SELECT {}1{} FROM t",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    #[test]
    fn operators_may_nest_128_levels_and_brackets_and_commas_count_as_stated() {
        // SELECT is one level, each `+` one: 127 `+` reach the bound.
        let chain = |n: usize| format!("SELECT 1{}", " + 1".repeat(n));
        assert!(check(&tokens(&chain(MAX_OPERATOR_DEPTH - 1))).is_ok());
        assert_eq!(
            check(&tokens(&chain(MAX_OPERATOR_DEPTH)))
                .unwrap_err()
                .to_string(),
            "at `+` the query nests more than 128 levels of operators, keywords and brackets in \
             one expression; tallymark's checker reads at most 128, since it walks each level \
             recursively\n  fix: write a chain of ORed comparisons as `x IN (…)`, or split the \
             expression in a subquery"
        );
        // A comma starts another expression; a closed bracket is one operand.
        let items = format!("SELECT {}", vec!["1 + 1 + 1"; 200].join(", "));
        assert!(check(&tokens(&items)).is_ok());
        let groups = format!("SELECT {}", vec!["(1 + 1)"; 200].join(" * "));
        assert!(check(&tokens(&groups)).is_err(), "200 `*` are 200 levels");
        // Inside a bracket, the levels before it count: 60 before, 60 inside, and the bracket.
        let inside = format!("SELECT 1{} + f(1{})", " + 1".repeat(60), " + 1".repeat(66));
        assert!(check(&tokens(&inside)).is_err());
        let inside = format!("SELECT 1{} + f(1{})", " + 1".repeat(60), " + 1".repeat(65));
        assert!(check(&tokens(&inside)).is_ok());
    }

    #[test]
    fn special_forms_may_nest_eight_deep() {
        assert!(check(&tokens(&nested("cast(", MAX_DEPTH, " AS Int8)"))).is_ok());
        assert_eq!(
            check(&tokens(&nested("cast(", MAX_DEPTH + 1, " AS Int8)")))
                .unwrap_err()
                .to_string(),
            "`cast(` opens a special form inside 8 others; tallymark's checker parses at most 8 \
             inside each other (CAST, EXTRACT, POSITION, SUBSTRING, CASE, NOT, `((` after FROM \
             and the like), since its parser's time doubles with each\n  fix: compute the inner part in a \
             subquery in FROM, or write it with plain functions"
        );
    }

    /// Each form sqlparser reads again when it fails, nested one past the bound.
    #[test]
    fn every_special_form_counts() {
        let forms = [
            ("CASE (", " = 1) WHEN true THEN 1 END"),
            ("cast(", " AS Int8)"),
            ("ceil(", ")"),
            ("convert(", ", Int8)"),
            ("CURRENT_DATE(", ")"),
            ("CURRENT_TIME(", ")"),
            ("CURRENT_TIMESTAMP(", ")"),
            ("extract(DAY FROM ", ")"),
            ("floor(", ")"),
            ("LOCALTIME(", ")"),
            ("LOCALTIMESTAMP(", ")"),
            ("NOT (", ")"),
            ("overlay(", " PLACING 'a' FROM 1)"),
            ("position('a' IN ", ")"),
            ("safe_cast(", " AS Int8)"),
            ("substr(", ", 1)"),
            ("substring(", ", 1)"),
            ("try_cast(", " AS Int8)"),
            ("ARRAY[", "]"),
        ];
        for (open, close) in forms {
            assert!(
                check(&tokens(&nested(open, MAX_DEPTH, close))).is_ok(),
                "{open}"
            );
            let rejection = check(&tokens(&nested(open, MAX_DEPTH + 1, close))).unwrap_err();
            assert!(
                rejection
                    .reason
                    .contains("opens a special form inside 8 others"),
                "{open}"
            );
        }
    }

    /// Found by the `sql_check` fuzz target: brackets right after brackets where a table goes,
    /// which sqlparser reads as a subquery and again as a join, took 12 s to reject in a
    /// 229-byte query.
    #[test]
    fn brackets_right_after_brackets_where_a_table_goes_count() {
        let brackets =
            |depth: usize| format!("SELECT a FROM {}t{}", "(".repeat(depth), ")".repeat(depth));
        // The first bracket after FROM does not count.
        assert!(check(&tokens(&brackets(MAX_DEPTH + 1))).is_ok());
        assert_eq!(
            check(&tokens(&brackets(MAX_DEPTH + 2)))
                .unwrap_err()
                .reason
                .split(';')
                .next(),
            Some("`((` opens a special form inside 8 others")
        );
        let joined = format!(
            "SELECT a FROM t JOIN {}u{} USING a",
            "(".repeat(MAX_DEPTH + 2),
            ")".repeat(MAX_DEPTH + 2)
        );
        assert_eq!(
            check(&tokens(&joined))
                .unwrap_err()
                .reason
                .split(';')
                .next(),
            Some("`((` opens a special form inside 8 others")
        );
        // Subqueries nested in FROM are read once each, whatever their depth.
        let subqueries = format!(
            "SELECT a FROM {}t{}",
            "(SELECT a FROM ".repeat(40),
            ")".repeat(40)
        );
        assert!(check(&tokens(&subqueries)).is_ok());
        assert!(check(&tokens(&nested("(", 40, ")"))).is_ok());
    }

    #[test]
    fn the_depth_counts_special_forms_of_every_kind_inside_each_other() {
        let mixed =
            "SELECT position('a' IN substring(CASE (extract(DAY FROM toDateTime(floor(ceil(\
                     NOT (cast(x AS Int8)))))) = 1) WHEN true THEN 'a' END, 1)) FROM t";
        assert!(check(&tokens(mixed)).is_ok());
        let deeper = mixed.replace("cast(x", "cast(cast(x AS Int8)");
        assert_eq!(
            check(&tokens(&deeper))
                .unwrap_err()
                .reason
                .split(';')
                .next(),
            Some("`cast(` opens a special form inside 8 others")
        );
    }

    #[test]
    fn other_brackets_and_forms_read_once_do_not_count() {
        assert!(check(&tokens(&nested("toUInt8(", 40, ")"))).is_ok());
        assert!(check(&tokens(&nested("(", 40, ")"))).is_ok());
        assert!(check(&tokens(&nested("trim(", 40, ")"))).is_ok());
        assert!(check(&tokens(&nested("[", 40, "]"))).is_ok());
        // Many special forms one after another, none inside another.
        let side_by_side = format!("SELECT {} FROM t", ["cast(1 AS Int8)"; 40].join(" + "));
        assert!(check(&tokens(&side_by_side)).is_ok());
        // A keyword not followed by its bracket opens nothing.
        assert!(check(&tokens(&nested("NOT ", 40, ""))).is_ok());
    }
}
