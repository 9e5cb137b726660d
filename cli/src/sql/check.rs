//! Analytics Engine's rules, checked on the parsed query before anything runs: the statements,
//! clauses, functions and forms AE accepts, the ones it rejects (HTTP 422) although ClickHouse
//! accepts them, and the aggregates that ignore `_sample_interval` (a warning, not a rejection).

use super::catalogue::{self, Kind};
use super::{Rejection, Warning};
use sqlparser::ast::{
    visit_expressions, BinaryOperator, Expr, FormatClause, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, LimitClause, Query, Select, SelectItem, SetExpr, Statement, TableFactor,
    Value,
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
    if let Some(LimitClause::LimitOffset { limit_by, .. }) = &query.limit_clause {
        if !limit_by.is_empty() {
            return reject("AE rejects LIMIT … BY", "use LIMIT n alone");
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

fn select(select: &Select) -> Result<(), Rejection> {
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

/// One expression's rules (sub-expressions are visited on their own).
fn expression(expr: &Expr, warnings: &mut Vec<Warning>) -> Result<(), Rejection> {
    match expr {
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
        Expr::BinaryOp {
            op: BinaryOperator::StringConcat,
            ..
        } => reject("AE rejects `||` (it is concat)", "use format('{}{}', a, b)"),
        Expr::Like { any: true, .. } | Expr::ILike { any: true, .. } => {
            reject("AE rejects LIKE ANY", "combine LIKE tests with OR")
        }
        Expr::SimilarTo { .. } | Expr::RLike { .. } => reject(
            "AE has no SIMILAR TO or REGEXP operator",
            "use LIKE, or extract(haystack, pattern) != ''",
        ),
        Expr::Function(function) => self::function(function, warnings),
        Expr::Value(literal) if !reads_back(&literal.value) => reject(
            format!("`{literal}` does not read back as written: a prefixed string holds a quote"),
            "write the text as a plain string: 'it''s'",
        ),
        _ => Ok(()),
    }
}

/// Whether `value`, rendered, parses back to itself. sqlparser writes the content of a prefixed
/// string (`X'…'`, `N'…'`) as it is, so a quote in it ends the literal early in the SQL sent to
/// AE. Plain strings are escaped for AE before they are rendered (`for_clickhouse`).
fn reads_back(value: &Value) -> bool {
    if matches!(
        value,
        Value::SingleQuotedString(_) | Value::Number(..) | Value::Boolean(_) | Value::Null
    ) {
        return true;
    }
    let dialect = sqlparser::dialect::ClickHouseDialect {};
    sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(&value.to_string())
        .and_then(|mut parser| parser.parse_value())
        .is_ok_and(|parsed| parsed.value == *value)
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
        (Kind::Parametric, None) => {
            return reject(
                format!("`{}` takes a parameter before its arguments", known.name),
                format!("write {}", parametric_example(known.name)),
            )
        }
        (Kind::Parametric, Some(_)) => {}
        (_, Some(_)) => {
            return reject(
                format!("`{}` takes no parameters", known.name),
                format!("write {}(…)", known.name),
            )
        }
        _ => {}
    }
    if known.name == "if" {
        if_branches(&args)?;
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
    let first = args.first().map(|e| e.to_string()).unwrap_or_default();
    let warn = |written: String, fix: String| {
        Some(Warning {
            message: format!(
                "`{written}` ignores _sample_interval: rows are sampled, so on a busy dataset it \
                 undercounts"
            ),
            fix,
        })
    };
    match name {
        "count" if !distinct => warn(
            format!("count({})", show(args)),
            "count events with sum(_sample_interval); keep count() only to see how many rows the answer rests on".to_owned(),
        ),
        "sum" if !args.iter().any(|a| weighted(a)) => warn(
            format!("sum({first})"),
            format!("sum({first} * _sample_interval)"),
        ),
        "avg" if !args.iter().any(|a| weighted(a)) => warn(
            format!("avg({first})"),
            format!("sum({first} * _sample_interval) / sum(_sample_interval)"),
        ),
        "countIf" => warn(
            format!("countIf({})", show(args)),
            format!("sumIf(_sample_interval, {})", show(args)),
        ),
        "sumIf" if !args.first().is_some_and(|a| weighted(a)) => warn(
            format!("sumIf({})", show(args)),
            format!(
                "sumIf({first} * _sample_interval, {})",
                args.get(1).map(|e| e.to_string()).unwrap_or_default()
            ),
        ),
        "topK" => warn(
            format!("topK({})({})", show(parameters.unwrap_or(&[])), show(args)),
            format!(
                "topKWeighted({})({first}, _sample_interval)",
                show(parameters.unwrap_or(&[]))
            ),
        ),
        "quantileExactWeighted" if !args.get(1).is_some_and(|a| weighted(a)) => warn(
            format!(
                "quantileExactWeighted({})({})",
                show(parameters.unwrap_or(&[])),
                show(args)
            ),
            format!(
                "quantileExactWeighted({})({first}, _sample_interval)",
                show(parameters.unwrap_or(&[]))
            ),
        ),
        "quantileWeighted" if !args.get(2).is_some_and(|a| weighted(a)) => warn(
            format!("quantileWeighted({})", show(args)),
            format!(
                "quantileExactWeighted({})({}, _sample_interval)",
                args.first().map(|e| e.to_string()).unwrap_or_default(),
                args.get(1).map(|e| e.to_string()).unwrap_or_default()
            ),
        ),
        _ => None,
    }
}
