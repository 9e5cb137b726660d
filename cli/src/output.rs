//! Query results printed as Analytics Engine prints them: `JSON` (`meta`, `data`, `rows`,
//! `rows_before_limit_at_least`), `JSONEachRow`, `TabSeparated`, and an aligned table for
//! terminals. 64-bit integers are quoted in JSON, as ClickHouse does by default.

use crate::sql::functions::format_float;
use rusqlite::types::Value;
use std::fmt::Write as _;
use std::io::IsTerminal as _;

/// How to print a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// AE's `FORMAT JSON`: `{"meta":[…],"data":[…],"rows":N[,"rows_before_limit_at_least":M]}`.
    Json,
    /// AE's `FORMAT JSONEachRow`: one object a line.
    Jsonl,
    /// AE's `FORMAT TabSeparated`: one row a line, no header.
    Tsv,
    /// Aligned columns under a header.
    Table,
}

impl Format {
    /// A table on a terminal, JSON otherwise.
    pub fn default_for_terminal() -> Format {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    }
}

/// One output column: its name and ClickHouse type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its ClickHouse type name (`String`, `UInt64`, `DateTime`, `Array(String)`…).
    pub ty: String,
}

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSet {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, one value a column.
    pub rows: Vec<Vec<Value>>,
    /// With a LIMIT: how many rows there were before it.
    pub rows_before_limit: Option<u64>,
}

/// Whether ClickHouse quotes this type's values in JSON (64-bit and wider integers).
fn quoted(ty: &str) -> bool {
    matches!(
        ty,
        "UInt64" | "Int64" | "UInt128" | "Int128" | "UInt256" | "Int256"
    )
}

/// A value as JSON, for a column of type `ty`.
fn json(value: &Value, ty: &str) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        // A UInt64 above i64::MAX is stored wrapped.
        Value::Integer(n) if ty == "UInt64" => (*n as u64).to_string().into(),
        Value::Integer(n) if ty == "Bool" => (*n != 0).into(),
        Value::Integer(n) if quoted(ty) => n.to_string().into(),
        Value::Integer(n) => (*n).into(),
        Value::Real(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 => {
            if quoted(ty) {
                (*x as i64).to_string().into()
            } else {
                (*x as i64).into()
            }
        }
        Value::Real(x) => {
            serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(text) if ty.starts_with("Array(") => {
            serde_json::from_str(text).unwrap_or_else(|_| text.clone().into())
        }
        Value::Text(text) => text.clone().into(),
        Value::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned().into(),
    }
}

/// A value as text (TabSeparated and tables): arrays as ClickHouse prints them (`['a','b']`).
fn text(value: &Value, ty: &str) -> String {
    match value {
        Value::Null => "\\N".to_owned(),
        Value::Integer(n) if ty == "UInt64" => (*n as u64).to_string(),
        Value::Integer(n) if ty == "Bool" => (*n != 0).to_string(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => format_float(*x),
        Value::Text(t) if ty.starts_with("Array(") => match serde_json::from_str(t) {
            Ok(serde_json::Value::Array(items)) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|item| match item {
                        serde_json::Value::String(s) => {
                            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
                        }
                        other => other.to_string(),
                    })
                    .collect();
                format!("[{}]", items.join(","))
            }
            _ => t.clone(),
        },
        Value::Text(t) => t.clone(),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// A value as a TabSeparated cell: NULL as `\N`, anything else as text with TabSeparated's
/// escapes (a text `\N` is written `\\N`, so the two stay apart).
fn tsv_cell(value: &Value, ty: &str) -> String {
    match value {
        Value::Null => "\\N".to_owned(),
        value => escape_tsv(&text(value, ty)),
    }
}

/// TabSeparated's escapes.
fn escape_tsv(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn row_object(result: &ResultSet, row: &[Value]) -> String {
    let mut out = String::from("{");
    for (i, (column, value)) in result.columns.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{}:{}",
            serde_json::Value::String(column.name.clone()),
            json(value, &column.ty)
        );
    }
    out.push('}');
    out
}

/// The result printed in `format`, ending with a line break.
pub fn render(result: &ResultSet, format: Format) -> String {
    match format {
        Format::Json => {
            let meta: Vec<String> = result
                .columns
                .iter()
                .map(|c| {
                    format!(
                        "{{\"name\":{},\"type\":{}}}",
                        serde_json::Value::String(c.name.clone()),
                        serde_json::Value::String(c.ty.clone())
                    )
                })
                .collect();
            let data: Vec<String> = result
                .rows
                .iter()
                .map(|row| row_object(result, row))
                .collect();
            let mut out = format!(
                "{{\"meta\":[{}],\"data\":[{}],\"rows\":{}",
                meta.join(","),
                data.join(","),
                result.rows.len()
            );
            if let Some(before) = result.rows_before_limit {
                let _ = write!(out, ",\"rows_before_limit_at_least\":{before}");
            }
            out.push_str("}\n");
            out
        }
        Format::Jsonl => result
            .rows
            .iter()
            .map(|row| row_object(result, row) + "\n")
            .collect(),
        Format::Tsv => result
            .rows
            .iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&result.columns)
                    .map(|(value, column)| tsv_cell(value, &column.ty))
                    .collect();
                cells.join("\t") + "\n"
            })
            .collect(),
        Format::Table => table(result),
    }
}

fn table(result: &ResultSet) -> String {
    let header: Vec<String> = result.columns.iter().map(|c| c.name.clone()).collect();
    let cells: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&result.columns)
                .map(|(value, column)| text(value, &column.ty).replace('\n', " "))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String]| -> String {
        let padded: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(&header);
    out.push_str(&line(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for row in &cells {
        out.push_str(&line(row));
    }
    let rows = result.rows.len();
    let _ = writeln!(out, "({rows} {})", if rows == 1 { "row" } else { "rows" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> ResultSet {
        ResultSet {
            columns: vec![
                Column {
                    name: "event".into(),
                    ty: "String".into(),
                },
                Column {
                    name: "n".into(),
                    ty: "UInt64".into(),
                },
                Column {
                    name: "p".into(),
                    ty: "Float64".into(),
                },
                Column {
                    name: "top".into(),
                    ty: "Array(String)".into(),
                },
            ],
            rows: vec![vec![
                Value::Text("a\tb".into()),
                Value::Integer(3),
                Value::Real(2.5),
                Value::Text(r#"["x","y"]"#.into()),
            ]],
            rows_before_limit: Some(7),
        }
    }

    #[test]
    fn json_has_aes_shape() {
        assert_eq!(
            render(&result(), Format::Json),
            "{\"meta\":[{\"name\":\"event\",\"type\":\"String\"},{\"name\":\"n\",\"type\":\"UInt64\"},{\"name\":\"p\",\"type\":\"Float64\"},{\"name\":\"top\",\"type\":\"Array(String)\"}],\"data\":[{\"event\":\"a\\tb\",\"n\":\"3\",\"p\":2.5,\"top\":[\"x\",\"y\"]}],\"rows\":1,\"rows_before_limit_at_least\":7}\n"
        );
    }

    #[test]
    fn tab_separated_writes_null_as_its_marker_and_a_text_marker_escaped() {
        let result = ResultSet {
            columns: vec![
                Column {
                    name: "m".into(),
                    ty: "Float64".into(),
                },
                Column {
                    name: "t".into(),
                    ty: "String".into(),
                },
            ],
            rows: vec![vec![Value::Null, Value::Text("\\N".into())]],
            rows_before_limit: None,
        };
        assert_eq!(render(&result, Format::Tsv), "\\N\t\\\\N\n");
    }

    #[test]
    fn each_row_tsv_and_table() {
        assert_eq!(
            render(&result(), Format::Jsonl),
            "{\"event\":\"a\\tb\",\"n\":\"3\",\"p\":2.5,\"top\":[\"x\",\"y\"]}\n"
        );
        assert_eq!(render(&result(), Format::Tsv), "a\\tb\t3\t2.5\t['x','y']\n");
        assert_eq!(
            render(&result(), Format::Table),
            "event  n  p    top\n-----  -  ---  ---------\na\tb    3  2.5  ['x','y']\n(1 row)\n"
        );
    }
}
