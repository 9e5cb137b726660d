//! The ClickHouse type of expressions and output columns (for JSON's `meta`, and for the
//! functions whose SQLite form needs a type: `typed.rs`), worked out from the query, since
//! SQLite's values do not carry them: AE's columns' types, literals' (the smallest integer type
//! that holds them), the catalogue's rules for functions.

use super::catalogue::{self, Context, Returns};
use super::check::{arguments, function_name};
use sqlparser::ast::{
    BinaryOperator, DateTimeField, Expr, Function, Query, Select, SelectItem, SetExpr, TableFactor,
    UnaryOperator, Value,
};

/// The names one SELECT's expressions can refer to, each with its type when known.
pub struct Scope {
    names: Vec<(String, Option<String>)>,
}

impl Scope {
    /// What FROM gives `select`: AE's columns, or a subquery's outputs.
    pub fn input(select: &Select) -> Scope {
        let names = match select.from.first().map(|f| &f.relation) {
            Some(TableFactor::Table { .. }) => crate::store::columns()
                .into_iter()
                .map(|c| {
                    let ty = column_type(&c).map(str::to_owned);
                    (c, ty)
                })
                .collect(),
            Some(TableFactor::Derived { subquery, .. }) => output_names(subquery)
                .into_iter()
                .zip(output_types(subquery))
                .collect(),
            _ => Vec::new(),
        };
        Scope { names }
    }

    /// What `select`'s WHERE, GROUP BY, HAVING and ORDER BY can refer to: its aliases (which
    /// ClickHouse prefers to a column of the same name), then its input.
    pub fn of(select: &Select) -> Scope {
        let input = Scope::input(select);
        let mut names: Vec<(String, Option<String>)> = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { expr, alias } => {
                    Some((alias.value.clone(), type_of(expr, &input)))
                }
                _ => None,
            })
            .collect();
        names.extend(input.names);
        Scope { names }
    }

    /// Whether `name` is one of the scope's names.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|(n, _)| n == name)
    }

    /// Whether SQLite would read `name` as one of the scope's names: it matches them ignoring
    /// ASCII case.
    pub fn has_ignoring_case(&self, name: &str) -> bool {
        self.names.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The type of `name`, when it is known.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, ty)| ty.clone())
    }
}

/// The ClickHouse type of each output column of `query` (resolved, AE side), `None` where it
/// cannot be told from the query (then the values decide).
pub fn output_types(query: &Query) -> Vec<Option<String>> {
    let select = match query.body.as_ref() {
        SetExpr::Select(select) => select,
        SetExpr::Query(inner) => return output_types(inner),
        _ => return Vec::new(),
    };
    let input = Scope::input(select);
    let mut types = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                types.push(type_of(expr, &input));
            }
            SelectItem::Wildcard(_) => types.extend(input.names.iter().map(|(_, ty)| ty.clone())),
            SelectItem::QualifiedWildcard(..) => {}
        }
    }
    types
}

/// The output names of `query` (resolved, AE side): aliases, column names, or the expression.
pub fn output_names(query: &Query) -> Vec<String> {
    let select = match query.body.as_ref() {
        SetExpr::Select(select) => select,
        SetExpr::Query(inner) => return output_names(inner),
        _ => return Vec::new(),
    };
    let input = match select.from.first().map(|f| &f.relation) {
        Some(TableFactor::Derived { subquery, .. }) => output_names(subquery),
        _ => crate::store::columns(),
    };
    let mut names = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::ExprWithAlias { alias, .. } => names.push(alias.value.clone()),
            SelectItem::UnnamedExpr(Expr::Identifier(ident)) => names.push(ident.value.clone()),
            SelectItem::UnnamedExpr(expr) => names.push(expr.to_string()),
            SelectItem::Wildcard(_) => names.extend(input.iter().cloned()),
            SelectItem::QualifiedWildcard(..) => {}
        }
    }
    names
}

/// The ClickHouse type of one of AE's columns.
pub fn column_type(name: &str) -> Option<&'static str> {
    match name {
        "timestamp" => Some("DateTime"),
        "_sample_interval" => Some("UInt32"),
        "dataset" | "index1" => Some("String"),
        n if n.starts_with("blob") => Some("String"),
        n if n.starts_with("double") => Some("Float64"),
        _ => None,
    }
}

/// Whether `ty` is a float type.
pub fn is_float(ty: &str) -> bool {
    ty.starts_with("Float")
}

/// Whether `ty` is a `Date` or a `DateTime` (of any zone).
pub fn is_time(ty: &str) -> bool {
    ty == "Date" || ty.starts_with("DateTime")
}

/// The width in bits and the sign of an integer type (`Bool` is a UInt8).
pub fn integer_type(ty: &str) -> Option<(u32, bool)> {
    Some(match ty {
        "UInt8" | "Bool" => (8, false),
        "UInt16" => (16, false),
        "UInt32" => (32, false),
        "UInt64" => (64, false),
        "Int8" => (8, true),
        "Int16" => (16, true),
        "Int32" => (32, true),
        "Int64" => (64, true),
        _ => return None,
    })
}

fn integer_name(bits: u32, signed: bool) -> String {
    format!("{}Int{bits}", if signed { "" } else { "U" })
}

/// The bit functions' result type over operand types (ClickHouse docs, bit functions): the
/// widest, signed when one is; a float counts as Int64. `None` when one is unknown or not a
/// number.
pub fn bits_type(types: &[Option<String>]) -> Option<String> {
    let mut widest = 0;
    let mut signed = false;
    for ty in types {
        let (bits, sign) = match ty.as_deref()? {
            float if is_float(float) => (64, true),
            other => integer_type(other)?,
        };
        widest = widest.max(bits);
        signed |= sign;
    }
    Some(integer_name(widest, signed))
}

/// intDiv's result type (ClickHouse docs, intDiv: "the result has the same width as the
/// dividend"; intDiv(toFloat64(1), 0.001) is an Int64): signed when either argument is (a float
/// is).
pub fn int_div_type(dividend: Option<&str>, divisor: Option<&str>) -> Option<String> {
    let sign = |ty: &str| is_float(ty) || integer_type(ty).is_some_and(|(_, s)| s);
    let (dividend, divisor) = (dividend?, divisor?);
    let bits = if is_float(dividend) {
        64
    } else {
        integer_type(dividend)?.0
    };
    Some(integer_name(bits, sign(dividend) || sign(divisor)))
}

/// The type of `a op b` for integers (ClickHouse docs, arithmetic functions: the result is the
/// next wider type, `toTypeName(0 + 0)` is UInt16; a difference is signed); `%` keeps Int64.
fn arithmetic_type(op: &BinaryOperator, a: &str, b: &str) -> Option<String> {
    let ((a_bits, a_signed), (b_bits, b_signed)) = (integer_type(a)?, integer_type(b)?);
    let bits = (a_bits.max(b_bits) * 2).min(64);
    match op {
        BinaryOperator::Plus | BinaryOperator::Multiply => {
            Some(integer_name(bits, a_signed || b_signed))
        }
        BinaryOperator::Minus => Some(integer_name(bits, true)),
        _ => Some("Int64".to_owned()),
    }
}

/// The time zone of a `DateTime('Zone')` type.
pub fn zone_of(ty: &str) -> Option<&str> {
    ty.strip_prefix("DateTime('")?.strip_suffix("')")
}

/// `DateTime`, or `DateTime('zone')` for a zone other than UTC's default.
pub fn date_time(zone: Option<&str>) -> String {
    match zone {
        Some(zone) if !zone.is_empty() => format!("DateTime('{zone}')"),
        _ => "DateTime".to_owned(),
    }
}

/// The text of a string literal.
pub fn literal_text(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

/// The zone a call of `known` works in: its zone argument when it has one, else the zone of its
/// first argument's `DateTime` type (`None`: UTC).
pub fn call_zone(known: &catalogue::Function, args: &[&Expr], scope: &Scope) -> Option<String> {
    let position = match known.context {
        Context::Zone(Some(i)) | Context::ReadZone(i) => Some(i),
        _ => None,
    };
    if let Some(zone) = position
        .and_then(|i| args.get(i))
        .and_then(|e| literal_text(e))
    {
        return Some(zone.to_owned());
    }
    let first = args.first().and_then(|e| type_of(e, scope))?;
    zone_of(&first).map(str::to_owned)
}

/// The type of a call of `function`.
fn call_type(function: &Function, scope: &Scope) -> Option<String> {
    let known = catalogue::find(&function_name(function))?;
    let args = arguments(&function.args);
    let arg = |n: usize| args.get(n).and_then(|e| type_of(e, scope));
    match known.returns {
        Returns::Type(ty) => Some(ty.to_owned()),
        Returns::Arg(n) => arg(n),
        Returns::ArrayOf(n) => arg(n).map(|ty| format!("Array({ty})")),
        Returns::Sum(n) => arg(n).map(|ty| {
            if is_float(&ty) {
                "Float64".to_owned()
            } else if ty.starts_with("UInt") {
                "UInt64".to_owned()
            } else {
                "Int64".to_owned()
            }
        }),
        Returns::Bits(n) => bits_type(&(0..n.min(args.len())).map(arg).collect::<Vec<_>>()),
        Returns::IntDiv => int_div_type(arg(0).as_deref(), arg(1).as_deref()),
        Returns::DateTime => Some(date_time(call_zone(known, &args, scope).as_deref())),
        Returns::StartOfInterval => match args.get(1) {
            Some(Expr::Interval(interval))
                if matches!(
                    interval.leading_field,
                    Some(
                        DateTimeField::Year
                            | DateTimeField::Quarter
                            | DateTimeField::Month
                            | DateTimeField::Week(_)
                    )
                ) =>
            {
                Some("Date".to_owned())
            }
            _ => Some(date_time(call_zone(known, &args, scope).as_deref())),
        },
    }
}

/// The ClickHouse type of `expr` in `scope`, when it can be told.
pub fn type_of(expr: &Expr, scope: &Scope) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => scope.lookup(&ident.value),
        Expr::Nested(inner) => type_of(inner, scope),
        Expr::Value(value) => match &value.value {
            Value::Number(n, _) if n.contains(['.', 'e', 'E']) => Some("Float64".to_owned()),
            Value::Number(n, _) => Some(
                match n.parse::<u64>() {
                    Ok(v) if v <= u64::from(u8::MAX) => "UInt8",
                    Ok(v) if v <= u64::from(u16::MAX) => "UInt16",
                    Ok(v) if v <= u64::from(u32::MAX) => "UInt32",
                    _ => "UInt64",
                }
                .to_owned(),
            ),
            Value::SingleQuotedString(_) => Some("String".to_owned()),
            Value::Boolean(_) => Some("Bool".to_owned()),
            _ => None,
        },
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Divide => Some("Float64".to_owned()),
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Modulo => {
                if let Expr::Interval(_) = right.as_ref() {
                    return type_of(left, scope);
                }
                let (a, b) = (type_of(left, scope)?, type_of(right, scope)?);
                // A time plus or minus a number stays a time (`typed.rs`).
                if is_time(&a) {
                    Some(a)
                } else if is_time(&b) && *op == BinaryOperator::Plus {
                    Some(b)
                } else if is_float(&a) || is_float(&b) {
                    Some("Float64".to_owned())
                } else {
                    arithmetic_type(op, &a, &b)
                }
            }
            _ => Some("UInt8".to_owned()),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            ..
        }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::InList { .. }
        | Expr::Between { .. }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_) => Some("UInt8".to_owned()),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: inner,
        } => match inner.as_ref() {
            // A negative integer literal: the smallest signed type that holds it (`-1` is Int8).
            Expr::Value(value) if !type_of(inner, scope).is_some_and(|t| is_float(&t)) => {
                let magnitude = match &value.value {
                    Value::Number(n, _) => n.parse::<u64>().ok()?,
                    _ => return None,
                };
                let bits = [8u32, 16, 32, 64]
                    .into_iter()
                    .find(|bits| magnitude <= 1u64 << (bits - 1))?;
                Some(integer_name(bits, true))
            }
            // ClickHouse's negate: an unsigned type becomes the signed one twice as wide.
            _ => match type_of(inner, scope)? {
                ty if ty.starts_with("UInt") => {
                    Some(integer_name((integer_type(&ty)?.0 * 2).min(64), true))
                }
                ty => Some(ty),
            },
        },
        Expr::UnaryOp { expr, .. } => type_of(expr, scope),
        Expr::Position { .. } => Some("UInt64".to_owned()),
        Expr::Substring { .. } => Some("String".to_owned()),
        // ClickHouse: EXTRACT(YEAR …) is toYear (UInt16), the other units UInt8.
        Expr::Extract { field, .. } => Some(
            if *field == DateTimeField::Year {
                "UInt16"
            } else {
                "UInt8"
            }
            .to_owned(),
        ),
        Expr::Ceil { expr, .. } | Expr::Floor { expr, .. } => type_of(expr, scope),
        Expr::Function(function) => call_type(function, scope),
        _ => None,
    }
}
