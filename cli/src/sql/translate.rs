//! AE's SQL, checked and resolved, turned into SQLite's: by rewriting the parsed tree and
//! rendering it, never by splicing text. The rewrites that need types come first (`typed.rs`);
//! then ClickHouse functions become the `ch_*` functions of `functions.rs`; `LIKE`
//! (case-sensitive in ClickHouse), `/` (always a float division in ClickHouse), `%` (C++'s
//! remainder), `position(… IN …)` and `substring` become function calls; the `FORMAT` clause is
//! dropped (the output module honours it); an OFFSET without LIMIT gets SQLite's `LIMIT -1`.

use super::catalogue::{self, Kind};
use super::check::{arguments, function_name};
use super::typed::{call, interval_args, text};
use sqlparser::ast::{
    visit_expressions, visit_expressions_mut, BinaryOperator, CeilFloorKind, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, LimitClause, OffsetRows,
    Query, UnaryOperator, Value, VisitMut, VisitorMut,
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
    let plain = arguments(&function.args);
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
            Ok(local)
        }
        None if known.name == "count" && args.is_empty() => {
            let mut counted = function.clone();
            counted.args = FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: None,
                args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
                clauses: Vec::new(),
            });
            Ok(Expr::Function(counted))
        }
        None => Ok(Expr::Function(function.clone())),
    }
}
