//! Analytics Engine's rules, checked on the parsed query before anything runs: the statements,
//! clauses, functions and forms AE accepts, the ones it rejects (HTTP 422) although ClickHouse
//! accepts them, and the aggregates that ignore `_sample_interval` (a warning, not a rejection).

use super::catalogue::{self, Kind};
use super::{Rejection, Warning};
use sqlparser::ast::{
    visit_expressions, BinaryOperator, CeilFloorKind, DateTimeField, DuplicateTreatment, Expr,
    ExtractSyntax, FormatClause, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, Interval, LimitClause, OrderByKind, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, UnaryOperator, Value,
};
use std::ops::ControlFlow;

/// The output formats AE accepts in a `FORMAT` clause.
pub const FORMATS: [&str; 3] = ["JSON", "JSONEachRow", "TabSeparated"];

fn reject<T>(reason: impl Into<String>, fix: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection {
        reason: reason.into(),
        fix: fix.into(),
    })
}

/// Checks one statement; returns the sampling warnings of an accepted one.
pub fn statement(statement: &Statement) -> Result<Vec<Warning>, Rejection> {
    match statement {
        Statement::Query(query) => {
            self::query(query, true)?;
            let mut warnings = Vec::new();
            if let ControlFlow::Break(rejection) =
                visit_expressions(statement, |expr| match expression(expr, &mut warnings) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(rejection) => ControlFlow::Break(rejection),
                })
            {
                return Err(rejection);
            }
            Ok(warnings)
        }
        _ => reject(
            format!(
                "AE runs SELECT, SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE only, not `{}`",
                first_words(&statement.to_string())
            ),
            "read with SELECT; AE's SQL API cannot change data",
        ),
    }
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// The query's clauses: one SELECT, one table or subquery, AE's formats.
fn query(query: &Query, outermost: bool) -> Result<(), Rejection> {
    if query.with.is_some() {
        return reject(
            "AE's SELECT has no WITH clause",
            "move the named query into FROM as a subquery",
        );
    }
    if query.fetch.is_some()
        || !query.locks.is_empty()
        || query.for_clause.is_some()
        || query.settings.is_some()
        || !query.pipe_operators.is_empty()
    {
        return reject(
            "AE's SELECT has no FETCH, FOR, SETTINGS or pipe clauses",
            "use LIMIT n [OFFSET m]",
        );
    }
    match &query.limit_clause {
        Some(LimitClause::LimitOffset {
            limit_by,
            limit,
            offset,
        }) => {
            if !limit_by.is_empty() {
                return reject("AE rejects LIMIT … BY", "use LIMIT n alone");
            }
            if let Some(limit) = limit.as_ref().filter(|l| !is_count(l)) {
                return reject(
                    format!("AE's LIMIT takes a number or ALL, not `{limit}`"),
                    "LIMIT 10",
                );
            }
            // The reference's usage is `OFFSET <n>`: a number of rows to skip.
            if let Some(offset) = offset.as_ref().filter(|o| !is_count(&o.value)) {
                return reject(
                    format!("AE's OFFSET takes a number of rows, not `{}`", offset.value),
                    "OFFSET 10",
                );
            }
        }
        Some(LimitClause::OffsetCommaLimit { .. }) => {
            return reject(
                "AE's reference pages write LIMIT n OFFSET m, not LIMIT m, n",
                "LIMIT n OFFSET m",
            )
        }
        None => {}
    }
    if let Some(order_by) = &query.order_by {
        let plain = match &order_by.kind {
            OrderByKind::Expressions(exprs) => exprs
                .iter()
                .all(|e| e.with_fill.is_none() && e.options.nulls_first.is_none()),
            OrderByKind::All(_) => false,
        };
        if !plain || order_by.interpolate.is_some() {
            return reject(
                "AE's ORDER BY takes expressions, each ASC or DESC: no ALL, NULLS, WITH FILL or \
                 INTERPOLATE",
                "ORDER BY <expression> [ASC|DESC], ...",
            );
        }
    }
    match &query.format_clause {
        None => {}
        Some(_) if !outermost => {
            return reject(
                "a subquery cannot have a FORMAT clause",
                "put FORMAT at the end of the whole query",
            )
        }
        Some(FormatClause::Identifier(name)) if FORMATS.contains(&name.value.as_str()) => {}
        Some(other) => {
            return reject(
                format!("AE does not know `{other}`"),
                "use FORMAT JSON, FORMAT JSONEachRow or FORMAT TabSeparated",
            )
        }
    }
    match query.body.as_ref() {
        SetExpr::Select(select) => self::select(select),
        SetExpr::Query(inner) => self::query(inner, false),
        SetExpr::SetOperation { op, .. } => reject(
            format!("AE runs one SELECT at a time: {op} is rejected"),
            "run the queries separately",
        ),
        _ => reject("AE runs SELECT only", "read with SELECT"),
    }
}

/// Whether `expr` is a whole number written as it is (LIMIT's and OFFSET's form).
fn is_count(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(v) if matches!(&v.value, Value::Number(n, false) if n.parse::<u64>().is_ok()))
}

fn select(select: &Select) -> Result<(), Rejection> {
    if select.distinct.is_some() {
        return reject(
            "AE's reference pages have no SELECT DISTINCT",
            "GROUP BY the selected columns, or count(DISTINCT x)",
        );
    }
    match &select.group_by {
        GroupByExpr::Expressions(_, modifiers) if modifiers.is_empty() => {}
        _ => {
            return reject(
                "AE's GROUP BY takes expressions: no ALL, ROLLUP, CUBE or TOTALS",
                "GROUP BY <expression>, ...",
            )
        }
    }
    if select.top.is_some()
        || select.into.is_some()
        || !select.lateral_views.is_empty()
        || select.prewhere.is_some()
        || !select.cluster_by.is_empty()
        || !select.distribute_by.is_empty()
        || !select.sort_by.is_empty()
        || !select.named_window.is_empty()
        || select.qualify.is_some()
        || select.connect_by.is_some()
    {
        return reject(
            "AE's SELECT has SELECT, FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT and FORMAT \
             clauses only",
            "rewrite the query with those clauses",
        );
    }
    for item in &select.projection {
        if let SelectItem::QualifiedWildcard(..) = item {
            return reject(
                "AE rejects qualified names such as `t.*` (there is one table)",
                "write `*`",
            );
        }
    }
    match select.from.as_slice() {
        [] => Ok(()),
        [from] => {
            if !from.joins.is_empty() {
                return reject(
                    "AE rejects JOIN: a query reads one dataset",
                    "run one query per dataset, or filter in one dataset with WHERE",
                );
            }
            match &from.relation {
                TableFactor::Table {
                    alias: Some(alias), ..
                }
                | TableFactor::Derived {
                    alias: Some(alias), ..
                } => reject(
                    format!("AE rejects table aliases (`AS {}`)", alias.name),
                    "drop the alias and refer to columns by their names alone",
                ),
                TableFactor::Table { args: Some(_), .. } => {
                    reject("AE has no table functions", "read a dataset by its name")
                }
                TableFactor::Table { .. } => Ok(()),
                TableFactor::Derived { subquery, .. } => query(subquery, false),
                _ => reject(
                    "AE reads FROM one dataset or one subquery",
                    "FROM <dataset> or FROM (SELECT …)",
                ),
            }
        }
        _ => reject(
            "AE rejects joins (`FROM a, b`): a query reads one dataset",
            "run one query per dataset",
        ),
    }
}

/// The function's name, when it is a plain one.
pub fn function_name(function: &Function) -> String {
    function.name.to_string()
}

/// The function's plain arguments.
pub fn arguments(arguments: &FunctionArguments) -> Vec<&Expr> {
    match arguments {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => Some(expr),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `expr` mentions `_sample_interval`.
fn weighted(expr: &Expr) -> bool {
    visit_expressions(expr, |e| match e {
        Expr::Identifier(ident) if ident.value == "_sample_interval" => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// One expression's rules (sub-expressions are visited on their own): the forms AE's pages
/// show are accepted ("Operators", "Literals", the functions' pages), the ones AE is known to
/// reject get their own reason, and anything else is rejected as not on the pages.
fn expression(expr: &Expr, warnings: &mut Vec<Warning>) -> Result<(), Rejection> {
    match expr {
        Expr::Identifier(_)
        | Expr::Nested(_)
        | Expr::InList { .. }
        | Expr::Between { .. }
        | Expr::Position { .. }
        | Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Not,
            ..
        }
        | Expr::Like {
            any: false,
            escape_char: None,
            ..
        }
        | Expr::ILike {
            any: false,
            escape_char: None,
            ..
        }
        | Expr::Substring {
            special: true,
            shorthand: false,
            ..
        } => Ok(()),
        Expr::Ceil { field, .. } | Expr::Floor { field, .. } => match field {
            CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) | CeilFloorKind::Scale(_) => {
                Ok(())
            }
            CeilFloorKind::DateTimeField(_) => reject(
                format!("AE's ceil and floor round numbers, not times (`{expr}`)"),
                "use toStartOfInterval(t, INTERVAL '1' DAY) and its kin",
            ),
        },
        Expr::Value(value) => literal(&value.value),
        Expr::BinaryOp { op, .. } => operator(op),
        Expr::Interval(interval) => self::interval(interval),
        Expr::Extract { field, syntax, .. } => extract(field, syntax),
        Expr::Function(function) => self::function(function, warnings),
        Expr::Case { .. } => reject(
            "AE rejects CASE",
            "use if(cond, then, else), nested for more branches",
        ),
        Expr::Subquery(_) | Expr::InSubquery { .. } | Expr::Exists { .. } => reject(
            "AE takes a subquery only in FROM",
            "move the subquery into FROM, or list the values: x IN ('a', 'b')",
        ),
        Expr::Cast { .. } => reject(
            "AE rejects CAST",
            "convert with toUInt8, toUInt32 or toDateTime",
        ),
        Expr::CompoundIdentifier(parts) => reject(
            format!(
                "AE rejects qualified names such as `{}` (there is one table and no aliases)",
                parts
                    .iter()
                    .map(|p| p.value.as_str())
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            "use the column name alone",
        ),
        // `f(x).3`, `x[1]`: sqlparser reads them, but AE has no tuple, array or map to read
        // them from (and `f(x).3` rendered back is `f(x)` then the number `.3`).
        Expr::CompoundFieldAccess { .. } => reject(
            format!(
                "AE rejects element access such as `{expr}` (it has no tuples, arrays or maps)"
            ),
            "use the value itself, or a function of it",
        ),
        Expr::Like { .. } | Expr::ILike { .. } => reject(
            format!("AE's LIKE and ILIKE take a pattern alone: no ANY, no ESCAPE (`{expr}`)"),
            "combine LIKE tests with OR; `\\` escapes % and _ in the pattern",
        ),
        Expr::SimilarTo { .. } | Expr::RLike { .. } => reject(
            "AE has no SIMILAR TO or REGEXP operator",
            "use LIKE or ILIKE, whose % and _ are the wildcards",
        ),
        Expr::IsNull(_) | Expr::IsNotNull(_) => reject(
            format!("AE's reference pages have no IS NULL (`{expr}`): no column is ever NULL"),
            "an unset blob reads '' and an unset double 0: compare with those",
        ),
        Expr::Substring { .. } => reject(
            format!(
                "AE's reference pages write substring(string, offset[, length]) only (`{expr}`)"
            ),
            "write substring(string, offset[, length])",
        ),
        other => reject(
            format!("AE's SQL reference pages have no `{other}`"),
            "write it with the operators, literals and functions of AE's reference pages",
        ),
    }
}

/// The literals of AE's "Literals" page: integers, doubles, strings and booleans (intervals are
/// [`interval`]'s).
fn literal(value: &Value) -> Result<(), Rejection> {
    match value {
        // Found by the `sql_check` fuzz target: the ClickHouse dialect reads `3334_DROP` as the
        // number `3334_` aliased `DROP`, rendered `3334_ AS DROP`, which parses no more.
        Value::Number(number, _) if number.contains('_') => reject(
            format!("AE's numbers are digits, a point and an exponent, not `{number}`"),
            "write the number without `_`",
        ),
        Value::Number(..) | Value::SingleQuotedString(_) | Value::Boolean(_) => Ok(()),
        Value::Null => reject(
            "AE's literals have no NULL, and no column is ever NULL",
            "an unset blob reads '' and an unset double 0: use those",
        ),
        other => reject(
            format!("AE's literals are numbers, 'strings', true and false, not `{other}`"),
            "write text in single quotes",
        ),
    }
}

/// The operators of AE's "Operators" page.
fn operator(op: &BinaryOperator) -> Result<(), Rejection> {
    use BinaryOperator::{
        And, Divide, Eq, Gt, GtEq, Lt, LtEq, Minus, Modulo, Multiply, NotEq, Or, Plus,
    };
    match op {
        Plus | Minus | Multiply | Divide | Modulo | Eq | NotEq | Lt | LtEq | Gt | GtEq | And
        | Or => Ok(()),
        BinaryOperator::StringConcat => {
            reject("AE rejects `||` (it is concat)", "use format('{}{}', a, b)")
        }
        BinaryOperator::BitwiseAnd
        | BinaryOperator::BitwiseOr
        | BinaryOperator::BitwiseXor
        | BinaryOperator::PGBitwiseShiftLeft
        | BinaryOperator::PGBitwiseShiftRight => reject(
            format!("AE has no `{op}` operator"),
            "use the bit functions: bitAnd, bitOr, bitXor, bitShiftLeft, bitShiftRight",
        ),
        other => reject(
            format!("AE has no `{other}` operator"),
            "use + - * / %, = != < <= > >=, AND, OR, NOT, IN, BETWEEN, LIKE or ILIKE",
        ),
    }
}

/// The units of AE's intervals and of its extract (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND).
fn is_unit(field: &DateTimeField) -> bool {
    matches!(
        field,
        DateTimeField::Year
            | DateTimeField::Month
            | DateTimeField::Day
            | DateTimeField::Hour
            | DateTimeField::Minute
            | DateTimeField::Second
    )
}

/// "Literals": `INTERVAL '42' DAY`, "intervals of YEAR, MONTH, DAY, HOUR, MINUTE and SECOND".
fn interval(interval: &Interval) -> Result<(), Rejection> {
    let quoted_count = matches!(interval.value.as_ref(), Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(n) if n.trim().parse::<i64>().is_ok()));
    let unit_alone = interval.leading_precision.is_none()
        && interval.last_field.is_none()
        && interval.fractional_seconds_precision.is_none();
    match &interval.leading_field {
        Some(unit) if is_unit(unit) && unit_alone && quoted_count => Ok(()),
        Some(unit) if is_unit(unit) && unit_alone => reject(
            format!("AE's intervals are written with a quoted count: not `{interval}`"),
            format!(
                "INTERVAL '{}' {unit}",
                interval.value.to_string().trim_matches('\'')
            ),
        ),
        _ => reject(
            format!(
                "AE's intervals are INTERVAL '<n>' YEAR, MONTH, DAY, HOUR, MINUTE or SECOND: not \
                 `{interval}`"
            ),
            "INTERVAL '7' DAY for a week, INTERVAL '3' MONTH for a quarter",
        ),
    }
}

/// String functions: `extract(<time unit> from <datetime>)`, "YEAR, MONTH, DAY, HOUR, MINUTE and
/// SECOND".
fn extract(field: &DateTimeField, syntax: &ExtractSyntax) -> Result<(), Rejection> {
    if is_unit(field) && *syntax == ExtractSyntax::From {
        Ok(())
    } else {
        reject(
            format!("AE's extract is extract(<unit> FROM <datetime>) with YEAR, MONTH, DAY, HOUR, MINUTE or SECOND, not `{field}`"),
            "extract(HOUR FROM timestamp)",
        )
    }
}

fn function(function: &Function, warnings: &mut Vec<Warning>) -> Result<(), Rejection> {
    let name = function_name(function);
    if function.over.is_some()
        || function.filter.is_some()
        || function.null_treatment.is_some()
        || !function.within_group.is_empty()
    {
        return reject(
            format!("AE rejects window and FILTER clauses (`{name}(…) OVER/FILTER`)"),
            "aggregate with GROUP BY",
        );
    }
    let args = arguments(&function.args);
    let list = match &function.args {
        FunctionArguments::List(list) => Some(list),
        _ => None,
    };
    let star = list.is_some_and(|list| {
        list.args
            .iter()
            .any(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Wildcard)))
    });
    if star && name.eq_ignore_ascii_case("count") {
        return reject(
            "AE rejects COUNT(*)",
            "count events with sum(_sample_interval) (rows are sampled), or stored rows with count()",
        );
    }
    if star {
        return reject(
            format!("AE rejects `*` as an argument of `{name}`"),
            "name a column",
        );
    }
    if let Some((reason, fix)) = catalogue::rejected(&name) {
        return reject(reason, fix);
    }
    let Some(known) = catalogue::find(&name) else {
        let fix = match catalogue::closest(&name) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "use a function from AE's SQL reference (functions, aggregates)".to_owned(),
        };
        return reject(
            format!("unknown function `{name}`: it is not on AE's SQL reference pages"),
            fix,
        );
    };
    let parameters = match &function.parameters {
        FunctionArguments::None => None,
        other => Some(arguments(other)),
    };
    match (known.kind, &parameters) {
        (Kind::Parametric(None), None) => {
            return reject(
                format!("`{}` takes a parameter before its arguments", known.name),
                format!("write {}", parametric_example(known.name)),
            )
        }
        (Kind::Parametric(_), Some(given)) if given.len() != 1 => {
            return reject(
                format!("`{}` takes one parameter, not {}", known.name, given.len()),
                format!("write {}", parametric_example(known.name)),
            )
        }
        (Kind::Parametric(_), _) => {}
        (_, Some(_)) => {
            return reject(
                format!("`{}` takes no parameters", known.name),
                format!("write {}(…)", known.name),
            )
        }
        _ => {}
    }
    if let Some(list) = list {
        if !list.clauses.is_empty() || args.len() != list.args.len() {
            return reject(
                format!("AE's functions take plain arguments (`{function}`)"),
                format!("write {}(a, b, …)", known.name),
            );
        }
    }
    let (least, most) = known.arity;
    if !(least..=most).contains(&args.len()) {
        let expected = match (least, most) {
            (1, 1) => "one argument".to_owned(),
            (n, m) if n == m => format!("{n} arguments"),
            (n, usize::MAX) => format!("{n} or more arguments"),
            (n, m) if m == n + 1 => format!("{n} or {m} arguments"),
            (n, m) => format!("{n} to {m} arguments"),
        };
        return reject(
            format!("`{}` takes {expected}, not {}", known.name, args.len()),
            format!(
                "give `{}` {expected}, as AE's reference pages show",
                known.name
            ),
        );
    }
    match list.and_then(|l| l.duplicate_treatment) {
        None => {}
        Some(DuplicateTreatment::Distinct) if matches!(known.name, "count" | "sum" | "avg") => {}
        Some(treatment) => {
            return reject(
                format!(
                    "AE's reference pages have {treatment} inside count, sum and avg only (`{function}`)"
                ),
                format!("write {}(…) without {treatment}", known.name),
            )
        }
    }
    if known.name == "if" {
        if_branches(&args)?;
    }
    if let catalogue::Context::Zone(Some(i)) | catalogue::Context::ReadZone(i) = known.context {
        if let Some(zone) = args.get(i) {
            match super::types::literal_text(zone) {
                Some(name) => crate::time::zone(name).map_err(|reason| Rejection {
                    reason,
                    fix: "name a zone as IANA does: 'Europe/London', 'America/New_York', 'Etc/UTC'"
                        .to_owned(),
                })?,
                None => {
                    return reject(
                        format!("`{}`'s time zone is a literal, not `{zone}`", known.name),
                        format!(
                            "write the zone in quotes: {}(…, 'Europe/London')",
                            known.name
                        ),
                    )
                }
            };
        }
    }
    let distinct = list.is_some_and(|l| l.duplicate_treatment.is_some());
    if let Some(warning) = sampling(known.name, &args, parameters.as_deref(), distinct) {
        warnings.push(warning);
    }
    Ok(())
}

fn parametric_example(name: &str) -> &'static str {
    match name {
        "quantileExactWeighted" => "quantileExactWeighted(0.95)(x, _sample_interval)",
        "topK" => "topK(10)(x)",
        _ => "topKWeighted(10)(x, _sample_interval)",
    }
}

/// The broad type of a literal or column, where it is plain to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broad {
    Text,
    Number,
    Null,
}

fn broad(expr: &Expr) -> Option<Broad> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(..) | Value::Boolean(_) => Some(Broad::Number),
            Value::SingleQuotedString(_) | Value::DoubleQuotedString(_) => Some(Broad::Text),
            Value::Null => Some(Broad::Null),
            _ => None,
        },
        Expr::Nested(inner) => broad(inner),
        Expr::UnaryOp { expr, .. } => broad(expr),
        Expr::Identifier(ident) => {
            let name = ident.value.as_str();
            if (name.starts_with("double") && crate::store::is_column(name))
                || name == "_sample_interval"
            {
                Some(Broad::Number)
            } else if (name.starts_with("blob") || name == "index1" || name == "dataset")
                && crate::store::is_column(name)
            {
                Some(Broad::Text)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn if_branches(args: &[&Expr]) -> Result<(), Rejection> {
    let [_, then, otherwise] = args else {
        return reject(
            format!("`if` takes three arguments, not {}", args.len()),
            "if(cond, then, else)",
        );
    };
    match (broad(then), broad(otherwise)) {
        (Some(Broad::Null), _) | (_, Some(Broad::Null)) => reject(
            "AE rejects `if()` with a NULL branch (its branches must have one type)",
            "use a value of the other branch's type: '' for text, 0 for numbers",
        ),
        (Some(a), Some(b)) if a != b => reject(
            format!("AE rejects `if()` whose branches differ in type (`{then}` and `{otherwise}`)"),
            "give both branches one type: if(c, 'yes', 'no') or if(c, 1, 0)",
        ),
        _ => Ok(()),
    }
}

/// What a count or a sum that ignores `_sample_interval` gets wrong: each row stands for
/// `_sample_interval` events, and it counts each row once.
const UNDERCOUNTS: &str = "rows are sampled, so on a busy dataset it undercounts";

/// What an average, a quantile or a top-k that ignores `_sample_interval` gets wrong: a row kept
/// at a low sampling rate weighs as much as one kept at a high rate.
const SKEWS: &str =
    "rows are sampled at different rates, so it weighs alike rows that stand for different \
     numbers of events";

/// The warning of an aggregate that ignores `_sample_interval`, with the sampling-correct form.
fn sampling(
    name: &str,
    args: &[&Expr],
    parameters: Option<&[&Expr]>,
    distinct: bool,
) -> Option<Warning> {
    let show = |exprs: &[&Expr]| {
        exprs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A parametric aggregate's parameter as written: `(10)`, or nothing when left out.
    let params = parameters.map_or_else(String::new, |p| format!("({})", show(p)));
    let first = args.first().map(|e| e.to_string()).unwrap_or_default();
    let warn = |written: String, fix: String, effect: &str| {
        Some(Warning {
            message: format!("`{written}` ignores _sample_interval: {effect}"),
            fix,
        })
    };
    match name {
        "count" if !distinct => warn(
            format!("count({})", show(args)),
            "count events with sum(_sample_interval); keep count() only to see how many rows the answer rests on".to_owned(),
            UNDERCOUNTS,
        ),
        "sum" if !args.iter().any(|a| weighted(a)) => warn(
            format!("sum({first})"),
            format!("sum({first} * _sample_interval)"),
            UNDERCOUNTS,
        ),
        "avg" if !args.iter().any(|a| weighted(a)) => warn(
            format!("avg({first})"),
            format!("sum({first} * _sample_interval) / sum(_sample_interval)"),
            SKEWS,
        ),
        "countIf" => warn(
            format!("countIf({})", show(args)),
            format!("sumIf(_sample_interval, {})", show(args)),
            UNDERCOUNTS,
        ),
        "sumIf" if !args.first().is_some_and(|a| weighted(a)) => warn(
            format!("sumIf({})", show(args)),
            format!(
                "sumIf({first} * _sample_interval, {})",
                args.get(1).map(|e| e.to_string()).unwrap_or_default()
            ),
            UNDERCOUNTS,
        ),
        "topK" => warn(
            format!("topK{params}({})", show(args)),
            format!("topKWeighted{params}({first}, _sample_interval)"),
            SKEWS,
        ),
        "quantileExactWeighted" if !args.get(1).is_some_and(|a| weighted(a)) => warn(
            format!("quantileExactWeighted{params}({})", show(args)),
            format!("quantileExactWeighted{params}({first}, _sample_interval)"),
            SKEWS,
        ),
        "quantileWeighted" if !args.get(2).is_some_and(|a| weighted(a)) => warn(
            format!("quantileWeighted({})", show(args)),
            format!(
                "quantileExactWeighted({})({}, _sample_interval)",
                args.first().map(|e| e.to_string()).unwrap_or_default(),
                args.get(1).map(|e| e.to_string()).unwrap_or_default()
            ),
            SKEWS,
        ),
        _ => None,
    }
}
