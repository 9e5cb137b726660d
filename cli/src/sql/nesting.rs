//! A bound on how deep a query nests the parser's special forms, checked on the tokens before
//! the query is parsed.
//!
//! Rules:
//! - a special form is a keyword that sqlparser parses by a grammar of its own and, when that
//!   fails, parses again from the keyword as a plain function call: `CAST(…)`, `EXTRACT(…)`,
//!   `POSITION(…)` (three ways), `SUBSTRING(…)`, `TRIM(…)`, `NOT (…)` and the others of
//!   [`SPECIAL_FORMS`], each followed by `(`;
//! - a broken query doubles the parser's work (triples it, for `position`) at each special form
//!   it sits in, so [`MAX_DEPTH`] of them inside each other is the most a query may have: found
//!   by the `sql_check` fuzz target, a 364-byte query nesting `position` a dozen deep took 14 s
//!   to reject, and a thirty-deep one would take days;
//! - parentheses of other kinds (plain function calls, grouping, subqueries) do not count: the
//!   parser reads them once.

use super::Rejection;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

/// How many special forms a query may nest inside each other.
pub const MAX_DEPTH: usize = 8;

/// The keywords that open a special form when a `(` follows them (sqlparser 0.59's prefix
/// forms).
const SPECIAL_FORMS: &[Keyword] = &[
    Keyword::ARRAY,
    Keyword::CAST,
    Keyword::CEIL,
    Keyword::CONVERT,
    Keyword::EXISTS,
    Keyword::EXTRACT,
    Keyword::FLOOR,
    Keyword::MATCH,
    Keyword::NOT,
    Keyword::OVERLAY,
    Keyword::POSITION,
    Keyword::SAFE_CAST,
    Keyword::STRUCT,
    Keyword::SUBSTR,
    Keyword::SUBSTRING,
    Keyword::TRIM,
    Keyword::TRY_CAST,
    Keyword::TRY_CONVERT,
];

/// Rejects `tokens` (whitespace left out) when they nest special forms deeper than
/// [`MAX_DEPTH`], naming the keyword that goes one deeper.
pub fn check(tokens: &[Token]) -> Result<(), Rejection> {
    // For each open parenthesis, whether a special form opened it.
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0;
    let mut previous: Option<&Token> = None;
    for token in tokens {
        match token {
            Token::LParen => {
                let special = matches!(previous, Some(Token::Word(word)) if SPECIAL_FORMS.contains(&word.keyword));
                if special {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        let Some(Token::Word(word)) = previous else {
                            unreachable!("a special form follows a word")
                        };
                        return Err(too_deep(&word.value));
                    }
                }
                open.push(special);
            }
            Token::RParen => depth -= usize::from(open.pop() == Some(true)),
            _ => {}
        }
        previous = Some(token);
    }
    Ok(())
}

fn too_deep(keyword: &str) -> Rejection {
    Rejection {
        reason: format!(
            "`{keyword}(` is the {}th special form nested inside another; tallymark's checker \
             parses at most {MAX_DEPTH} (CAST, EXTRACT, POSITION, SUBSTRING, TRIM, NOT and the \
             like), since its parser's time doubles with each",
            MAX_DEPTH + 1
        ),
        fix: "compute the inner part in a subquery in FROM, or write it with plain functions"
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
    fn special_forms_may_nest_eight_deep() {
        assert!(check(&tokens(&nested("cast(", MAX_DEPTH, " AS Int8)"))).is_ok());
        assert_eq!(
            check(&tokens(&nested("cast(", MAX_DEPTH + 1, " AS Int8)")))
                .unwrap_err()
                .to_string(),
            "`cast(` is the 9th special form nested inside another; tallymark's checker parses \
             at most 8 (CAST, EXTRACT, POSITION, SUBSTRING, TRIM, NOT and the like), since its \
             parser's time doubles with each\n  fix: compute the inner part in a subquery in \
             FROM, or write it with plain functions"
        );
    }

    #[test]
    fn the_depth_counts_special_forms_of_every_kind_inside_each_other() {
        let mixed = "SELECT position('a' IN substring(trim(extract(DAY FROM toDateTime(floor(ceil(\
                     NOT (cast(x AS Int8))))))), 1)) FROM t";
        assert!(check(&tokens(mixed)).is_ok());
        let deeper = mixed.replace("cast(x", "cast(cast(x AS Int8)");
        assert!(check(&tokens(&deeper))
            .unwrap_err()
            .reason
            .starts_with("`cast(` is the 9th"));
    }

    #[test]
    fn other_parentheses_and_closed_forms_do_not_count() {
        assert!(check(&tokens(&nested("toUInt8(", 40, ")"))).is_ok());
        assert!(check(&tokens(&nested("(", 40, ")"))).is_ok());
        // Many special forms one after another, none inside another.
        let side_by_side = format!("SELECT {} FROM t", ["cast(1 AS Int8)"; 40].join(" + "));
        assert!(check(&tokens(&side_by_side)).is_ok());
        // A keyword not followed by `(` opens nothing.
        assert!(check(&tokens(&nested("NOT ", 40, ""))).is_ok());
    }
}
