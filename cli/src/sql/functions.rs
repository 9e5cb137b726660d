//! The ClickHouse functions SQLite lacks, registered on a connection as `ch_*` functions and
//! aggregates with ClickHouse's semantics (each cited where it is defined). `translate.rs` calls
//! them; users cannot (the checker rejects names AE does not document). The time functions are in
//! `time`, the bit functions in `bits`.

mod bits;
mod time;

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};
use std::cmp::Ordering;
use std::collections::HashMap;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Error::UserFunctionError(message.into().into()))
}

/// An argument as an owned value.
fn value(ctx: &Context<'_>, i: usize) -> Value {
    ctx.get_raw(i).into()
}

/// A numeric argument (`None` for NULL).
fn float(ctx: &Context<'_>, i: usize) -> Result<Option<f64>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n as f64)),
        ValueRef::Real(x) => Ok(Some(x)),
        ValueRef::Text(t) => match std::str::from_utf8(t)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            Some(x) => Ok(Some(x)),
            None => fail(format!(
                "expected a number, got '{}'",
                String::from_utf8_lossy(t)
            )),
        },
        ValueRef::Blob(_) => fail("expected a number, got bytes"),
    }
}

/// An integer argument (floats truncated toward zero).
fn integer(ctx: &Context<'_>, i: usize) -> Result<Option<i64>> {
    match ctx.get_raw(i) {
        ValueRef::Integer(n) => Ok(Some(n)),
        _ => Ok(float(ctx, i)?.map(|x| x.trunc() as i64)),
    }
}

/// A text argument (bytes and numbers as their text).
fn text(ctx: &Context<'_>, i: usize) -> Option<String> {
    match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(format_float(x)),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// An argument's bytes.
fn bytes(ctx: &Context<'_>, i: usize) -> Option<Vec<u8>> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.to_vec()),
        _ => text(ctx, i).map(String::into_bytes),
    }
}

/// A float as ClickHouse prints it: no trailing `.0` on whole numbers.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        let mut text = x.to_string();
        if text.ends_with(".0") {
            text.truncate(text.len() - 2);
        }
        text
    }
}

/// Whether a condition holds (ClickHouse's conditions are numbers: non-zero is true).
fn truthy(value: ValueRef<'_>) -> Result<bool> {
    match value {
        ValueRef::Null => Ok(false),
        ValueRef::Integer(n) => Ok(n != 0),
        ValueRef::Real(x) => Ok(x != 0.0),
        _ => fail("a condition must be a number (a comparison, or 0/1), not text"),
    }
}

/// A scalar function's body.
type Scalar = fn(&Context<'_>) -> Result<Value>;

/// The flags of a function whose result depends on its arguments alone.
const PURE: FunctionFlags = FunctionFlags::SQLITE_UTF8.union(FunctionFlags::SQLITE_DETERMINISTIC);

/// Registers each (name, arity, body) of `scalars` on `connection`, as a pure function.
fn register_scalars(connection: &Connection, scalars: &[(&str, i32, Scalar)]) -> Result<()> {
    for (name, arity, function) in scalars {
        let function = *function;
        connection.create_scalar_function(*name, *arity, PURE, function)?;
    }
    Ok(())
}

/// Registers every `ch_*` function on `connection`.
pub fn register(connection: &Connection) -> Result<()> {
    let scalars: &[(&str, i32, Scalar)] = &[
        ("ch_if", 3, |c| {
            Ok(if truthy(c.get_raw(0))? {
                value(c, 1)
            } else {
                value(c, 2)
            })
        }),
        ("ch_int_div", 3, int_div),
        ("ch_modulo", 2, modulo),
        ("ch_divide", 2, |c| match (float(c, 0)?, float(c, 1)?) {
            (Some(a), Some(b)) => Ok(Value::Real(a / b)),
            _ => Ok(Value::Null),
        }),
        ("ch_ln", 1, |c| {
            Ok(float(c, 0)?.map_or(Value::Null, |x| Value::Real(x.ln())))
        }),
        ("ch_pow", 2, |c| match (float(c, 0)?, float(c, 1)?) {
            (Some(a), Some(b)) => Ok(Value::Real(a.powf(b))),
            _ => Ok(Value::Null),
        }),
        ("ch_round", 1, |c| round(c, RoundTo::Nearest)),
        ("ch_round", 2, |c| round(c, RoundTo::Nearest)),
        ("ch_floor", 1, |c| round(c, RoundTo::Down)),
        ("ch_floor", 2, |c| round(c, RoundTo::Down)),
        ("ch_ceil", 1, |c| round(c, RoundTo::Up)),
        ("ch_ceil", 2, |c| round(c, RoundTo::Up)),
        ("ch_length", 1, |c| {
            Ok(match c.get_raw(0) {
                ValueRef::Null => Value::Null,
                ValueRef::Blob(b) => Value::Integer(b.len() as i64),
                _ => Value::Integer(text(c, 0).unwrap_or_default().chars().count() as i64),
            })
        }),
        ("ch_empty", 1, |c| {
            Ok(Value::Integer(i64::from(
                bytes(c, 0).unwrap_or_default().is_empty(),
            )))
        }),
        ("ch_lower", 1, |c| {
            Ok(text(c, 0).map_or(Value::Null, |t| Value::Text(t.to_ascii_lowercase())))
        }),
        ("ch_upper", 1, |c| {
            Ok(text(c, 0).map_or(Value::Null, |t| Value::Text(t.to_ascii_uppercase())))
        }),
        ("ch_lower_utf8", 1, |c| {
            Ok(text(c, 0).map_or(Value::Null, |t| Value::Text(t.to_lowercase())))
        }),
        ("ch_upper_utf8", 1, |c| {
            Ok(text(c, 0).map_or(Value::Null, |t| Value::Text(t.to_uppercase())))
        }),
        ("ch_starts_with", 2, |c| {
            Ok(Value::Integer(i64::from(
                bytes(c, 0)
                    .unwrap_or_default()
                    .starts_with(&bytes(c, 1).unwrap_or_default()),
            )))
        }),
        ("ch_ends_with", 2, |c| {
            Ok(Value::Integer(i64::from(
                bytes(c, 0)
                    .unwrap_or_default()
                    .ends_with(&bytes(c, 1).unwrap_or_default()),
            )))
        }),
        ("ch_position", 2, position),
        ("ch_substring", 2, substring),
        ("ch_substring", 3, substring),
        ("ch_format", -1, format),
        ("ch_like", 2, |c| {
            Ok(Value::Integer(i64::from(like(
                &text(c, 0).unwrap_or_default(),
                &text(c, 1).unwrap_or_default(),
                false,
            ))))
        }),
        ("ch_ilike", 2, |c| {
            Ok(Value::Integer(i64::from(like(
                &text(c, 0).unwrap_or_default(),
                &text(c, 1).unwrap_or_default(),
                true,
            ))))
        }),
        ("ch_to_uint8", 2, |c| to_unsigned(c, 8)),
        ("ch_to_uint32", 2, |c| to_unsigned(c, 32)),
        ("ch_hex", 1, |c| encode(c, |byte| format!("{byte:02X}"))),
        ("ch_bin", 1, |c| encode(c, |byte| format!("{byte:08b}"))),
    ];
    register_scalars(connection, scalars)?;
    time::register(connection)?;
    bits::register(connection)?;
    connection.create_aggregate_function("ch_sum", 1, PURE, Sum { conditional: false })?;
    connection.create_aggregate_function("ch_sum_if", 2, PURE, Sum { conditional: true })?;
    connection.create_aggregate_function("ch_count_if", 1, PURE, CountIf)?;
    connection.create_aggregate_function("ch_arg_min", 2, PURE, ArgBest { max: false })?;
    connection.create_aggregate_function("ch_arg_max", 2, PURE, ArgBest { max: true })?;
    connection.create_aggregate_function("ch_first_value", 1, PURE, Pick { last: false })?;
    connection.create_aggregate_function("ch_last_value", 1, PURE, Pick { last: true })?;
    connection.create_aggregate_function("ch_top_k", 2, PURE, TopK { weighted: false })?;
    connection.create_aggregate_function("ch_top_k_weighted", 3, PURE, TopK { weighted: true })?;
    connection.create_aggregate_function(
        "ch_quantile_exact_weighted",
        3,
        PURE,
        QuantileExactWeighted,
    )?;
    Ok(())
}

/// ClickHouse's intDiv(a, b), args (a, b, result type): the quotient rounded toward zero, in
/// the result type `typed.rs` passes (the dividend's width: ClickHouse docs, intDiv, "the result
/// has the same width as the dividend"); dividing by zero, or a quotient that does not fit, is an
/// error, as in ClickHouse (`intDiv(1, 0.001)`: the UInt8 dividend cannot hold 1000).
fn int_div(ctx: &Context<'_>) -> Result<Value> {
    let quotient = match (ctx.get_raw(0), ctx.get_raw(1)) {
        (ValueRef::Null, _) | (_, ValueRef::Null) => return Ok(Value::Null),
        (ValueRef::Integer(_), ValueRef::Integer(0)) => return fail("Division by zero (intDiv)"),
        (ValueRef::Integer(a), ValueRef::Integer(b)) => a.checked_div(b).map(i128::from),
        _ => {
            let (a, b) = (float(ctx, 0)?.unwrap_or(0.0), float(ctx, 1)?.unwrap_or(0.0));
            if b == 0.0 {
                return fail("Division by zero (intDiv)");
            }
            let q = (a / b).trunc();
            q.is_finite().then_some(q as i128)
        }
    };
    let ty = text(ctx, 2).unwrap_or_default();
    let (bits, signed) = super::types::integer_type(&ty).unwrap_or((64, true));
    let fits = |q: i128| {
        if signed {
            q >= -(1i128 << (bits - 1)) && q < (1i128 << (bits - 1))
        } else {
            q >= 0 && q < (1i128 << bits)
        }
    };
    match quotient {
        Some(q) if fits(q) => Ok(Value::Integer(q as i64)),
        _ => fail(
            "Cannot perform integer division, because it will produce infinite or too large number (intDiv)",
        ),
    }
}

/// ClickHouse's modulo (`a % b`; ClickHouse docs, arithmetic functions, modulo): the remainder
/// of the division truncated toward zero, as in C++; an integer for integers, a float when
/// either is one (`7.5 % 2` = 1.5); an integer divided by zero is an error.
fn modulo(ctx: &Context<'_>) -> Result<Value> {
    match (ctx.get_raw(0), ctx.get_raw(1)) {
        (ValueRef::Null, _) | (_, ValueRef::Null) => Ok(Value::Null),
        (ValueRef::Integer(_), ValueRef::Integer(0)) => fail("Division by zero (modulo)"),
        (ValueRef::Integer(a), ValueRef::Integer(b)) => Ok(Value::Integer(a.wrapping_rem(b))),
        _ => Ok(Value::Real(
            float(ctx, 0)?.unwrap_or(0.0) % float(ctx, 1)?.unwrap_or(0.0),
        )),
    }
}

enum RoundTo {
    Nearest,
    Down,
    Up,
}

/// ClickHouse's round/floor/ceil(x[, n]): to n decimal places (negative n: tens, hundreds…).
/// round breaks ties to even for floats (ClickHouse rounds floats with the FPU's default mode).
fn round(ctx: &Context<'_>, to: RoundTo) -> Result<Value> {
    let places = if ctx.len() > 1 {
        integer(ctx, 1)?.unwrap_or(0)
    } else {
        0
    };
    let scale = 10f64.powi(i32::try_from(places).unwrap_or(0));
    let apply = |x: f64| {
        let scaled = x * scale;
        let done = match to {
            RoundTo::Nearest => scaled.round_ties_even(),
            RoundTo::Down => scaled.floor(),
            RoundTo::Up => scaled.ceil(),
        };
        done / scale
    };
    Ok(match ctx.get_raw(0) {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) if places >= 0 => Value::Integer(n),
        ValueRef::Integer(n) => Value::Integer(apply(n as f64) as i64),
        _ => Value::Real(apply(float(ctx, 0)?.unwrap_or(0.0))),
    })
}

/// ClickHouse's position(haystack, needle): the 1-based byte offset of the first match, 0 when
/// none, 1 for an empty needle.
fn position(ctx: &Context<'_>) -> Result<Value> {
    let (Some(haystack), Some(needle)) = (bytes(ctx, 0), bytes(ctx, 1)) else {
        return Ok(Value::Null);
    };
    if needle.is_empty() {
        return Ok(Value::Integer(1));
    }
    let found = haystack
        .windows(needle.len())
        .position(|window| window == needle.as_slice());
    Ok(Value::Integer(found.map_or(0, |i| i as i64 + 1)))
}

/// AE's substring(s, offset[, length]): "starting at the Unicode code point indicated by the
/// offset and returning the number of code points requested by the length" (ClickHouse's
/// substringUTF8): offset 1-based (negative: from the end, 0: empty), length to the end when
/// omitted (negative: up to that many code points before the end).
fn substring(ctx: &Context<'_>) -> Result<Value> {
    let Some(source) = text(ctx, 0) else {
        return Ok(Value::Null);
    };
    let chars: Vec<char> = source.chars().collect();
    let offset = integer(ctx, 1)?.unwrap_or(1);
    let len = chars.len() as i64;
    let start = match offset {
        0 => return Ok(Value::Text(String::new())),
        o if o > 0 => o - 1,
        o => (len + o).max(0),
    }
    .min(len);
    let end = if ctx.len() > 2 {
        match integer(ctx, 2)? {
            Some(l) if l >= 0 => start.saturating_add(l).min(len),
            Some(l) => (len + l).max(start),
            None => len,
        }
    } else {
        len
    };
    Ok(Value::Text(
        chars[start as usize..end as usize].iter().collect(),
    ))
}

/// ClickHouse's format(pattern, args…): `{}` takes the next argument, `{N}` the N-th (from 0),
/// `{{` and `}}` are braces.
fn format(ctx: &Context<'_>) -> Result<Value> {
    // Registered with any number of arguments: none at all is possible (`format()`), and reading
    // an argument that is not there panics in rusqlite.
    let Some(pattern) = (!ctx.is_empty()).then(|| text(ctx, 0)).flatten() else {
        return fail("format needs a pattern");
    };
    let args: Vec<String> = (1..ctx.len())
        .map(|i| text(ctx, i).unwrap_or_default())
        .collect();
    let mut out = String::new();
    let mut next = 0;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut number = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(d) if d.is_ascii_digit() => number.push(d),
                        _ => return fail(format!("format: bad placeholder in '{pattern}'")),
                    }
                }
                let i = if number.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    number.parse().unwrap_or(usize::MAX)
                };
                match args.get(i) {
                    Some(arg) => out.push_str(arg),
                    None => return fail(format!("format: no argument {i} for '{pattern}'")),
                }
            }
            c => out.push(c),
        }
    }
    Ok(Value::Text(out))
}

/// ClickHouse's LIKE: `%` any run of characters, `_` one character, `\` escapes; case-sensitive
/// (ILIKE: not).
pub fn like(value: &str, pattern: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (value, pattern) = (fold(value), fold(pattern));
    // Tokens: Some(c) a literal, None `_`, and `%` as a marker.
    enum Token {
        Literal(char),
        One,
        Any,
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        tokens.push(match pattern[i] {
            '\\' if i + 1 < pattern.len() => {
                i += 1;
                Token::Literal(pattern[i])
            }
            '%' => Token::Any,
            '_' => Token::One,
            c => Token::Literal(c),
        });
        i += 1;
    }
    // matches[j]: whether value[..j] matches the tokens so far.
    let mut matches = vec![false; value.len() + 1];
    matches[0] = true;
    for token in &tokens {
        let mut next = vec![false; value.len() + 1];
        match token {
            Token::Any => {
                let mut seen = false;
                for j in 0..=value.len() {
                    seen |= matches[j];
                    next[j] = seen;
                }
            }
            Token::One => {
                next[1..].copy_from_slice(&matches[..value.len()]);
            }
            Token::Literal(c) => {
                for j in 1..=value.len() {
                    next[j] = matches[j - 1] && value[j - 1] == *c;
                }
            }
        }
        matches = next;
    }
    matches[value.len()]
}

/// toUInt8/toUInt32 of argument 0, whose ClickHouse type is argument 1: numbers truncated toward
/// zero and wrapped to the width; text parsed; a `DateTime` its seconds since the epoch and a
/// `Date` its days (ClickHouse docs, type conversion functions: "the date corresponds to the
/// number of days since the beginning of the Unix epoch", "the date with time … to the number of
/// seconds").
fn to_unsigned(ctx: &Context<'_>, width: u32) -> Result<Value> {
    let ty = text(ctx, 1).unwrap_or_default();
    let n = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(Value::Null),
        _ if ty.starts_with("DateTime") => time::time(ctx, 0)?.unwrap_or(0),
        _ if ty == "Date" => time::time(ctx, 0)?.unwrap_or(0).div_euclid(86_400),
        ValueRef::Text(t) => {
            let t = String::from_utf8_lossy(t);
            match t.trim().parse::<i64>() {
                Ok(n) => n,
                Err(_) => return fail(format!("Cannot parse '{t}' as UInt{width}")),
            }
        }
        _ => integer(ctx, 0)?.unwrap_or(0),
    };
    let mask = (1i64 << width) - 1;
    Ok(Value::Integer(n & mask))
}

/// ClickHouse's hex/bin: text and bytes byte by byte; an integer's bytes most significant first
/// without leading zero bytes; a float's memory bytes (little-endian).
fn encode(ctx: &Context<'_>, byte: fn(u8) -> String) -> Result<Value> {
    let raw: Vec<u8> = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Integer(n) => {
            let all = n.to_be_bytes();
            let first = all.iter().position(|b| *b != 0).unwrap_or(all.len() - 1);
            all[first..].to_vec()
        }
        ValueRef::Real(x) => x.to_le_bytes().to_vec(),
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
    };
    Ok(Value::Text(raw.into_iter().map(byte).collect()))
}

/// A value that can key a map (floats by their bits).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Integer(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

impl Key {
    fn of(value: ValueRef<'_>) -> Key {
        match value {
            ValueRef::Null => Key::Null,
            ValueRef::Integer(n) => Key::Integer(n),
            ValueRef::Real(x) => Key::Real(x.to_bits()),
            ValueRef::Text(t) => Key::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Key::Blob(b.to_vec()),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Key::Null => serde_json::Value::Null,
            Key::Integer(n) => (*n).into(),
            Key::Real(bits) => f64::from_bits(*bits).into(),
            Key::Text(t) => t.clone().into(),
            Key::Blob(b) => String::from_utf8_lossy(b).into_owned().into(),
        }
    }
}

/// SQLite's order of values: NULL, numbers, text, bytes.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    let number = |v: &Value| match v {
        Value::Integer(n) => *n as f64,
        Value::Real(x) => *x,
        _ => 0.0,
    };
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ if rank(a) == 1 && rank(b) == 1 => number(a).total_cmp(&number(b)),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// `sum(x)` and `sumIf(x, cond)`: integers stay integers, a float makes the sum a float; 0 for
/// no rows (ClickHouse's sum of nothing is 0, SQLite's is NULL).
struct Sum {
    conditional: bool,
}

#[derive(Default)]
struct SumState {
    integer: i64,
    real: f64,
    is_real: bool,
}

impl Aggregate<SumState, Value> for Sum {
    fn init(&self, _: &mut Context<'_>) -> Result<SumState> {
        Ok(SumState::default())
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut SumState) -> Result<()> {
        if self.conditional && !truthy(ctx.get_raw(1))? {
            return Ok(());
        }
        match ctx.get_raw(0) {
            ValueRef::Null => {}
            ValueRef::Integer(n) => state.integer = state.integer.wrapping_add(n),
            _ => {
                state.real += float(ctx, 0)?.unwrap_or(0.0);
                state.is_real = true;
            }
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, state: Option<SumState>) -> Result<Value> {
        let state = state.unwrap_or_default();
        Ok(if state.is_real {
            Value::Real(state.real + state.integer as f64)
        } else {
            Value::Integer(state.integer)
        })
    }
}

/// `countIf(cond)`: the rows where the condition holds.
struct CountIf;

impl Aggregate<i64, Value> for CountIf {
    fn init(&self, _: &mut Context<'_>) -> Result<i64> {
        Ok(0)
    }

    fn step(&self, ctx: &mut Context<'_>, count: &mut i64) -> Result<()> {
        if truthy(ctx.get_raw(0))? {
            *count += 1;
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, count: Option<i64>) -> Result<Value> {
        Ok(Value::Integer(count.unwrap_or(0)))
    }
}

/// `argMin(arg, val)` / `argMax(arg, val)`: `arg` of the row with the least / greatest `val`,
/// the first such row on ties.
struct ArgBest {
    max: bool,
}

impl Aggregate<Option<(Value, Value)>, Value> for ArgBest {
    fn init(&self, _: &mut Context<'_>) -> Result<Option<(Value, Value)>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, best: &mut Option<(Value, Value)>) -> Result<()> {
        let candidate = value(ctx, 1);
        let better = match best {
            None => true,
            Some((_, current)) => {
                let order = compare(&candidate, current);
                if self.max {
                    order == Ordering::Greater
                } else {
                    order == Ordering::Less
                }
            }
        };
        if better {
            *best = Some((value(ctx, 0), candidate));
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, best: Option<Option<(Value, Value)>>) -> Result<Value> {
        Ok(best.flatten().map_or(Value::Null, |(arg, _)| arg))
    }
}

/// `first_value(x)` / `last_value(x)`: the first / last value read.
struct Pick {
    last: bool,
}

impl Aggregate<Option<Value>, Value> for Pick {
    fn init(&self, _: &mut Context<'_>) -> Result<Option<Value>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, picked: &mut Option<Value>) -> Result<()> {
        if self.last || picked.is_none() {
            *picked = Some(value(ctx, 0));
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, picked: Option<Option<Value>>) -> Result<Value> {
        Ok(picked.flatten().unwrap_or(Value::Null))
    }
}

/// `topK(n)(x)` / `topKWeighted(n)(x, w)`: the (at most) n most frequent values, most frequent
/// first, as a JSON array; frequency is the row count or the sum of weights; ties in order of
/// first appearance. (ClickHouse's is approximate on very many distinct values; exact here.)
struct TopK {
    weighted: bool,
}

#[derive(Default)]
struct TopKState {
    n: usize,
    seen: HashMap<Key, (usize, f64)>,
}

impl Aggregate<TopKState, Value> for TopK {
    fn init(&self, _: &mut Context<'_>) -> Result<TopKState> {
        Ok(TopKState::default())
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut TopKState) -> Result<()> {
        match integer(ctx, 0)? {
            Some(n) if n >= 1 => state.n = usize::try_from(n).unwrap_or(usize::MAX),
            _ => return fail("topK needs a count ≥ 1: topK(10)(x)"),
        }
        let weight = if self.weighted {
            float(ctx, 2)?.unwrap_or(0.0)
        } else {
            1.0
        };
        let order = state.seen.len();
        state
            .seen
            .entry(Key::of(ctx.get_raw(1)))
            .or_insert((order, 0.0))
            .1 += weight;
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, state: Option<TopKState>) -> Result<Value> {
        let state = state.unwrap_or_default();
        let mut counted: Vec<(Key, (usize, f64))> = state.seen.into_iter().collect();
        counted.sort_by(|(_, (a_order, a)), (_, (b_order, b))| {
            b.total_cmp(a).then(a_order.cmp(b_order))
        });
        let top: Vec<serde_json::Value> = counted
            .into_iter()
            .take(state.n)
            .map(|(key, _)| key.json())
            .collect();
        Ok(Value::Text(serde_json::Value::Array(top).to_string()))
    }
}

/// `quantileExactWeighted(q)(x, w)`, ClickHouse's exact algorithm
/// (AggregateFunctionQuantileExactWeighted): weights (whole numbers) summed per distinct value,
/// NaN values skipped, values sorted, and the answer is the first value whose cumulative weight
/// reaches `ceil(Σw · q)` (the last value if none does); no interpolation. Integers give an
/// integer, floats a float; no rows give NULL.
struct QuantileExactWeighted;

#[derive(Default)]
struct QuantileState {
    level: f64,
    weights: HashMap<Key, u64>,
}

impl Aggregate<QuantileState, Value> for QuantileExactWeighted {
    fn init(&self, _: &mut Context<'_>) -> Result<QuantileState> {
        Ok(QuantileState::default())
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut QuantileState) -> Result<()> {
        match float(ctx, 0)? {
            Some(level) if (0.0..=1.0).contains(&level) => state.level = level,
            _ => return fail("a quantile's level is a number from 0 to 1"),
        }
        let key = match ctx.get_raw(1) {
            ValueRef::Null => return Ok(()),
            ValueRef::Integer(n) => Key::Integer(n),
            _ => match float(ctx, 1)? {
                Some(x) if x.is_nan() => return Ok(()),
                Some(x) => Key::Real(x.to_bits()),
                None => return Ok(()),
            },
        };
        // ClickHouse keeps weights as UInt64: fractions are dropped, negatives count as 0 here.
        let weight = float(ctx, 2)?.unwrap_or(0.0).max(0.0) as u64;
        *state.weights.entry(key).or_insert(0) += weight;
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, state: Option<QuantileState>) -> Result<Value> {
        let state = state.unwrap_or_default();
        let number = |key: &Key| match key {
            Key::Integer(n) => *n as f64,
            Key::Real(bits) => f64::from_bits(*bits),
            _ => 0.0,
        };
        let mut pairs: Vec<(Key, u64)> = state.weights.into_iter().collect();
        if pairs.is_empty() {
            return Ok(Value::Null);
        }
        pairs.sort_by(|(a, _), (b, _)| number(a).total_cmp(&number(b)));
        let total: f64 = pairs.iter().map(|(_, w)| *w as f64).sum();
        let threshold = (total * state.level).ceil();
        let mut accumulated = 0.0;
        let mut answer = &pairs[pairs.len() - 1].0;
        for (key, weight) in &pairs {
            accumulated += *weight as f64;
            if accumulated >= threshold {
                answer = key;
                break;
            }
        }
        Ok(match answer {
            Key::Integer(n) => Value::Integer(*n),
            other => Value::Real(number(other)),
        })
    }
}
