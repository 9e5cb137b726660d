//! AE's SQL reference, page by page (src/content/docs/analytics/analytics-engine/sql-reference/
//! in github.com/cloudflare/cloudflare-docs, published at
//! https://developers.cloudflare.com/analytics/analytics-engine/sql-reference/, the revision
//! cli/README.md names): every function and form the pages document, run on the local store, each
//! expected value from the page's own example or from ClickHouse's documentation of the function
//! (clickhouse.com/docs, named beside each).

use super::{rows, scalar, store_with};
use crate::output::{render, Format};
use crate::sql::names::Names;
use crate::sql::{prepare, run};

/// `sql`'s result in AE's `FORMAT JSON`, on a store of `lines`.
fn json(lines: &[&str], sql: &str) -> String {
    let (store, dir) = store_with(lines);
    let prepared = prepare(sql, &Names::default()).unwrap_or_else(|r| panic!("{sql}: {r}"));
    let out = render(
        &run(&store, &prepared).unwrap_or_else(|e| panic!("{sql}: {e}")),
        Format::Json,
    );
    let _ = std::fs::remove_dir_all(dir);
    out
}

/// The error running `sql` on an empty store gives.
fn error(sql: &str) -> String {
    let (store, dir) = store_with(&[]);
    let prepared = prepare(sql, &Names::default()).unwrap_or_else(|r| panic!("{sql}: {r}"));
    let out = run(&store, &prepared).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(dir);
    out
}

/// Asserts each query's single row (JSONEachRow).
fn each(cases: &[(&str, &str)]) {
    for (sql, expected) in cases {
        assert_eq!(scalar(sql), format!("{expected}\n"), "{sql}");
    }
}

const ITEMS: &[&str] = &[
    r#"{"dataset":"items","blobs":["pen","a"],"doubles":[1],"sample_interval":3}"#,
    r#"{"dataset":"items","blobs":["pen","b"],"doubles":[1],"sample_interval":2}"#,
    r#"{"dataset":"items","blobs":["ink","c"],"doubles":[4],"sample_interval":1}"#,
];

#[test]
fn aggregate_functions() {
    let (store, dir) = store_with(ITEMS);
    // count() and count(DISTINCT x); sum and avg, with DISTINCT "only the unique values".
    assert_eq!(
        rows(&store, "SELECT count() AS n, count(DISTINCT blob1) AS kinds, sum(double1) AS total, sum(DISTINCT double1) AS unique_total, avg(double1) AS mean, avg(DISTINCT double1) AS unique_mean, min(double1) AS low, max(double1) AS high FROM items"),
        "{\"n\":\"3\",\"kinds\":\"2\",\"total\":6,\"unique_total\":5,\"mean\":2,\"unique_mean\":2.5,\"low\":1,\"high\":4}\n"
    );
    // topK(N)(column): "N is optional and defaults to 10"; topKWeighted by the weights' sums.
    assert_eq!(
        rows(&store, "SELECT topK(blob1) AS k, topK(1)(blob1) AS k1, topKWeighted(blob1, _sample_interval) AS w, topKWeighted(1)(blob2, _sample_interval) AS w1 FROM items"),
        "{\"k\":[\"pen\",\"ink\"],\"k1\":[\"pen\"],\"w\":[\"pen\",\"ink\"],\"w1\":[\"a\"]}\n"
    );
    // countIf(double1 > 5) and sumIf(item_cost, in_stock > 0), as the page writes them.
    assert_eq!(
        rows(
            &store,
            "SELECT countIf(double1 > 1) AS c, sumIf(double1, blob1 = 'pen') AS s FROM items"
        ),
        "{\"c\":\"1\",\"s\":2}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
    // The types of JSON's meta: count is UInt64; sum keeps a float, widens an integer to
    // UInt64; quantileExactWeighted keeps its argument's type (ClickHouse docs,
    // quantileExactWeighted: "for numeric data types the output format matches the input").
    assert_eq!(
        json(ITEMS, "SELECT count() AS n, sum(_sample_interval) AS s, quantileExactWeighted(0.5)(_sample_interval, 1) AS q, topK(2)(blob1) AS k FROM items"),
        "{\"meta\":[{\"name\":\"n\",\"type\":\"UInt64\"},{\"name\":\"s\",\"type\":\"UInt64\"},{\"name\":\"q\",\"type\":\"UInt32\"},{\"name\":\"k\",\"type\":\"Array(String)\"}],\"data\":[{\"n\":\"3\",\"s\":\"6\",\"q\":2,\"k\":[\"pen\",\"ink\"]}],\"rows\":1}\n"
    );
}

#[test]
fn quantiles_follow_clickhouses_exact_weighted_algorithm() {
    // ClickHouse docs, quantileExactWeighted: n = 0, 1, 2, 5 with weights 3, 2, 1, 4 → 1
    // (Σw = 10, threshold ceil(10 · 0.5) = 5, cumulative 3, 5 → the value 1). AE: "For
    // backwards compatibility, this is also available as quantileWeighted(q, column_name,
    // weight_column_name)": the same function, the same answer.
    let (store, dir) = store_with(&[
        r#"{"dataset":"t","doubles":[0],"sample_interval":3}"#,
        r#"{"dataset":"t","doubles":[1],"sample_interval":2}"#,
        r#"{"dataset":"t","doubles":[2],"sample_interval":1}"#,
        r#"{"dataset":"t","doubles":[5],"sample_interval":4}"#,
    ]);
    assert_eq!(
        rows(&store, "SELECT quantileExactWeighted(0.5)(double1, _sample_interval) AS q, quantileWeighted(0.5, double1, _sample_interval) AS legacy, quantileExactWeighted(0.9)(double1, _sample_interval) AS p90, quantileWeighted(0.9, double1, _sample_interval) AS legacy90, quantileWeighted(0, double1, _sample_interval) AS lowest FROM t"),
        "{\"q\":1,\"legacy\":1,\"p90\":5,\"legacy90\":5,\"lowest\":0}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bit_functions() {
    each(&[
        // Each example of AE's page, with the value it states (bitTest(2, 1) aside, below).
        ("SELECT bitAnd(1, 3) AS a, bitOr(1, 2) AS b, bitXor(1, 2) AS c, bitXor(3, 3) AS d", r#"{"a":1,"b":3,"c":3,"d":0}"#),
        ("SELECT bitHammingDistance(1, 1) AS a, bitHammingDistance(3, 0) AS b", r#"{"a":0,"b":2}"#),
        ("SELECT bitRotateLeft(1, 1) AS a, bitRotateLeft(128, 1) AS b, bitRotateRight(1, 1) AS c, bitRotateRight(12, 2) AS d", r#"{"a":2,"b":1,"c":128,"d":3}"#),
        ("SELECT bitShiftLeft(1, 1) AS a, bitShiftLeft(128, 1) AS b, bitShiftRight(1, 1) AS c, bitShiftRight(12, 2) AS d", r#"{"a":2,"b":0,"c":0,"d":3}"#),
        // ClickHouse docs: bitCount(333) = 5; "bitCount(toUInt8(-1)) = 8" (no widening: -1 is
        // an Int8); bitHammingDistance(111, 121) = 3; bitShiftLeft(99, 2) = 140 (a UInt8);
        // bitNot of the UInt8 5 is 250; bitTest(43, 1) = 1, bitTest(43, 2) = 0, bits counted
        // from 0 at the right.
        ("SELECT bitCount(333) AS a, bitCount(-1) AS b, bitHammingDistance(111, 121) AS c, bitShiftLeft(99, 2) AS d, bitNot(5) AS e", r#"{"a":5,"b":8,"c":3,"d":140,"e":250}"#),
        ("SELECT bitTest(43, 1) AS a, bitTest(43, 2) AS b, bitTest(3, 1) AS c", r#"{"a":1,"b":0,"c":1}"#),
        // AE's page says bitTest(2, 1) "return 0"; by ClickHouse's definition (bit 1 of 0b10)
        // it is 1, which is what ClickHouse under AE computes.
        ("SELECT bitTest(2, 1) AS a", r#"{"a":1}"#),
    ]);
    // "bitCount(double1)": the float's own bits (1.0 is 0x3FF0000000000000, ten ones);
    // "bitCount(toUInt32(double1))": the integer's. Float operands of the others are Int64.
    let one = [r#"{"dataset":"t","doubles":[1]}"#];
    let (store, dir) = store_with(&one);
    assert_eq!(
        rows(&store, "SELECT bitCount(double1) AS a, bitCount(toUInt32(double1)) AS b, bitAnd(toUInt8(double1), 1) AS c, bitShiftLeft(double1, 62) AS d FROM t"),
        "{\"a\":10,\"b\":1,\"c\":1,\"d\":\"4611686018427387904\"}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
    // Result types (ClickHouse docs, bit functions): the widest argument, signed when one is,
    // a float as Int64; shifts and rotations keep the first argument's; bitCount, bitTest and
    // bitHammingDistance are UInt8.
    assert_eq!(
        json(&one, "SELECT bitAnd(1, 300) AS a, bitOr(-1, 1) AS b, bitXor(double1, 1) AS c, bitShiftLeft(toUInt32(double1), 1) AS d, bitTest(1, 0) AS e FROM t"),
        "{\"meta\":[{\"name\":\"a\",\"type\":\"UInt16\"},{\"name\":\"b\",\"type\":\"Int8\"},{\"name\":\"c\",\"type\":\"Int64\"},{\"name\":\"d\",\"type\":\"UInt32\"},{\"name\":\"e\",\"type\":\"UInt8\"}],\"data\":[{\"a\":0,\"b\":-1,\"c\":\"0\",\"d\":2,\"e\":1}],\"rows\":1}\n"
    );
}

#[test]
fn conditional_and_encoding_functions() {
    each(&[
        // "if(temp > 20, 'It is warm', 'Bring a jumper')".
        ("SELECT if(25 > 20, 'It is warm', 'Bring a jumper') AS a, if(15 > 20, 'It is warm', 'Bring a jumper') AS b", r#"{"a":"It is warm","b":"Bring a jumper"}"#),
        // bin(1), bin('abc'), hex(1), hex('abc') (ClickHouse docs: bin(14) = '00001110',
        // hex(255) = 'FF'; text byte by byte).
        ("SELECT bin(1) AS a, bin('abc') AS b, hex(1) AS c, hex('abc') AS d, bin(14) AS e, hex(255) AS f, hex(256) AS g", r#"{"a":"00000001","b":"011000010110001001100011","c":"01","d":"616263","e":"00001110","f":"FF","g":"0100"}"#),
    ]);
}

#[test]
fn mathematical_functions() {
    each(&[
        // "round 5.5 to 6", "round 3.14 to 3.1", "round down 5.5 to 5", "round down 3.14 to
        // 3.1", "round up 5.5 to 6", "round up 3.14 to 3.2".
        ("SELECT round(5.5) AS a, round(3.14, 1) AS b, floor(5.5) AS c, floor(3.14, 1) AS d, ceil(5.5) AS e, ceil(3.14, 1) AS f", r#"{"a":6,"b":3.1,"c":5,"d":3.1,"e":6,"f":3.2}"#),
        // ClickHouse docs, round: round(4.1267, 2) = 4.13, round(22, -1) = 20, round(467, -2) =
        // 500, round(-467, -2) = -500; a float half to even: round(0.5) = 0, round(2.5) = 2.
        ("SELECT round(4.1267, 2) AS a, round(22, -1) AS b, round(467, -2) AS c, round(-467, -2) AS d, round(0.5) AS e, round(2.5) AS f", r#"{"a":4.13,"b":20,"c":500,"d":-500,"e":0,"f":2}"#),
        // log is the natural logarithm, "ln is also available as an alias"; pow(2, 10).
        ("SELECT log(1) AS a, ln(1) AS b, pow(2, 10) AS c, floor(-1.5) AS d", r#"{"a":0,"b":0,"c":1024,"d":-2}"#),
        // intDiv rounds toward zero (ClickHouse's, whatever "rounding down" says on both pages
        // for negative quotients).
        ("SELECT intDiv(7, 2) AS a, intDiv(-7, 2) AS b", r#"{"a":3,"b":-3}"#),
    ]);
    // ClickHouse docs, intDiv: intDiv(toFloat64(1), 0.001) = 1000, an Int64 ("the result has the
    // same width as the dividend"); intDiv(1, 0.001) is an error (a UInt8 dividend).
    assert_eq!(
        json(&[r#"{"dataset":"t","doubles":[1]}"#], "SELECT intDiv(double1, 0.001) AS r, intDiv(300, 7) AS s FROM t"),
        "{\"meta\":[{\"name\":\"r\",\"type\":\"Int64\"},{\"name\":\"s\",\"type\":\"UInt16\"}],\"data\":[{\"r\":\"1000\",\"s\":42}],\"rows\":1}\n"
    );
    assert_eq!(
        error("SELECT intDiv(1, 0.001)"),
        "Cannot perform integer division, because it will produce infinite or too large number (intDiv)"
    );
    assert_eq!(error("SELECT intDiv(1, 0)"), "Division by zero (intDiv)");
}

#[test]
fn string_functions() {
    each(&[
        // length counts code points ("the equivalent of ClickHouse's lengthUTF8").
        ("SELECT length('a string') AS a, length('héllo') AS b, empty('a string') AS c, empty('') AS d", r#"{"a":"8","b":"5","c":0,"d":1}"#),
        // lower/upper are "NOT Unicode compatible", the UTF8 forms are, and toLower/toUpper are
        // "for backwards compatibility" the UTF8 forms.
        ("SELECT lower('STRING TO DOWNCASE') AS a, lower('ÀB') AS b, lowerUTF8('ÀB') AS c, toLower('ÀB') AS d", r#"{"a":"string to downcase","b":"Àb","c":"àb","d":"àb"}"#),
        ("SELECT upper('string to uppercase') AS a, upper('àb') AS b, upperUTF8('àb') AS c, toUpper('àb') AS d", r#"{"a":"STRING TO UPPERCASE","b":"àB","c":"ÀB","d":"ÀB"}"#),
        ("SELECT startsWith('prefix ...', 'prefix') AS a, endsWith('prefix suffix', 'suffix') AS b, startsWith('x', 'prefix') AS c", r#"{"a":1,"b":1,"c":0}"#),
        // position: 1-based, "It only returns 0 if your string is not found".
        ("SELECT position(':' IN 'hello: world') AS a, position('?' IN 'hello') AS b", r#"{"a":"6","b":"0"}"#),
        // substring "starting at the Unicode code point indicated by the offset and returning
        // the number of code points requested by the length".
        ("SELECT substring('hello world', 6) AS a, substring('hello: world', 1, position(':' IN 'hello: world')-1) AS b, substring('héllo', 2, 3) AS c", r#"{"a":" world","b":"hello","c":"éll"}"#),
        // ClickHouse docs, format: format('{1} {0} {1}', 'World', 'Hello') = 'Hello World Hello'.
        ("SELECT format('blob1: {}', 'x') AS a, format('{1} {0} {1}', 'World', 'Hello') AS b", r#"{"a":"blob1: x","b":"Hello World Hello"}"#),
        // "extract the number of seconds from a timestamp (returns 15 in this example)".
        ("SELECT extract(SECOND from toDateTime('2022-06-06 11:30:15')) AS s, extract(MINUTE FROM toDateTime('2022-06-06 11:30:15')) AS i, extract(HOUR FROM toDateTime('2022-06-06 11:30:15')) AS h, extract(DAY FROM toDateTime('2022-06-06 11:30:15')) AS d, extract(MONTH FROM toDateTime('2022-06-06 11:30:15')) AS m, extract(YEAR FROM toDateTime('2022-06-06 11:30:15')) AS y", r#"{"s":15,"i":30,"h":11,"d":6,"m":6,"y":2022}"#),
    ]);
    // extract's type: ClickHouse's toYear (UInt16) for YEAR, UInt8 for the others.
    assert_eq!(
        json(&[], "SELECT extract(YEAR FROM toDateTime('2022-06-06 11:30:15')) AS y, extract(SECOND FROM toDateTime('2022-06-06 11:30:15')) AS s"),
        "{\"meta\":[{\"name\":\"y\",\"type\":\"UInt16\"},{\"name\":\"s\",\"type\":\"UInt8\"}],\"data\":[{\"y\":2022,\"s\":15}],\"rows\":1}\n"
    );
}

#[test]
fn date_and_time_functions() {
    let t = "toDateTime('2025-10-27 09:11:13')";
    each(&[
        // toDateTime: "unix timestamp", "string containing unix timestamp", "string with datetime
        // in 'YYYY-MM-DD hh:mm:ss' format" — the page's three literals name one time.
        ("SELECT toDateTime(355924804) AS a, toDateTime('355924804') AS b, toDateTime('1981-04-12 12:00:04') AS c", r#"{"a":"1981-04-12 12:00:04","b":"1981-04-12 12:00:04","c":"1981-04-12 12:00:04"}"#),
        // toYear … toSecond on the page's examples: 2025, 10, 27, 9, 11, 13; toDayOfWeek "returns
        // 1 to indicate Monday": 1 for Monday 27th October 2025, 2 for the 28th, 7 for Sunday
        // 2nd November.
        (&format!("SELECT toYear({t}) AS y, toMonth({t}) AS m, toDayOfMonth({t}) AS d, toHour({t}) AS h, toMinute({t}) AS i, toSecond({t}) AS s"), r#"{"y":2025,"m":10,"d":27,"h":9,"i":11,"s":13}"#),
        ("SELECT toDayOfWeek(toDateTime('2025-10-27 00:00:00')) AS a, toDayOfWeek(toDateTime('2025-10-28 00:00:00')) AS b, toDayOfWeek(toDateTime('2025-11-02 00:00:00')) AS c", r#"{"a":1,"b":2,"c":7}"#),
        // toStartOfYear, toStartOfMonth (ClickHouse: Dates) and toStartOfWeek, which "treats
        // Monday as the first day of the week": Monday 27th and Wednesday 29th October 2025 both
        // round down to Monday 2025-10-27.
        ("SELECT toStartOfYear(toDateTime('2025-10-27 00:00:00')) AS y, toStartOfMonth(toDateTime('2025-10-27 00:00:00')) AS m, toStartOfWeek(toDateTime('2025-10-27 00:00:00')) AS w1, toStartOfWeek(toDateTime('2025-10-29 00:00:00')) AS w2", r#"{"y":"2025-01-01","m":"2025-10-01","w1":"2025-10-27","w2":"2025-10-27"}"#),
        ("SELECT toStartOfDay(toDateTime('2025-10-27 00:00:00')) AS d, toStartOfHour(toDateTime('2025-10-27 16:55:25')) AS h, toStartOfFifteenMinutes(toDateTime('2025-10-27 16:55:25')) AS q, toStartOfTenMinutes(toDateTime('2025-10-27 16:55:25')) AS t, toStartOfFiveMinutes(toDateTime('2025-10-27 16:55:25')) AS f, toStartOfMinute(toDateTime('2025-10-27 16:55:25')) AS m, toYYYYMM(toDateTime('2025-10-27 16:55:25')) AS ym", r#"{"d":"2025-10-27 00:00:00","h":"2025-10-27 16:00:00","q":"2025-10-27 16:45:00","t":"2025-10-27 16:50:00","f":"2025-10-27 16:55:00","m":"2025-10-27 16:55:00","ym":202510}"#),
        // ClickHouse docs, toUnixTimestamp('2017-11-05 08:07:47', 'Asia/Tokyo') = 1509836867, so
        // in UTC (AE's zone) 1509869267.
        ("SELECT toUnixTimestamp(toDateTime('2017-11-05 08:07:47')) AS r", r#"{"r":1509869267}"#),
        // toStartOfInterval counts from ClickHouse's fixed points (its docs' table): years from
        // year 0 (4 years: 2020, not 2022 as from 1970), months from 1900-01 (9 months: January
        // 2023), days from 1970-01-01 (2 days: 2023-04-21, day 19,468), hours from the day's
        // midnight (5 hours: 10:00, not 09:00 as from the epoch), minutes from the epoch (13
        // minutes: 10:09).
        ("SELECT toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '4' YEAR) AS y, toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '9' MONTH) AS m, toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '2' DAY) AS d, toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '5' HOUR) AS h, toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '13' MINUTE) AS i", r#"{"y":"2020-01-01","m":"2023-01-01","d":"2023-04-21 00:00:00","h":"2023-04-22 10:00:00","i":"2023-04-22 10:09:00"}"#),
        // ClickHouse docs, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), …): 30 minutes →
        // 14:30:00, 1 hour → 14:00:00, 1 day → 00:00:00, 1 month → 2023-01-01.
        ("SELECT toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL '30' MINUTE) AS a, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL '1' HOUR) AS b, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL '1' DAY) AS c, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL '1' MONTH) AS d", r#"{"a":"2023-01-01 14:30:00","b":"2023-01-01 14:00:00","c":"2023-01-01 00:00:00","d":"2023-01-01"}"#),
        // Interval arithmetic; a month added to 31 January ends on the month's last day
        // (ClickHouse's addMonths).
        ("SELECT toDateTime('2024-01-31 00:00:00') + INTERVAL '1' MONTH AS a, toDateTime('2024-01-01 00:00:00') - INTERVAL '90' SECOND AS b, toDateTime(0) AS c, INTERVAL '1' YEAR + toDateTime('2024-02-29 12:00:00') AS d", r#"{"a":"2024-02-29 00:00:00","b":"2023-12-31 23:58:30","c":"1970-01-01 00:00:00","d":"2025-02-28 12:00:00"}"#),
        // formatDateTime's replacement fields (ClickHouse docs' table, on its example time
        // 2018-01-02 22:33:44, a Tuesday): %M is the month's name, %i the minute, %f six zeros.
        ("SELECT formatDateTime(toDateTime('2018-01-02 22:33:44'), '%a %b %c %C %d %D %e %F %g %G %h %H %i %I %j %k %l %m %M %p %Q %r %R %s %S %T %u %V %w %W %y %Y %z %% %f') AS r", r#"{"r":"Tue Jan 01 20 02 01/02/18  2 2018-01-02 18 2018 10 22 33 10 002 22 10 01 January PM 1 10:33 PM 22:33 44 44 22:33:44 2 01 2 Tuesday 18 2018 +0000 % 000000"}"#),
    ]);
}

#[test]
fn a_time_plus_or_minus_a_number() {
    // ClickHouse ("Arithmetic functions", plus/minus): a DateTime plus or minus an integer adds
    // seconds, a Date days; the time keeps its type. 2024-02-01 plus 30 days is 2024-03-02.
    assert_eq!(
        json(&[], "SELECT toDateTime('2024-01-01 00:00:00') - 90 AS a, toStartOfHour(toDateTime('2024-01-01 10:20:30')) + 3600 AS b, 60 + toDateTime('2024-01-01 00:00:00') AS c, toStartOfMonth(toDateTime('2024-02-10 00:00:00')) + 30 AS d, toStartOfMonth(toDateTime('2024-03-10 00:00:00')) - 1 AS e, toDateTime('2024-01-01 00:00:00') - 60 - 60 AS f"),
        "{\"meta\":[{\"name\":\"a\",\"type\":\"DateTime\"},{\"name\":\"b\",\"type\":\"DateTime\"},{\"name\":\"c\",\"type\":\"DateTime\"},{\"name\":\"d\",\"type\":\"Date\"},{\"name\":\"e\",\"type\":\"Date\"},{\"name\":\"f\",\"type\":\"DateTime\"}],\"data\":[{\"a\":\"2023-12-31 23:58:30\",\"b\":\"2024-01-01 11:00:00\",\"c\":\"2024-01-01 00:01:00\",\"d\":\"2024-03-02\",\"e\":\"2024-02-29\",\"f\":\"2023-12-31 23:58:00\"}],\"rows\":1}\n"
    );
    // A filter on the last day keeps the point of now, not the one three days old.
    let now = crate::time::now();
    let point = |seconds: i64| format!(r#"{{"dataset":"t","timestamp":{}}}"#, seconds * 1000);
    let (store, dir) = store_with(&[&point(now), &point(now - 3 * 86_400)]);
    assert_eq!(
        rows(
            &store,
            "SELECT count() AS n FROM t WHERE timestamp > now() - 86400"
        ),
        "{\"n\":\"1\"}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
    // Two times, or a time and a float: an error naming the way to write it, never the number
    // SQLite made of the times' text (0, from the years, for the first).
    let fix = "a Date or a DateTime takes only a whole number added or taken away here (days, seconds); for the seconds between two times write `toUnixTimestamp(a) - toUnixTimestamp(b)`";
    for (sql, written) in [
        (
            "SELECT now() - toDateTime('2026-11-29 00:00:00') AS d",
            "now() - toDateTime('2026-11-29 00:00:00')",
        ),
        (
            "SELECT today() - toStartOfMonth(today()) AS d",
            "today() - toStartOfMonth(today())",
        ),
        ("SELECT now() + 1.5 AS d", "now() + 1.5"),
    ] {
        assert_eq!(error(sql), format!("`{written}`: {fix}"), "{sql}");
    }
}

#[test]
fn type_conversion_functions() {
    // ClickHouse docs, type conversion functions: "When converting dates to numbers or vice
    // versa, the date corresponds to the number of days since the beginning of the Unix epoch";
    // a date with time, "the number of seconds". 2026-11-30 10:00:05 UTC is 1796032805 (37 in
    // UInt8), 2026-11-01 day 20758; a DateTime of a zone converts as its instant.
    let t = "toDateTime('2026-11-30 10:00:05')";
    each(&[
        (&format!("SELECT toUInt32({t}) AS a, toUInt8({t}) AS b, toUInt32(toStartOfHour({t})) AS c, toUInt32(toStartOfMonth({t})) AS d, toUInt32(toDateTime('2022-12-01 16:17:00', 'America/New_York')) AS e, toUInt32('42') AS f, toUInt8(300) AS g"), r#"{"a":1796032805,"b":37,"c":1796032800,"d":20758,"e":1669929420,"f":42,"g":44}"#),
    ]);
    // AE's Grafana page's query (its WHERE on now() left out): per-minute averages, weighted.
    assert_eq!(
        json(
            &[
                r#"{"dataset":"dataset_name","blobs":["a"],"doubles":[10],"timestamp":"2026-11-30T10:00:05Z"}"#,
                r#"{"dataset":"dataset_name","blobs":["a"],"doubles":[20],"timestamp":"2026-11-30T10:00:55Z","sample_interval":3}"#,
                r#"{"dataset":"dataset_name","blobs":["a"],"doubles":[4],"timestamp":"2026-11-30T10:01:00Z","sample_interval":2}"#,
            ],
            "SELECT intDiv(toUInt32(timestamp), 60) * 60 AS t, blob1 AS label, SUM(_sample_interval * double1) / SUM(_sample_interval) AS average_metric FROM dataset_name GROUP BY blob1, t ORDER BY t"
        ),
        "{\"meta\":[{\"name\":\"t\",\"type\":\"UInt64\"},{\"name\":\"label\",\"type\":\"String\"},{\"name\":\"average_metric\",\"type\":\"Float64\"}],\"data\":[{\"t\":\"1796032800\",\"label\":\"a\",\"average_metric\":17.5},{\"t\":\"1796032860\",\"label\":\"a\",\"average_metric\":4}],\"rows\":2}\n"
    );
}

#[test]
fn time_zones() {
    let new_york = "toDateTime('2022-12-01 20:17:00', 'America/New_York')";
    each(&[
        // "interpret a date relative to New York time", "prints YYYY-MM-DD in the datetime's
        // timezone", "prints YYYY-MM-DD in UTC": 20:17 in New York is 01:17 the next day in UTC.
        (&format!("SELECT formatDateTime({new_york}, '%Y-%m-%d') AS local, formatDateTime({new_york}, '%Y-%m-%d', 'Etc/UTC') AS utc, toUnixTimestamp({new_york}) AS u, toHour({new_york}) AS h"), r#"{"local":"2022-12-01","utc":"2022-12-02","u":1669943820,"h":20}"#),
        // toStartOfInterval(…, INTERVAL '1' DAY, zone): the day that begins at the zone's
        // midnight (03:30 UTC on New Year's Day is 22:30 on New Year's Eve in New York).
        ("SELECT toStartOfInterval(toDateTime('2023-01-01 03:30:00'), INTERVAL '1' DAY, 'America/New_York') AS d", r#"{"d":"2022-12-31 00:00:00"}"#),
    ]);
    // The column is a DateTime('America/New_York') and prints on New York's clock (as
    // ClickHouse prints a DateTime of a zone); compared with timestamp, it is the instant.
    assert_eq!(
        json(&[r#"{"dataset":"t","timestamp":"2022-12-01T21:17:00Z"}"#], "SELECT toDateTime('2022-12-01 16:17:00', 'America/New_York') AS t, timestamp = toDateTime('2022-12-01 16:17:00', 'America/New_York') AS same FROM t"),
        "{\"meta\":[{\"name\":\"t\",\"type\":\"DateTime('America/New_York')\"},{\"name\":\"same\",\"type\":\"UInt8\"}],\"data\":[{\"t\":\"2022-12-01 16:17:00\",\"same\":1}],\"rows\":1}\n"
    );
    // A string compared with a DateTime is read as one, on the DateTime's clock (ClickHouse
    // docs, "Comparison functions": "comparison of strings with dates and dates with times"); a
    // date alone is midnight. 16:00 UTC on New Year's Eve is midnight in Tokyo.
    let (store, dir) = store_with(&[
        r#"{"dataset":"ev","timestamp":"2023-12-31T16:00:00Z"}"#,
        r#"{"dataset":"ev","timestamp":"2024-01-31T00:00:00Z"}"#,
        r#"{"dataset":"ev","timestamp":"2024-01-31T10:00:00Z"}"#,
    ]);
    assert_eq!(
        rows(&store, "SELECT countIf(toStartOfDay(toDateTime(timestamp, 'Asia/Tokyo')) = '2024-01-01 00:00:00') AS tokyo, countIf(timestamp = '2024-01-31') AS midnight, countIf(timestamp <= '2024-01-31') AS until, countIf(timestamp BETWEEN '2024-01-01' AND '2024-01-31 10:00:00') AS within, countIf(timestamp IN ('2024-01-31', '1704038400')) AS listed FROM ev"),
        "{\"tokyo\":\"1\",\"midnight\":\"1\",\"until\":\"2\",\"within\":\"2\",\"listed\":\"2\"}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn operators_and_literals() {
    each(&[
        // Arithmetic, `/` always a float division, `%` C++'s remainder (ClickHouse docs,
        // modulo: a float when either is one, truncated division for negatives).
        ("SELECT 7 + 2 AS a, 7 - 9 AS b, 7 * 2 AS c, 7 / 2 AS d, 7 % 2 AS e, 7.5 % 2 AS f, -7 % 2 AS g", r#"{"a":9,"b":-2,"c":14,"d":3.5,"e":"1","f":1.5,"g":"-1"}"#),
        ("SELECT 1 = 1 AS a, 1 < 2 AS b, 1 > 2 AS c, 1 <= 1 AS d, 2 >= 3 AS e, 1 <> 2 AS f, 1 != 1 AS g", r#"{"a":1,"b":1,"c":0,"d":1,"e":0,"f":1,"g":0}"#),
        ("SELECT 'b' IN ('a', 'list', 'of', 'values') AS a, 'b' NOT IN ('a', 'b') AS b, 2 BETWEEN 1 AND 2 AS c, 3 NOT BETWEEN 1 AND 2 AS d", r#"{"a":0,"b":0,"c":1,"d":1}"#),
        // The page's pattern examples: "error%", "%.jpg" (case-insensitive), "%test%",
        // "log__" (exactly 5 characters), NOT ILIKE "%debug%".
        ("SELECT 'error: x' LIKE 'error%' AS a, 'A.JPG' ILIKE '%.jpg' AS b, 'a test b' LIKE '%test%' AS c, 'log12' LIKE 'log__' AS d, 'log123' LIKE 'log__' AS e, 'DEBUG' NOT ILIKE '%debug%' AS f, 'Error' LIKE 'error%' AS g", r#"{"a":1,"b":1,"c":1,"d":1,"e":0,"f":0,"g":0}"#),
        ("SELECT 1 AND 0 AS a, 1 OR 0 AS b, NOT 0 AS c, -42 AS d, -4.2 AS e, 4.2 AS f, true AS g, false AS h, 'so long and thanks for all the fish' AS i", r#"{"a":0,"b":1,"c":1,"d":-42,"e":-4.2,"f":4.2,"g":true,"h":false,"i":"so long and thanks for all the fish"}"#),
    ]);
    assert_eq!(error("SELECT 1 % 0"), "Division by zero (modulo)");
}

#[test]
fn statements() {
    let (store, dir) = store_with(&[
        r#"{"dataset":"temperature_readings","blobs":["north"],"doubles":[12]}"#,
        r#"{"dataset":"temperature_readings","blobs":["north"],"doubles":[14]}"#,
        r#"{"dataset":"temperature_readings","blobs":["south"],"doubles":[8]}"#,
        r#"{"dataset":"weather_data","blobs":["x"],"doubles":[30]}"#,
    ]);
    let table = |sql: &str| {
        let prepared = prepare(sql, &Names::default()).unwrap_or_else(|r| panic!("{sql}: {r}"));
        render(&run(&store, &prepared).unwrap(), Format::Tsv)
    };
    // The HAVING clause's examples: "filter groups where the average is greater than 10".
    assert_eq!(
        table("SELECT blob1 AS probe_name, avg(double1) AS average_temp FROM temperature_readings GROUP BY probe_name HAVING average_temp > 10"),
        "north	13
"
    );
    assert_eq!(
        table("SELECT blob1 AS probe_name, count() AS num_readings FROM temperature_readings GROUP BY probe_name HAVING num_readings > 1 ORDER BY probe_name"),
        "north	2
"
    );
    // LIMIT n|ALL, OFFSET n; FROM a subquery.
    assert_eq!(
        table("SELECT double1 FROM temperature_readings ORDER BY double1 LIMIT ALL"),
        "8
12
14
"
    );
    assert_eq!(
        table("SELECT double1 FROM temperature_readings ORDER BY double1 DESC LIMIT 1 OFFSET 1"),
        "12
"
    );
    // OFFSET without LIMIT, its own clause on the page ("OFFSET 10 -- skip the first 10 result
    // rows"), after LIMIT ALL (with ClickHouse's optional ROWS) and in a subquery too.
    assert_eq!(
        table("SELECT double1 FROM temperature_readings ORDER BY double1 OFFSET 1"),
        "12
14
"
    );
    assert_eq!(
        table("SELECT double1 FROM temperature_readings ORDER BY double1 LIMIT ALL OFFSET 2 ROWS"),
        "14
"
    );
    assert_eq!(
        table("SELECT d FROM (SELECT double1 AS d FROM temperature_readings ORDER BY d DESC OFFSET 1) ORDER BY d"),
        "8
12
"
    );
    assert_eq!(
        table("SELECT probe_name, num_readings FROM (SELECT blob1 AS probe_name, count() as num_readings FROM temperature_readings GROUP BY probe_name) ORDER BY probe_name"),
        "north	2
south	1
"
    );
    // SHOW TABLES lists the datasets; SHOW TIMEZONE "should always be Etc/UTC"; SHOW
    // TIMEZONES lists the zones the date and time functions take.
    assert_eq!(
        table("SHOW TABLES"),
        "temperature_readings
weather_data
"
    );
    assert_eq!(
        table("SHOW TIMEZONE"),
        "Etc/UTC
"
    );
    let zones = table("SHOW TIMEZONES");
    assert!(
        zones.lines().any(|z| z == "America/New_York") && zones.lines().any(|z| z == "Etc/UTC")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn extreme_arguments_give_an_answer_or_an_error_never_a_panic() {
    // An interval too long for the arithmetic starts at its origin; shifts past the width leave
    // nothing; rotations go round.
    each(&[(
        "SELECT toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '9223372036854775807' HOUR) AS h, toStartOfInterval(toDateTime('2023-04-22 10:20:30'), INTERVAL '9223372036854775807' MONTH) AS m, bitShiftLeft(1, 1000) AS s, bitRotateLeft(1, 1000) AS r, substring('abc', -9223372036854775807, 9223372036854775807) AS t",
        r#"{"h":"2023-04-22 00:00:00","m":"1900-01-01","s":0,"r":1,"t":"abc"}"#,
    )]);
    for (sql, expected) in [
        (
            "SELECT toDateTime('2023-01-01 00:00:00') + INTERVAL '9223372036854775807' DAY",
            "time out of range after adding 9223372036854775807 day",
        ),
        (
            "SELECT toDateTime('yesterday')",
            "cannot read 'yesterday' as a time (YYYY-MM-DD hh:mm:ss)",
        ),
        (
            "SELECT formatDateTime(now(), '%')",
            "formatDateTime: the pattern ends with a lone %",
        ),
        (
            "SELECT formatDateTime(now(), '%K')",
            "formatDateTime: %K is not one of ClickHouse's replacement fields",
        ),
        (
            "SELECT intDiv(-9223372036854775808, -1)",
            "Cannot perform integer division, because it will produce infinite or too large number (intDiv)",
        ),
    ] {
        assert_eq!(error(sql), expected, "{sql}");
    }
}
