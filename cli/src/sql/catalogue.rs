//! Every function of Analytics Engine's SQL reference pages, and the ones AE rejects although
//! ClickHouse has them, each with what the checker, the translator and the result's type need.
//! Names are case-insensitive, as in AE.

/// How a function takes its arguments and what it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One value a row.
    Scalar,
    /// One value a group.
    Aggregate,
    /// An aggregate with parameters before its arguments: `topK(10)(x)`.
    Parametric,
}

/// What a function returns, as a ClickHouse type name, or how to derive it from the arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// Always this type.
    Type(&'static str),
    /// The type of the argument at this position.
    Arg(usize),
    /// `Array(<type of argument N>)`.
    ArrayOf(usize),
    /// `sum`'s rule: `Float64` for floats, else `Int64`/`UInt64` by the argument's sign.
    Sum(usize),
}

/// One function AE accepts.
#[derive(Debug)]
pub struct Function {
    /// Its name as the reference pages spell it.
    pub name: &'static str,
    /// How it is called.
    pub kind: Kind,
    /// The SQLite function the translator calls instead (registered by `functions.rs`), or `None`
    /// when SQLite's own function of the same name has ClickHouse's meaning.
    pub local: Option<&'static str>,
    /// Its result type.
    pub returns: Returns,
}

const fn f(
    name: &'static str,
    kind: Kind,
    local: Option<&'static str>,
    returns: Returns,
) -> Function {
    Function {
        name,
        kind,
        local,
        returns,
    }
}

use Kind::{Aggregate as A, Parametric as P, Scalar as S};
use Returns::{Arg, ArrayOf, Sum, Type as T};

/// Every function AE documents.
pub const FUNCTIONS: &[Function] = &[
    // Aggregates.
    f("count", A, None, T("UInt64")),
    f("sum", A, Some("ch_sum"), Sum(0)),
    f("avg", A, None, T("Float64")),
    f("min", A, None, Arg(0)),
    f("max", A, None, Arg(0)),
    f(
        "quantileExactWeighted",
        P,
        Some("ch_quantile_exact_weighted"),
        Arg(0),
    ),
    f("quantileWeighted", A, Some("ch_quantile_weighted"), Arg(1)),
    f("argMin", A, Some("ch_arg_min"), Arg(0)),
    f("argMax", A, Some("ch_arg_max"), Arg(0)),
    f("first_value", A, Some("ch_first_value"), Arg(0)),
    f("last_value", A, Some("ch_last_value"), Arg(0)),
    f("topK", P, Some("ch_top_k"), ArrayOf(0)),
    f("topKWeighted", P, Some("ch_top_k_weighted"), ArrayOf(0)),
    f("countIf", A, Some("ch_count_if"), T("UInt64")),
    f("sumIf", A, Some("ch_sum_if"), Sum(0)),
    // Conditionals and arithmetic.
    f("if", S, Some("ch_if"), Arg(1)),
    f("intDiv", S, Some("ch_int_div"), T("Int64")),
    f("log", S, Some("ch_ln"), T("Float64")),
    f("ln", S, Some("ch_ln"), T("Float64")),
    f("pow", S, Some("ch_pow"), T("Float64")),
    f("round", S, Some("ch_round"), Arg(0)),
    f("floor", S, Some("ch_floor"), Arg(0)),
    f("ceil", S, Some("ch_ceil"), Arg(0)),
    // Text.
    f("length", S, Some("ch_length"), T("UInt64")),
    f("empty", S, Some("ch_empty"), T("UInt8")),
    f("lower", S, Some("ch_lower"), T("String")),
    f("upper", S, Some("ch_upper"), T("String")),
    f("lowerUTF8", S, Some("ch_lower_utf8"), T("String")),
    f("upperUTF8", S, Some("ch_upper_utf8"), T("String")),
    f("startsWith", S, Some("ch_starts_with"), T("UInt8")),
    f("endsWith", S, Some("ch_ends_with"), T("UInt8")),
    f("position", S, Some("ch_position"), T("UInt64")),
    f("substring", S, Some("ch_substring"), T("String")),
    f("format", S, Some("ch_format"), T("String")),
    f("extract", S, Some("ch_extract"), T("String")),
    // Conversions.
    f("toUInt8", S, Some("ch_to_uint8"), T("UInt8")),
    f("toUInt32", S, Some("ch_to_uint32"), T("UInt32")),
    // Time.
    f("now", S, Some("ch_now"), T("DateTime")),
    f("today", S, Some("ch_today"), T("Date")),
    f("toDateTime", S, Some("ch_to_date_time"), T("DateTime")),
    f(
        "toUnixTimestamp",
        S,
        Some("ch_to_unix_timestamp"),
        T("UInt32"),
    ),
    f(
        "formatDateTime",
        S,
        Some("ch_format_date_time"),
        T("String"),
    ),
    f(
        "toStartOfInterval",
        S,
        Some("ch_to_start_of_interval"),
        T("DateTime"),
    ),
    f("toStartOfYear", S, Some("ch_to_start_of_year"), T("Date")),
    f("toStartOfMonth", S, Some("ch_to_start_of_month"), T("Date")),
    f("toStartOfWeek", S, Some("ch_to_start_of_week"), T("Date")),
    f("toStartOfDay", S, Some("ch_to_start_of_day"), T("DateTime")),
    f(
        "toStartOfHour",
        S,
        Some("ch_to_start_of_hour"),
        T("DateTime"),
    ),
    f(
        "toStartOfFifteenMinutes",
        S,
        Some("ch_to_start_of_fifteen_minutes"),
        T("DateTime"),
    ),
    f(
        "toStartOfTenMinutes",
        S,
        Some("ch_to_start_of_ten_minutes"),
        T("DateTime"),
    ),
    f(
        "toStartOfFiveMinutes",
        S,
        Some("ch_to_start_of_five_minutes"),
        T("DateTime"),
    ),
    f(
        "toStartOfMinute",
        S,
        Some("ch_to_start_of_minute"),
        T("DateTime"),
    ),
    f("toYear", S, Some("ch_to_year"), T("UInt16")),
    f("toMonth", S, Some("ch_to_month"), T("UInt8")),
    f("toDayOfWeek", S, Some("ch_to_day_of_week"), T("UInt8")),
    f("toDayOfMonth", S, Some("ch_to_day_of_month"), T("UInt8")),
    f("toHour", S, Some("ch_to_hour"), T("UInt8")),
    f("toMinute", S, Some("ch_to_minute"), T("UInt8")),
    f("toSecond", S, Some("ch_to_second"), T("UInt8")),
    f("toYYYYMM", S, Some("ch_to_yyyymm"), T("UInt32")),
    // Bits and encodings.
    f("bitAnd", S, Some("ch_bit_and"), T("Int64")),
    f("bitOr", S, Some("ch_bit_or"), T("Int64")),
    f("bitXor", S, Some("ch_bit_xor"), T("Int64")),
    f("bitNot", S, Some("ch_bit_not"), T("Int64")),
    f("bitShiftLeft", S, Some("ch_bit_shift_left"), T("Int64")),
    f("bitShiftRight", S, Some("ch_bit_shift_right"), T("Int64")),
    f("hex", S, Some("ch_hex"), T("String")),
    f("bin", S, Some("ch_bin"), T("String")),
];

/// Functions ClickHouse has and AE rejects (HTTP 422), with the reason and the fix.
pub const REJECTED: &[(&str, &str, &str)] = &[
    (
        "multiIf",
        "AE rejects `multiIf`",
        "nest `if()`: if(c1, a, if(c2, b, c))",
    ),
    (
        "toString",
        "AE rejects `toString`",
        "compare or group by the value itself, or format it with `format('{}', x)`",
    ),
    ("concat", "AE rejects `concat`", "use format('{}{}', a, b)"),
    (
        "splitByChar",
        "AE rejects `splitByChar`",
        "write the parts into separate blobs when the point is written",
    ),
    (
        "arrayJoin",
        "AE rejects `arrayJoin`",
        "write one point per element instead of an array",
    ),
    (
        "quantile",
        "AE rejects `quantile(q)(x)`",
        "use quantileExactWeighted(q)(x, _sample_interval)",
    ),
    (
        "avgIf",
        "AE expands `avgIf` into an ill-typed `if` and rejects the query",
        "divide: sumIf(x * _sample_interval, cond) / sumIf(_sample_interval, cond)",
    ),
];

/// The function AE documents under `name`, case-insensitively.
pub fn find(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Why AE rejects `name` and the fix, when it is one of [`REJECTED`].
pub fn rejected(name: &str) -> Option<(&'static str, &'static str)> {
    REJECTED
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, reason, fix)| (*reason, *fix))
}

/// The documented function whose name is closest to `name` (for "did you mean"), if any is close.
pub fn closest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    FUNCTIONS
        .iter()
        .map(|f| (distance(&lower, &f.name.to_ascii_lowercase()), f.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
