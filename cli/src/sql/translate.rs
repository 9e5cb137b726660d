//! AE's SQL, checked and resolved, turned into SQLite's: by rewriting the parsed tree and
//! rendering it, never by splicing text. The rewrites that need types come first (`typed.rs`);
//! then ClickHouse functions become the `ch_*` functions of `functions.rs`; `LIKE`
//! (case-sensitive in ClickHouse), `/` (always a float division in ClickHouse), `%` (C++'s
//! remainder), `position(… IN …)` and `substring` become function calls; an aggregate with a
//! value over no rows is taken with `ifnull`; the `FORMAT` clause is
//! dropped (the output module honours it); an OFFSET without LIMIT gets SQLite's `LIMIT -1`;
//! last, an alias named like a column is put for that name in the clauses after SELECT.

use super::catalogue::{self, Context, Kind};
use super::check::{arguments, function_name};
use super::typed::{call, interval_args, text};
use super::types::Scope;
use sqlparser::ast::{
    visit_expressions, visit_expressions_mut, BinaryOperator, CeilFloorKind, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, GroupByExpr,
    LimitClause, OffsetRows, OrderByKind, Query, SelectItem, SetExpr, UnaryOperator, Value,
    VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// The SQLite form of `query` (already checked and resolved).
pub fn to_sqlite(query: &Query) -> Result<Query, String> {
    let mut query = query.clone();
    query.format_clause = None;
    let _ = query.visit(&mut SqliteLimits);
    super::typed::rewrite(&mut query)?;
    let flow = visit_expressions_mut(&mut query, |expr| match rewrite(expr) {
        Ok(()) => {
            super::keep_minus_apart(expr);
            ControlFlow::Continue(())
        }
        Err(message) => ControlFlow::Break(message),
    });
    if let ControlFlow::Break(message) = flow {
        return Err(message);
    }
    // After the rewrites, so that what is put is SQLite's already and is not rewritten again.
    let _ = query.visit(&mut AliasesForColumns);
    let leftover = visit_expressions(&query, |expr| match expr {
        Expr::Interval(interval) => ControlFlow::Break(interval.to_string()),
        _ => ControlFlow::Continue(()),
    });
    if let ControlFlow::Break(interval) = leftover {
        return Err(format!(
            "`{interval}` can only be added to or subtracted from a time, or passed to toStartOfInterval"
        ));
    }
    Ok(query)
}

/// Puts each query's LIMIT clause, the subqueries' too, in SQLite's grammar, which has OFFSET
/// only after a LIMIT and no `ROWS` after it. AE documents OFFSET as a clause of its own
/// ("OFFSET 10 -- skip the first 10 result rows"): without a LIMIT it gets `LIMIT -1`, which
/// SQLite reads as no limit.
struct SqliteLimits;

impl VisitorMut for SqliteLimits {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Some(LimitClause::LimitOffset {
            limit,
            offset: Some(offset),
            ..
        }) = &mut query.limit_clause
        {
            offset.rows = OffsetRows::None;
            limit.get_or_insert_with(|| Expr::value(Value::Number("-1".to_owned(), false)));
        }
        ControlFlow::Continue(())
    }
}

/// Puts for each name that is both an alias and a column of FROM the aliased expression, in
/// WHERE, GROUP BY, HAVING and ORDER BY. ClickHouse reads such a name as the alias (setting
/// `prefer_column_name_to_alias`, default 0: "the column name is substituted with the alias"),
/// SQLite as the column (in WHERE and GROUP BY). Run after every other rewrite, so the
/// expression put is SQLite's already; it is put whole, never looked into again, so an alias
/// whose expression reads its column (`toStartOfHour(timestamp) AS timestamp`) reads the column.
struct AliasesForColumns;

impl VisitorMut for AliasesForColumns {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Query { body, order_by, .. } = query;
        let SetExpr::Select(select) = body.as_mut() else {
            return ControlFlow::Continue(());
        };
        let input = Scope::input(select);
        let aliases: Vec<(String, Expr)> = select
            .projection
            .iter()
            .filter_map(|item| match item {
                // SQLite matches a column ignoring case, ClickHouse not: `AS Timestamp` is the
                // alias wherever `Timestamp` is written.
                SelectItem::ExprWithAlias { expr, alias }
                    if input.has_ignoring_case(&alias.value) =>
                {
                    Some((alias.value.clone(), aliased(expr)))
                }
                _ => None,
            })
            .collect();
        if aliases.is_empty() {
            return ControlFlow::Continue(());
        }
        let mut clauses: Vec<&mut Expr> = select.selection.iter_mut().collect();
        if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
            clauses.extend(exprs.iter_mut());
        }
        clauses.extend(select.having.as_mut());
        if let Some(OrderByKind::Expressions(exprs)) = order_by.as_mut().map(|o| &mut o.kind) {
            clauses.extend(exprs.iter_mut().map(|e| &mut e.expr));
        }
        for expr in clauses {
            put_aliases(expr, &aliases);
        }
        if let Some(OrderByKind::Expressions(exprs)) = order_by.as_mut().map(|o| &mut o.kind) {
            for term in exprs {
                keep_column_from_alias(&mut term.expr, &aliases);
            }
        }
        ControlFlow::Continue(())
    }
}

/// A term of ORDER BY that is a column whose name an alias repeats in another case
/// (`AS Timestamp … ORDER BY timestamp`) is the column in ClickHouse, whose names match exactly,
/// but SQLite reads a bare name in ORDER BY as an alias first, ignoring case. A unary `+` (which
/// returns its operand unchanged) makes the term an expression, where SQLite reads the column.
fn keep_column_from_alias(term: &mut Expr, aliases: &[(String, Expr)]) {
    let Expr::Identifier(ident) = term else {
        return;
    };
    if aliases
        .iter()
        .any(|(alias, _)| alias.eq_ignore_ascii_case(&ident.value))
    {
        *term = Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr: Box::new(term.clone()),
        };
    }
}

/// An aliased expression as it is put for its alias: in parentheses, and a number behind a call
/// of SQLite's `likely` (which returns its argument), since SQLite reads a number in ORDER BY or
/// GROUP BY as a column's position.
fn aliased(expr: &Expr) -> Expr {
    let put = Box::new(expr.clone());
    match expr {
        Expr::Value(value) if matches!(value.value, Value::Number(..)) => {
            super::typed::call("likely", vec![Expr::Nested(put)])
        }
        _ => Expr::Nested(put),
    }
}

/// Replaces each name of `aliases` in `expr` by its expression. The visit is bottom-up, so what
/// is put is not visited.
fn put_aliases(expr: &mut Expr, aliases: &[(String, Expr)]) {
    let _ = visit_expressions_mut(expr, |e| {
        if let Expr::Identifier(ident) = e {
            if let Some((_, aliased)) = aliases.iter().find(|(alias, _)| *alias == ident.value) {
                *e = aliased.clone();
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

fn rewrite(expr: &mut Expr) -> Result<(), String> {
    let replacement = match expr {
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Divide => {
                Some(call("ch_divide", vec![(**left).clone(), (**right).clone()]))
            }
            BinaryOperator::Modulo => {
                Some(call("ch_modulo", vec![(**left).clone(), (**right).clone()]))
            }
            _ => None,
        },
        Expr::Like {
            negated,
            expr: value,
            pattern,
            ..
        } => Some(negate(
            *negated,
            call("ch_like", vec![(**value).clone(), (**pattern).clone()]),
        )),
        Expr::ILike {
            negated,
            expr: value,
            pattern,
            ..
        } => Some(negate(
            *negated,
            call("ch_ilike", vec![(**value).clone(), (**pattern).clone()]),
        )),
        Expr::Position { expr: needle, r#in } => Some(call(
            "ch_position",
            vec![(**r#in).clone(), (**needle).clone()],
        )),
        Expr::Substring {
            expr: value,
            substring_from,
            substring_for,
            ..
        } => {
            let mut args = vec![(**value).clone()];
            args.extend(substring_from.as_deref().cloned());
            args.extend(substring_for.as_deref().cloned());
            Some(call("ch_substring", args))
        }
        Expr::Ceil { expr: value, field } => Some(call("ch_ceil", rounding_args(value, field))),
        Expr::Floor { expr: value, field } => Some(call("ch_floor", rounding_args(value, field))),
        Expr::Function(function) => Some(self::function(function)?),
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) if text.contains('\'') => Some(with_quotes(text)),
            _ => None,
        },
        _ => None,
    };
    if let Some(replacement) = replacement {
        *expr = replacement;
    }
    Ok(())
}

/// Text holding quotes, as SQLite reads it: its pieces between quotes joined by `char(39)`.
/// sqlparser doubles a quote only when no backslash comes before it, so the text `a\'b` rendered
/// as a literal would end at its quote. Found by the `sql_check` fuzz target.
fn with_quotes(value: &str) -> Expr {
    let concat = |left: Expr, right: Expr| Expr::BinaryOp {
        left: Box::new(left),
        op: BinaryOperator::StringConcat,
        right: Box::new(right),
    };
    let mut pieces = value.split('\'').map(text);
    let first = pieces.next().unwrap_or_else(|| text(""));
    let joined = pieces.fold(first, |joined, piece| {
        let quote = call(
            "char",
            vec![Expr::value(Value::Number("39".to_owned(), false))],
        );
        concat(concat(joined, quote), piece)
    });
    Expr::Nested(Box::new(joined))
}

/// `ceil(x[, n])`'s arguments.
fn rounding_args(value: &Expr, field: &CeilFloorKind) -> Vec<Expr> {
    let mut args = vec![value.clone()];
    if let CeilFloorKind::Scale(scale) = field {
        args.push(Expr::value(scale.clone()));
    }
    args
}

fn negate(negated: bool, expr: Expr) -> Expr {
    if negated {
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: Box::new(expr),
        }
    } else {
        expr
    }
}

fn function(function: &Function) -> Result<Expr, String> {
    let name = function_name(function);
    if name.starts_with("ch_") {
        return Ok(Expr::Function(function.clone()));
    }
    let known = catalogue::find(&name).ok_or_else(|| format!("unknown function `{name}`"))?;
    let mut args: Vec<Expr> = Vec::new();
    if let Kind::Parametric(default) = known.kind {
        match &function.parameters {
            FunctionArguments::None => {
                args.extend(default.map(|d| Expr::value(Value::Number(d.to_owned(), false))))
            }
            parameters => args.extend(arguments(parameters).into_iter().cloned()),
        }
    }
    let mut plain = arguments(&function.args);
    // The value over no rows `typed.rs` appended (Context::Empty), taken when the call is NULL.
    let empty = match known.context {
        Context::Empty { .. } => plain.pop().cloned(),
        _ => None,
    };
    if known.name == "toStartOfInterval" {
        // (time, INTERVAL, zone), the zone appended by `typed.rs`.
        match plain.as_slice() {
            [time, Expr::Interval(interval), zone] => {
                args.push((*time).clone());
                args.extend(interval_args(interval)?);
                args.push((*zone).clone());
            }
            _ => {
                return Err(
                    "toStartOfInterval takes a time and an interval: toStartOfInterval(timestamp, INTERVAL '1' HOUR)"
                        .to_owned(),
                )
            }
        }
    } else {
        args.extend(plain.into_iter().cloned());
    }
    let local = local_call(function, known, args);
    Ok(match empty {
        Some(empty) => call("ifnull", vec![local, empty]),
        None => local,
    })
}

/// The SQLite call of catalogued `function` (`known`) with `args`.
fn local_call(function: &Function, known: &catalogue::Function, args: Vec<Expr>) -> Expr {
    match known.local {
        Some(local) => {
            let mut local = call(local, args);
            // sum(DISTINCT x): SQLite applies DISTINCT to any aggregate of one argument.
            if let (Expr::Function(local), FunctionArguments::List(list)) =
                (&mut local, &function.args)
            {
                if let FunctionArguments::List(local_list) = &mut local.args {
                    local_list.duplicate_treatment = list.duplicate_treatment;
                }
            }
            local
        }
        None if known.name == "count" && args.is_empty() => {
            let mut counted = function.clone();
            counted.args = FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: None,
                args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
                clauses: Vec::new(),
            });
            Expr::Function(counted)
        }
        None => {
            // SQLite's own function, with the arguments kept (its DISTINCT too).
            let mut own = function.clone();
            if let FunctionArguments::List(list) = &mut own.args {
                list.args = args
                    .into_iter()
                    .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                    .collect();
            }
            Expr::Function(own)
        }
    }
}
