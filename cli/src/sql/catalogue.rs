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
    /// An aggregate with a parameter before its arguments: `topK(10)(x)`; the parameter used when
    /// it is left out, if it may be.
    Parametric(Option<&'static str>),
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
    /// The bit functions' rule over the first N arguments (ClickHouse, "Bit functions"): the
    /// widest integer, signed when one of them is; a float counts as `Int64`.
    Bits(usize),
    /// intDiv's: the dividend's width, signed when either argument is; a float dividend gives
    /// `Int64` (ClickHouse, intDiv).
    IntDiv,
    /// `DateTime` in the zone the call names, else in the zone of its first argument.
    DateTime,
    /// `Date` (years, quarters, months, weeks) or `DateTime` (days and shorter), as
    /// toStartOfInterval's interval says.
    StartOfInterval,
}

/// What the SQLite form of a function takes after its arguments, worked out from the arguments'
/// ClickHouse types (which SQLite's values do not carry) by `typed.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Nothing.
    None,
    /// The ClickHouse type the bits are computed in: [`Returns::Bits`]'s, else the first
    /// argument's.
    Bits,
    /// intDiv's result type ([`Returns::IntDiv`]).
    IntDiv,
    /// The first argument's ClickHouse type (`''` when unknown): a conversion reads a `Date` or a
    /// `DateTime`, stored as text, by its type.
    Type,
    /// The time zone calendar parts are taken in: the zone argument at this position when the
    /// call has one (taken out of the call), else the zone of the first argument's `DateTime`
    /// type, else UTC (`''`).
    Zone(Option<usize>),
    /// toDateTime's: the zone (argument at this position, else UTC) a text or a date is read in;
    /// `''` when the argument is already a `DateTime`, whose instant is kept.
    ReadZone(usize),
    /// An aggregate's value over no rows, taken when SQLite's gives NULL: the default of the
    /// result's type (ClickHouse, `aggregate_functions_null_for_empty`, default 0: no NULL for
    /// empty sets), NaN (unrepresentable, so NULL) for a float when `nan_for_floats`.
    Empty {
        /// Whether a float result over no rows is NaN (the quantiles) rather than 0.
        nan_for_floats: bool,
    },
}

/// One function AE accepts.
#[derive(Debug)]
pub struct Function {
    /// Its name as the reference pages spell it.
    pub name: &'static str,
    /// How it is called.
    pub kind: Kind,
    /// How many arguments it takes: at least, at most (parameters not counted).
    pub arity: (usize, usize),
    /// The SQLite function the translator calls instead (registered by `functions.rs`), or `None`
    /// when SQLite's own function of the same name has ClickHouse's meaning.
    pub local: Option<&'static str>,
    /// Its result type.
    pub returns: Returns,
    /// What its SQLite form takes after the arguments.
    pub context: Context,
}

const fn f(
    name: &'static str,
    kind: Kind,
    arity: (usize, usize),
    local: Option<&'static str>,
    returns: Returns,
) -> Function {
    Function {
        name,
        kind,
        arity,
        local,
        returns,
        context: Context::None,
    }
}

/// A function whose SQLite form takes a [`Context`].
const fn fc(
    name: &'static str,
    arity: (usize, usize),
    local: &'static str,
    returns: Returns,
    context: Context,
) -> Function {
    Function {
        name,
        kind: Kind::Scalar,
        arity,
        local: Some(local),
        returns,
        context,
    }
}

/// An aggregate `function` with its value over no rows ([`Context::Empty`]).
const fn or_empty(function: Function, nan_for_floats: bool) -> Function {
    Function {
        context: Context::Empty { nan_for_floats },
        ..function
    }
}

/// A function of one time, in the time's zone.
const fn time(name: &'static str, local: &'static str, returns: Returns) -> Function {
    fc(name, (1, 1), local, returns, Context::Zone(None))
}

/// A conversion of one value to `ty`, which reads a `Date` or a `DateTime` by its type.
const fn conversion(name: &'static str, local: &'static str, ty: &'static str) -> Function {
    fc(name, (1, 1), local, Returns::Type(ty), Context::Type)
}

use Kind::{Aggregate as A, Parametric as P, Scalar as S};
use Returns::{Arg, ArrayOf, Bits, Sum, Type as T};

/// Every function AE documents (its SQL reference pages, cited in cli/README.md, "Checked
/// against"), by page.
pub const FUNCTIONS: &[Function] = &[
    // Aggregate functions.
    f("count", A, (0, 1), None, T("UInt64")),
    f("sum", A, (1, 1), Some("ch_sum"), Sum(0)),
    f("avg", A, (1, 1), None, T("Float64")),
    // Over no rows: min, max, argMin, argMax, first_value and last_value give their type's
    // default; the quantiles NaN (ClickHouse's QuantileExactWeighted: `quiet_NaN` of the value
    // type, 0 for an integer).
    or_empty(f("min", A, (1, 1), None, Arg(0)), false),
    or_empty(f("max", A, (1, 1), None, Arg(0)), false),
    or_empty(
        f(
            "quantileExactWeighted",
            P(None),
            (2, 2),
            Some("ch_quantile_exact_weighted"),
            Arg(0),
        ),
        true,
    ),
    // "For backwards compatibility, this is also available as quantileWeighted(q, column_name,
    // weight_column_name)": the same function, its level as the first argument.
    or_empty(
        f(
            "quantileWeighted",
            A,
            (3, 3),
            Some("ch_quantile_exact_weighted"),
            Arg(1),
        ),
        true,
    ),
    or_empty(f("argMin", A, (2, 2), Some("ch_arg_min"), Arg(0)), false),
    or_empty(f("argMax", A, (2, 2), Some("ch_arg_max"), Arg(0)), false),
    or_empty(
        f("first_value", A, (1, 1), Some("ch_first_value"), Arg(0)),
        false,
    ),
    or_empty(
        f("last_value", A, (1, 1), Some("ch_last_value"), Arg(0)),
        false,
    ),
    // "N is optional and defaults to 10."
    f("topK", P(Some("10")), (1, 1), Some("ch_top_k"), ArrayOf(0)),
    f(
        "topKWeighted",
        P(Some("10")),
        (2, 2),
        Some("ch_top_k_weighted"),
        ArrayOf(0),
    ),
    f("countIf", A, (1, 1), Some("ch_count_if"), T("UInt64")),
    f("sumIf", A, (2, 2), Some("ch_sum_if"), Sum(0)),
    // Conditional functions.
    f("if", S, (3, 3), Some("ch_if"), Arg(1)),
    // Mathematical functions.
    fc(
        "intDiv",
        (2, 2),
        "ch_int_div",
        Returns::IntDiv,
        Context::IntDiv,
    ),
    f("log", S, (1, 1), Some("ch_ln"), T("Float64")),
    f("ln", S, (1, 1), Some("ch_ln"), T("Float64")),
    f("pow", S, (2, 2), Some("ch_pow"), T("Float64")),
    f("round", S, (1, 2), Some("ch_round"), Arg(0)),
    f("floor", S, (1, 2), Some("ch_floor"), Arg(0)),
    f("ceil", S, (1, 2), Some("ch_ceil"), Arg(0)),
    // String functions (`position`, `substring` and `extract` are syntax: `check.rs`).
    f("length", S, (1, 1), Some("ch_length"), T("UInt64")),
    f("empty", S, (1, 1), Some("ch_empty"), T("UInt8")),
    f("lower", S, (1, 1), Some("ch_lower"), T("String")),
    f("upper", S, (1, 1), Some("ch_upper"), T("String")),
    f("lowerUTF8", S, (1, 1), Some("ch_lower_utf8"), T("String")),
    f("upperUTF8", S, (1, 1), Some("ch_upper_utf8"), T("String")),
    // "For backwards compatibility, this function can also be called using toLower({string})"
    // (under lowerUTF8), and toUpper (under upperUTF8).
    f("toLower", S, (1, 1), Some("ch_lower_utf8"), T("String")),
    f("toUpper", S, (1, 1), Some("ch_upper_utf8"), T("String")),
    f("startsWith", S, (2, 2), Some("ch_starts_with"), T("UInt8")),
    f("endsWith", S, (2, 2), Some("ch_ends_with"), T("UInt8")),
    f("format", S, (1, usize::MAX), Some("ch_format"), T("String")),
    // Type conversion functions.
    conversion("toUInt8", "ch_to_uint8", "UInt8"),
    conversion("toUInt32", "ch_to_uint32", "UInt32"),
    // Date and time functions.
    f("now", S, (0, 0), Some("ch_now"), T("DateTime")),
    f("today", S, (0, 0), Some("ch_today"), T("Date")),
    fc(
        "toDateTime",
        (1, 2),
        "ch_to_date_time",
        Returns::DateTime,
        Context::ReadZone(1),
    ),
    time("toUnixTimestamp", "ch_to_unix_timestamp", T("UInt32")),
    fc(
        "formatDateTime",
        (2, 3),
        "ch_format_date_time",
        T("String"),
        Context::Zone(Some(2)),
    ),
    fc(
        "toStartOfInterval",
        (2, 3),
        "ch_to_start_of_interval",
        Returns::StartOfInterval,
        Context::Zone(Some(2)),
    ),
    time("toStartOfYear", "ch_to_start_of_year", T("Date")),
    time("toStartOfMonth", "ch_to_start_of_month", T("Date")),
    time("toStartOfWeek", "ch_to_start_of_week", T("Date")),
    time("toStartOfDay", "ch_to_start_of_day", Returns::DateTime),
    time("toStartOfHour", "ch_to_start_of_hour", Returns::DateTime),
    time(
        "toStartOfFifteenMinutes",
        "ch_to_start_of_fifteen_minutes",
        Returns::DateTime,
    ),
    time(
        "toStartOfTenMinutes",
        "ch_to_start_of_ten_minutes",
        Returns::DateTime,
    ),
    time(
        "toStartOfFiveMinutes",
        "ch_to_start_of_five_minutes",
        Returns::DateTime,
    ),
    time(
        "toStartOfMinute",
        "ch_to_start_of_minute",
        Returns::DateTime,
    ),
    time("toYear", "ch_to_year", T("UInt16")),
    time("toMonth", "ch_to_month", T("UInt8")),
    time("toDayOfWeek", "ch_to_day_of_week", T("UInt8")),
    time("toDayOfMonth", "ch_to_day_of_month", T("UInt8")),
    time("toHour", "ch_to_hour", T("UInt8")),
    time("toMinute", "ch_to_minute", T("UInt8")),
    time("toSecond", "ch_to_second", T("UInt8")),
    time("toYYYYMM", "ch_to_yyyymm", T("UInt32")),
    // Bit functions.
    fc("bitAnd", (2, 2), "ch_bit_and", Bits(2), Context::Bits),
    fc("bitOr", (2, 2), "ch_bit_or", Bits(2), Context::Bits),
    fc("bitXor", (2, 2), "ch_bit_xor", Bits(2), Context::Bits),
    fc("bitNot", (1, 1), "ch_bit_not", Bits(1), Context::Bits),
    fc(
        "bitShiftLeft",
        (2, 2),
        "ch_bit_shift_left",
        Bits(1),
        Context::Bits,
    ),
    fc(
        "bitShiftRight",
        (2, 2),
        "ch_bit_shift_right",
        Bits(1),
        Context::Bits,
    ),
    fc(
        "bitRotateLeft",
        (2, 2),
        "ch_bit_rotate_left",
        Bits(1),
        Context::Bits,
    ),
    fc(
        "bitRotateRight",
        (2, 2),
        "ch_bit_rotate_right",
        Bits(1),
        Context::Bits,
    ),
    fc(
        "bitCount",
        (1, 1),
        "ch_bit_count",
        T("UInt8"),
        Context::Bits,
    ),
    fc("bitTest", (2, 2), "ch_bit_test", T("UInt8"), Context::Bits),
    f(
        "bitHammingDistance",
        S,
        (2, 2),
        Some("ch_bit_hamming_distance"),
        T("UInt8"),
    ),
    // Encoding functions.
    f("hex", S, (1, 1), Some("ch_hex"), T("String")),
    f("bin", S, (1, 1), Some("ch_bin"), T("String")),
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
        "extract",
        "AE's extract is extract(<unit> FROM <datetime>); its reference pages have no \
         regular-expression form extract(haystack, pattern)",
        "match with LIKE, startsWith or endsWith, or cut with position(… IN …) and substring",
    ),
    (
        "position",
        "AE's reference pages write position(needle IN haystack) only",
        "write position(needle IN haystack)",
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
