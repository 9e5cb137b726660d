//! Analytics Engine's SQL: parsed with sqlparser's ClickHouse dialect, checked against AE's rules
//! (`check`), field names resolved from a schema lock (`names`), translated to SQLite
//! (`translate`, `functions`) and run on the read-only store.

pub mod catalogue;
pub mod check;
pub mod check_files;
pub mod functions;
pub mod names;
pub mod nesting;
pub mod translate;
pub mod typed;
pub mod types;

use crate::output::{Column, Format, ResultSet};
use crate::store::Store;
use rusqlite::types::Value;
use sqlparser::ast::{FormatClause, Ident, LimitClause, Query, SetExpr, Statement, TableFactor};
use sqlparser::dialect::ClickHouseDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Why Analytics Engine would reject a query, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// What AE rejects.
    pub reason: String,
    /// What to write instead.
    pub fix: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n  fix: {}", self.reason, self.fix)
    }
}

/// An accepted query that is probably wrong: an aggregate ignoring `_sample_interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What is wrong.
    pub message: String,
    /// The sampling-correct form.
    pub fix: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n  fix: {}", self.message, self.fix)
    }
}

/// What a statement asks for.
#[derive(Debug, Clone)]
pub enum Request {
    /// A SELECT, its names resolved.
    Select(Box<Query>),
    /// `SHOW TABLES`.
    Tables,
    /// `SHOW TIMEZONES`.
    Timezones,
    /// `SHOW TIMEZONE`.
    Timezone,
}

/// A query AE would accept, ready to run locally or to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What it asks for.
    pub request: Request,
    /// The SQL to send to AE: field names replaced by columns, `FORMAT` kept.
    pub ae_sql: String,
    /// The format its `FORMAT` clause asks for.
    pub format: Option<Format>,
    /// Its sampling warnings.
    pub warnings: Vec<Warning>,
}

fn format_named(name: &str) -> Option<Format> {
    match name {
        "JSON" => Some(Format::Json),
        "JSONEachRow" => Some(Format::Jsonl),
        "TabSeparated" => Some(Format::Tsv),
        _ => None,
    }
}

fn parse_error(error: impl std::fmt::Display) -> Rejection {
    Rejection {
        reason: format!("AE cannot parse this query: {error}"),
        fix: "write one statement of AE's SQL (SELECT, SHOW TABLES, SHOW TIMEZONES, SHOW TIMEZONE)"
            .to_owned(),
    }
}

/// Parses and checks `sql` and resolves its field names with `names`.
pub fn prepare(sql: &str, names: &names::Names) -> Result<Prepared, Rejection> {
    let dialect = ClickHouseDialect {};
    let mut tokens: Vec<Token> = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(parse_error)?
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    while tokens.last() == Some(&Token::SemiColon) {
        tokens.pop();
    }
    let is_word = |token: Option<&Token>, word: &str| matches!(token, Some(Token::Word(w)) if w.value.eq_ignore_ascii_case(word));
    // SHOW … FORMAT x: the parser knows FORMAT after SELECT only, so it is taken off here.
    let mut show_format = None;
    if is_word(tokens.first(), "SHOW")
        && tokens.len() >= 3
        && is_word(tokens.get(tokens.len() - 2), "FORMAT")
    {
        if let Some(Token::Word(word)) = tokens.last() {
            show_format = Some(word.value.clone());
        }
        tokens.truncate(tokens.len() - 2);
    }
    nesting::check(&tokens)?;
    let mut statements = Parser::new(&dialect)
        .with_tokens(tokens)
        .parse_statements()
        .map_err(parse_error)?;
    if statements.len() != 1 {
        return Err(Rejection {
            reason: format!(
                "AE runs one statement per request, not {}",
                statements.len()
            ),
            fix: "send the statements one at a time".to_owned(),
        });
    }
    let mut statement = statements.remove(0);
    if let Some(name) = &show_format {
        if format_named(name).is_none() {
            return Err(Rejection {
                reason: format!("AE does not know `FORMAT {name}`"),
                fix: "use FORMAT JSON, FORMAT JSONEachRow or FORMAT TabSeparated".to_owned(),
            });
        }
    }
    let show = |request: Request, text: &str| Prepared {
        request,
        ae_sql: match &show_format {
            Some(name) => format!("{text} FORMAT {name}"),
            None => text.to_owned(),
        },
        format: show_format.as_deref().and_then(format_named),
        warnings: Vec::new(),
    };
    match &mut statement {
        Statement::ShowTables {
            terse: false,
            history: false,
            extended: false,
            full: false,
            external: false,
            show_options,
        } if show_options.show_in.is_none()
            && show_options.starts_with.is_none()
            && show_options.limit.is_none()
            && show_options.filter_position.is_none() =>
        {
            Ok(show(Request::Tables, "SHOW TABLES"))
        }
        Statement::ShowVariable { variable } if is_one(variable, "TIMEZONES") => {
            Ok(show(Request::Timezones, "SHOW TIMEZONES"))
        }
        Statement::ShowVariable { variable } if is_one(variable, "TIMEZONE") => {
            Ok(show(Request::Timezone, "SHOW TIMEZONE"))
        }
        Statement::Query(_) => {
            let warnings = check::statement(&statement)?;
            let Statement::Query(query) = &mut statement else {
                unreachable!("matched above")
            };
            if let SetExpr::Select(select) = query.body.as_ref() {
                if let Some(TableFactor::Table { name, .. }) =
                    select.from.first().map(|f| &f.relation)
                {
                    let dataset = name.to_string();
                    if !crate::store::is_storable(&dataset) {
                        return Err(Rejection {
                            reason: format!("`{dataset}` is not a dataset name"),
                            fix: "read a dataset by its name: letters, digits and `_`".to_owned(),
                        });
                    }
                }
            }
            names.resolve(query)?;
            let format = match &query.format_clause {
                Some(FormatClause::Identifier(name)) => format_named(&name.value),
                _ => None,
            };
            Ok(Prepared {
                ae_sql: for_clickhouse(query).to_string(),
                format,
                warnings,
                request: Request::Select(query.clone()),
            })
        }
        _ => check::statement(&statement).map(|_| unreachable!("rejected above")),
    }
}

/// `query` ready to render for ClickHouse: sqlparser renders a string literal's backslashes as
/// they are, while ClickHouse reads them as escapes, so each is doubled; and each quote is
/// written `\'`, since sqlparser doubles a quote only when no backslash comes before it (a quote
/// after a doubled backslash ended the string). A minus is kept apart from its operand
/// ([`keep_minus_apart`]).
fn for_clickhouse(query: &Query) -> Query {
    use sqlparser::ast::{Expr, Value};
    let mut query = query.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut query, |expr| {
        if let Expr::Value(value) = expr {
            if let Value::SingleQuotedString(text) = &mut value.value {
                *text = text.replace('\\', "\\\\").replace('\'', "\\'");
            }
        }
        keep_minus_apart(expr);
        std::ops::ControlFlow::<()>::Continue(())
    });
    query
}

/// Puts in brackets the operand of a minus when it renders with a leading `-`: sqlparser renders
/// a minus right before its operand, so `- -x` would come out as `--x`, which ClickHouse and
/// SQLite both read as a comment. It comes out as `-(-x)`, the same value.
fn keep_minus_apart(expr: &mut sqlparser::ast::Expr) {
    use sqlparser::ast::{Expr, UnaryOperator, Value};
    if let Expr::UnaryOp {
        op: UnaryOperator::Minus,
        expr: operand,
    } = expr
    {
        if operand.to_string().starts_with('-') {
            let inner = std::mem::replace(operand.as_mut(), Expr::value(Value::Null));
            **operand = Expr::Nested(Box::new(inner));
        }
    }
}

fn is_one(variable: &[Ident], word: &str) -> bool {
    matches!(variable, [ident] if ident.value.eq_ignore_ascii_case(word))
}

fn string_rows(values: &[&str]) -> Vec<Vec<Value>> {
    values
        .iter()
        .map(|v| vec![Value::Text((*v).to_owned())])
        .collect()
}

/// A dataset `query` reads that the store holds only under another case, with that other name.
/// SQLite names tables case-insensitively and would read the other dataset, while Analytics
/// Engine's names match exactly, so such a query is refused rather than answered from the wrong
/// dataset.
fn dataset_only_in_another_case(
    store: &Store,
    query: &Query,
) -> Result<Option<(String, String)>, String> {
    let mut read = Vec::new();
    let _ = sqlparser::ast::visit_relations(query, |name| {
        read.push(name.to_string());
        std::ops::ControlFlow::<()>::Continue(())
    });
    for dataset in read {
        if let Some(other) = store.dataset_differing_in_case(&dataset)? {
            return Ok(Some((dataset, other)));
        }
    }
    Ok(None)
}

/// Why `dataset` cannot be read: the store's datasets, and `differing`, the one whose name
/// differs from it only in case, if any.
fn not_in_store(store: &Store, dataset: &str, differing: Option<&str>) -> String {
    let known = store.datasets().unwrap_or_default();
    let held = if known.is_empty() {
        "nothing yet".to_owned()
    } else {
        known.join(", ")
    };
    let mut message = format!(
        "dataset `{dataset}` is not in the store {} (it has: {held})",
        store.path().display()
    );
    if let Some(other) = differing {
        message.push_str(&format!(
            "; `{other}` differs from it only in case, and dataset names match exactly"
        ));
    }
    message
}

/// Why a checked query gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The query fails as it runs (an unknown dataset, a bad argument…): the query's to fix.
    Query(String),
    /// The store could not be read (locked past the wait, damaged, unreadable): not the query's.
    Store(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Query(message) | RunError::Store(message) => f.write_str(message),
        }
    }
}

impl From<RunError> for String {
    fn from(error: RunError) -> String {
        error.to_string()
    }
}

/// Runs a prepared query on `store` (opened read-only).
pub fn run(store: &Store, prepared: &Prepared) -> Result<ResultSet, RunError> {
    let one_column = |name: &str, rows| ResultSet {
        columns: vec![Column {
            name: name.to_owned(),
            ty: "String".to_owned(),
        }],
        rows,
        rows_before_limit: None,
    };
    let query = match &prepared.request {
        Request::Tables => {
            let datasets = store.datasets().map_err(RunError::Store)?;
            let names: Vec<&str> = datasets.iter().map(String::as_str).collect();
            return Ok(one_column("dataset", string_rows(&names)));
        }
        Request::Timezones => {
            return Ok(one_column("name", string_rows(&crate::time::zone_names())))
        }
        Request::Timezone => return Ok(one_column("timezone", string_rows(&["Etc/UTC"]))),
        Request::Select(query) => query,
    };
    if let Some((dataset, other)) =
        dataset_only_in_another_case(store, query).map_err(RunError::Store)?
    {
        return Err(RunError::Query(not_in_store(store, &dataset, Some(&other))));
    }
    let connection = store.connection();
    functions::register(connection)
        .map_err(|e| RunError::Store(format!("cannot set up the query: {e}")))?;
    let local = translate::to_sqlite(query).map_err(RunError::Query)?;
    let explain = |e: rusqlite::Error| -> RunError {
        if crate::store::is_store_failure(&e) {
            return RunError::Store(store.describe(&e));
        }
        let message = e.to_string();
        RunError::Query(match message.strip_prefix("no such table: ") {
            // SQLite would have matched a dataset differing only in case: there is none.
            Some(table) => not_in_store(store, table, None),
            None => message,
        })
    };
    let mut statement = connection.prepare(&local.to_string()).map_err(explain)?;
    if !statement.readonly() {
        return Err(RunError::Query(
            "only reading statements run on the store".to_owned(),
        ));
    }
    let width = statement.column_count();
    let sqlite_names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<Vec<Value>> = statement
        .query_map([], |row| {
            (0..width).map(|i| row.get::<_, Value>(i)).collect()
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(explain)?;
    let mut names = types::output_names(query);
    if names.len() != width {
        names = sqlite_names;
    }
    let mut types = types::output_types(query);
    types.resize(width, None);
    let columns: Vec<Column> = names
        .into_iter()
        .zip(types)
        .enumerate()
        .map(|(i, (name, ty))| Column {
            ty: ty.unwrap_or_else(|| {
                rows.iter()
                    .map(|row| &row[i])
                    .find(|v| !matches!(v, Value::Null))
                    .map_or("String", |v| match v {
                        Value::Integer(_) => "Int64",
                        Value::Real(_) => "Float64",
                        _ => "String",
                    })
                    .to_owned()
            }),
            name,
        })
        .collect();
    let mut rows = rows;
    show_in_zones(&columns, &mut rows).map_err(RunError::Query)?;
    let rows_before_limit = match &local.limit_clause {
        Some(_) => Some(count_without_limit(connection, &local).map_err(explain)?),
        None => None,
    };
    Ok(ResultSet {
        columns,
        rows,
        rows_before_limit,
    })
}

/// A `DateTime('Zone')` column's values (instants, as UTC text) as ClickHouse prints them: the
/// wall-clock time in the zone.
fn show_in_zones(columns: &[Column], rows: &mut [Vec<Value>]) -> Result<(), String> {
    for (i, column) in columns.iter().enumerate() {
        let Some(zone) = types::zone_of(&column.ty) else {
            continue;
        };
        let zone = crate::time::zone(zone)?;
        for row in rows.iter_mut() {
            if let Value::Text(text) = &row[i] {
                if let Some(seconds) = crate::time::parse(text) {
                    row[i] = Value::Text(crate::time::format_in(seconds, zone));
                }
            }
        }
    }
    Ok(())
}

/// How many rows `query` gives without its LIMIT (AE's `rows_before_limit_at_least`).
fn count_without_limit(connection: &rusqlite::Connection, query: &Query) -> rusqlite::Result<u64> {
    let mut inner = query.clone();
    inner.limit_clause = None::<LimitClause>;
    inner.order_by = None;
    let mut outer =
        match Parser::parse_sql(&ClickHouseDialect {}, "SELECT count(*) FROM (SELECT 1)")
            .ok()
            .and_then(|mut s| s.pop())
        {
            Some(Statement::Query(outer)) => outer,
            _ => return Ok(0),
        };
    if let SetExpr::Select(select) = outer.body.as_mut() {
        if let Some(TableFactor::Derived { subquery, .. }) =
            select.from.first_mut().map(|f| &mut f.relation)
        {
            **subquery = inner;
        }
    }
    connection
        .query_row(&outer.to_string(), [], |row| row.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
}

#[cfg(test)]
mod tests;
