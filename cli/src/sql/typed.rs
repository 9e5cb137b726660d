//! The rewrites that need the ClickHouse types of their arguments, which SQLite's values do not
//! carry: a catalogued function's [`Context`] is appended as its last argument (a bit width,
//! intDiv's result type, a time zone, an aggregate's value over no rows; its zone argument, if
//! any, taken out), `extract(unit FROM t)`, `t ± INTERVAL 'n' UNIT` and `t ± n` (days of a Date,
//! seconds of a DateTime) become `ch_*` calls in the zone of `t`, and a string compared with a
//! DateTime becomes the instant it names in the DateTime's zone. Run SELECT by SELECT (each reads
//! its FROM's types), before `translate.rs`'s rewrites.

use super::catalogue::{self, Context, Returns};
use super::check::{arguments, function_name};
use super::types::{
    bits_type, call_zone, int_div_type, integer_type, is_time, literal_text, type_of, zone_of,
    Scope,
};
use sqlparser::ast::{
    BinaryOperator, DateTimeField, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, GroupByExpr, Ident, Interval, ObjectName, OrderByKind,
    Query, SetExpr, TableFactor, Value, VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// A call of `name` with `args`.
pub fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// A string literal.
pub fn text(value: &str) -> Expr {
    Expr::value(Value::SingleQuotedString(value.to_owned()))
}

/// An interval's unit, as the time functions read it.
pub fn unit(interval: &Interval) -> Result<&'static str, String> {
    let unit = match &interval.leading_field {
        Some(DateTimeField::Year | DateTimeField::Years) => "year",
        Some(DateTimeField::Quarter) => "quarter",
        Some(DateTimeField::Month | DateTimeField::Months) => "month",
        Some(DateTimeField::Week(_) | DateTimeField::Weeks) => "week",
        Some(DateTimeField::Day | DateTimeField::Days) => "day",
        Some(DateTimeField::Hour | DateTimeField::Hours) => "hour",
        Some(DateTimeField::Minute | DateTimeField::Minutes) => "minute",
        Some(DateTimeField::Second | DateTimeField::Seconds) => "second",
        _ => {
            return Err(format!(
                "`{interval}`: an interval's unit is YEAR, MONTH, DAY, HOUR, MINUTE or SECOND"
            ))
        }
    };
    Ok(unit)
}

/// `INTERVAL 'n' UNIT` as the two arguments `n, 'unit'`.
pub fn interval_args(interval: &Interval) -> Result<Vec<Expr>, String> {
    Ok(vec![(*interval.value).clone(), text(unit(interval)?)])
}

/// Rewrites `query` (checked and resolved) and its subquery.
pub fn rewrite(query: &mut Query) -> Result<(), String> {
    let Query { body, order_by, .. } = query;
    let select = match body.as_mut() {
        SetExpr::Select(select) => select,
        SetExpr::Query(inner) => return rewrite(inner),
        _ => return Ok(()),
    };
    let scope = Scope::of(select);
    // A selected expression reads FROM's names, not the aliases (its own included).
    let input = Scope::input(select);
    if let Some(TableFactor::Derived { subquery, .. }) =
        select.from.first_mut().map(|f| &mut f.relation)
    {
        rewrite(subquery)?;
    }
    for item in &mut select.projection {
        match item {
            sqlparser::ast::SelectItem::UnnamedExpr(expr)
            | sqlparser::ast::SelectItem::ExprWithAlias { expr, .. } => typed(expr, &input)?,
            _ => {}
        }
    }
    let mut own: Vec<&mut Expr> = Vec::new();
    own.extend(select.selection.as_mut());
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        own.extend(exprs.iter_mut());
    }
    own.extend(select.having.as_mut());
    if let Some(order_by) = order_by.as_mut() {
        if let OrderByKind::Expressions(exprs) = &mut order_by.kind {
            own.extend(exprs.iter_mut().map(|e| &mut e.expr));
        }
    }
    own.into_iter().try_for_each(|expr| typed(expr, &scope))
}

/// Rewrites `expr`, its names read in `scope`.
fn typed(expr: &mut Expr, scope: &Scope) -> Result<(), String> {
    match expr.visit(&mut Typed { scope }) {
        ControlFlow::Break(message) => Err(message),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Visits one SELECT's expressions, outermost first, so each is typed as the user wrote it.
struct Typed<'a> {
    scope: &'a Scope,
}

impl VisitorMut for Typed<'_> {
    type Break = String;

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<String> {
        match self.rewrite(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(message) => ControlFlow::Break(message),
        }
    }
}

impl Typed<'_> {
    /// The zone a time expression is in (`''`: UTC).
    fn zone(&self, time: &Expr) -> String {
        type_of(time, self.scope)
            .as_deref()
            .and_then(zone_of)
            .unwrap_or_default()
            .to_owned()
    }

    fn rewrite(&self, expr: &mut Expr) -> Result<(), String> {
        let replacement = match expr {
            Expr::Function(function) => {
                self.contextualize(function)?;
                None
            }
            Expr::Extract {
                field, expr: time, ..
            } => {
                let part = match field {
                    DateTimeField::Year => "year",
                    DateTimeField::Month => "month",
                    DateTimeField::Day => "day",
                    DateTimeField::Hour => "hour",
                    DateTimeField::Minute => "minute",
                    DateTimeField::Second => "second",
                    other => return Err(format!("extract: unknown unit `{other}`")),
                };
                let zone = self.zone(time);
                Some(call(
                    "ch_extract_part",
                    vec![(**time).clone(), text(part), text(&zone)],
                ))
            }
            Expr::BinaryOp { left, op, right } if is_comparison(op) => {
                self.read_as_time(left, right)?;
                self.read_as_time(right, left)?;
                None
            }
            Expr::Between {
                expr: time,
                low,
                high,
                ..
            } => {
                self.read_as_time(low, time)?;
                self.read_as_time(high, time)?;
                None
            }
            Expr::InList {
                expr: time, list, ..
            } => {
                for item in list.iter_mut() {
                    self.read_as_time(item, time)?;
                }
                None
            }
            Expr::BinaryOp { left, op, right }
                if matches!(op, BinaryOperator::Plus | BinaryOperator::Minus) =>
            {
                let sign = if *op == BinaryOperator::Minus { -1 } else { 1 };
                match (left.as_ref(), right.as_ref()) {
                    (time, Expr::Interval(interval)) => {
                        Some(self.add_interval(time, interval, sign)?)
                    }
                    (Expr::Interval(interval), time) if sign == 1 => {
                        Some(self.add_interval(time, interval, sign)?)
                    }
                    (left, right) => self.add_number(left, right, sign)?,
                }
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *expr = replacement;
        }
        Ok(())
    }

    /// Replaces `literal`, a string compared with `other`, a `DateTime`, by the instant it names
    /// on the clock of `other`'s zone (as UTC text, how a `DateTime` is held). ClickHouse
    /// compares "strings with dates and dates with times" (its docs, "Comparison functions") by
    /// reading the string as the other side's type, in its zone; a date alone is midnight.
    /// Anything else is left as it is.
    fn read_as_time(&self, literal: &mut Expr, other: &Expr) -> Result<(), String> {
        let Some(ty) = type_of(other, self.scope).filter(|t| t.starts_with("DateTime")) else {
            return Ok(());
        };
        // A whole number is seconds since the epoch, as ClickHouse compares a DateTime with it.
        if let Expr::Value(value) = literal {
            if let Value::Number(number, _) = &value.value {
                if let Ok(seconds) = number.parse::<i64>() {
                    *literal = text(&crate::time::format(seconds));
                }
                return Ok(());
            }
        }
        let Some(written) = literal_text(literal) else {
            return Ok(());
        };
        let zone = crate::time::zone(zone_of(&ty).unwrap_or_default())?;
        let seconds = crate::time::read_in(written, zone).ok_or_else(|| {
            format!(
                "cannot read '{written}', compared with a {ty}, as a time (YYYY-MM-DD hh:mm:ss)"
            )
        })?;
        *literal = text(&crate::time::format(seconds));
        Ok(())
    }

    /// `time ± INTERVAL 'n' UNIT` (`sign` 1 or -1) in the zone of `time`.
    fn add_interval(&self, time: &Expr, interval: &Interval, sign: i64) -> Result<Expr, String> {
        Ok(self.shift(time, (*interval.value).clone(), unit(interval)?, sign))
    }

    /// `left ± right` when one is a time and the other an integer, else `None`: ClickHouse adds
    /// an integer to a Date as days and to a DateTime as seconds (its docs, "Arithmetic
    /// functions", plus and minus); the result keeps the time's type. Any other sum or
    /// difference with a time (two times, a time and a float) is an error here, never a number
    /// SQLite makes of the times' text.
    fn add_number(&self, left: &Expr, right: &Expr, sign: i64) -> Result<Option<Expr>, String> {
        let (left_type, right_type) = (type_of(left, self.scope), type_of(right, self.scope));
        let is_integer =
            |ty: &Option<String>| ty.as_deref().is_some_and(|t| integer_type(t).is_some());
        let (time, time_type, count) = if is_integer(&right_type) {
            (left, left_type, right)
        } else if sign == 1 && is_integer(&left_type) {
            (right, right_type, left)
        } else if [&left_type, &right_type]
            .into_iter()
            .any(|ty| ty.as_deref().is_some_and(is_time))
        {
            return Err(format!(
                "`{left} {} {right}`: a Date or a DateTime takes only a whole number added or \
                 taken away here (days, seconds); for the seconds between two times write \
                 `toUnixTimestamp(a) - toUnixTimestamp(b)`",
                if sign == 1 { '+' } else { '-' }
            ));
        } else {
            return Ok(None);
        };
        Ok(match time_type {
            Some(ty) if ty == "Date" => Some(call(
                "ch_to_date",
                vec![self.shift(time, count.clone(), "day", sign), text("")],
            )),
            Some(ty) if ty.starts_with("DateTime") => {
                Some(self.shift(time, count.clone(), "second", sign))
            }
            _ => None,
        })
    }

    /// `time` plus `sign` times `count` `unit`s, in the zone of `time`.
    fn shift(&self, time: &Expr, count: Expr, unit: &str, sign: i64) -> Expr {
        let sign = Expr::value(Value::Number(sign.to_string(), false));
        let zone = text(&self.zone(time));
        call(
            "ch_add_interval",
            vec![time.clone(), count, text(unit), sign, zone],
        )
    }

    /// Appends the context of a catalogued call whose SQLite form takes one, taking its zone
    /// argument out.
    fn contextualize(&self, function: &mut Function) -> Result<(), String> {
        let Some(known) = catalogue::find(&function_name(function)) else {
            return Ok(());
        };
        if known.context == Context::None {
            return Ok(());
        }
        let args = arguments(&function.args);
        let types: Vec<Option<String>> = args.iter().map(|a| type_of(a, self.scope)).collect();
        let zone_position = match known.context {
            Context::Zone(Some(i)) | Context::ReadZone(i) => Some(i),
            _ => None,
        };
        if let Some(zone) = zone_position.and_then(|i| args.get(i)) {
            match literal_text(zone) {
                Some(name) => {
                    crate::time::zone(name)?;
                }
                None => {
                    return Err(format!(
                        "the time zone of `{}` is a literal, such as 'Europe/London', not `{zone}`",
                        known.name
                    ))
                }
            }
        }
        let zone = || call_zone(known, &args, self.scope).unwrap_or_default();
        let first_type = || types.first().cloned().flatten().unwrap_or_default();
        let context = match known.context {
            Context::None => return Ok(()),
            Context::Empty { nan_for_floats } => {
                let ty = type_of(&Expr::Function(function.clone()), self.scope);
                empty_value(ty.as_deref(), nan_for_floats)
            }
            Context::Bits => text(&match known.returns {
                Returns::Bits(n) => bits_type(&types[..n.min(types.len())]).unwrap_or_default(),
                _ => first_type(),
            }),
            Context::Type => text(&first_type()),
            Context::IntDiv => text(
                &int_div_type(
                    types.first().cloned().flatten().as_deref(),
                    types.get(1).cloned().flatten().as_deref(),
                )
                .unwrap_or_default(),
            ),
            Context::Zone(_) => text(&zone()),
            Context::ReadZone(_)
                if types
                    .first()
                    .and_then(|t| t.as_deref())
                    .is_some_and(|t| t.starts_with("DateTime")) =>
            {
                text("")
            }
            Context::ReadZone(_) => text(&zone()),
        };
        let mut kept: Vec<Expr> = args
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != zone_position)
            .map(|(_, e)| (*e).clone())
            .collect();
        kept.push(context);
        if let FunctionArguments::List(list) = &mut function.args {
            list.args = kept
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect();
        }
        Ok(())
    }
}

/// The value of type `ty` an aggregate gives over no rows ([`Context::Empty`]): ClickHouse's
/// default of the type (0, `''`, the Unix epoch), or NULL, read as no default, when `ty` is
/// unknown or a float is NaN.
fn empty_value(ty: Option<&str>, nan_for_floats: bool) -> Expr {
    let number = |n: &str| Expr::value(Value::Number(n.to_owned(), false));
    match ty {
        Some("String") => text(""),
        Some("Date") => text("1970-01-01"),
        Some(ty) if ty.starts_with("DateTime") => text("1970-01-01 00:00:00"),
        Some("Float32" | "Float64") if !nan_for_floats => number("0.0"),
        Some(ty) if integer_type(ty).is_some() => number("0"),
        _ => Expr::value(Value::Null),
    }
}

/// Whether `op` compares its operands.
fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}
