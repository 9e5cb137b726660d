//! The checker's table of accepted and rejected queries (AE's documented examples among them),
//! field-name resolution, and the translator's results, each expected value from ClickHouse's or
//! AE's documented semantics (the source is named beside each).

use super::names::Names;
use super::{prepare, run};
use crate::output::{render, Format};
use crate::store::{Point, Store};

const LOCK: &str = "layout Event dataset events binding EVENTS
  index event text
  blob1 event text
  blob2 user_id text
  double1 duration_ms number
";

fn names() -> Names {
    Names::from_lock(tallymark_schema::parse(LOCK).unwrap())
}

/// Queries AE accepts. The first group is from AE's SQL reference ("Statements": the SELECT,
/// FROM clause examples, with `temperatures` as the dataset) and its sampling and Grafana pages.
const ACCEPTED: &[&str] = &[
    "SELECT blob2, double3 FROM temperatures",
    "SELECT * FROM temperatures",
    "SELECT blob2 AS probe_name, double3 AS temperature FROM temperatures",
    "SELECT blob2 AS probe_name, double3 AS temp_c, double3*1.8+32 AS temp_f FROM temperatures",
    "SELECT blob2 AS probe_name, if(double3 <= 0, 'FREEZING', 'NOT FREEZING') AS description FROM temperatures",
    "SELECT blob2 AS probe_name, avg(double3) AS avg_temp FROM temperatures GROUP BY probe_name",
    "SELECT probe_name, num_readings FROM ( SELECT blob1 AS probe_name, count() as num_readings FROM temperatures GROUP BY probe_name)",
    "SHOW TABLES",
    "SHOW TABLES FORMAT JSON",
    "SHOW TIMEZONES",
    "SHOW TIMEZONE FORMAT TabSeparated",
    "SELECT blob1 AS city, SUM(_sample_interval * double1) / SUM(_sample_interval) AS avg_humidity FROM weather WHERE double2 > 5 GROUP BY city ORDER BY avg_humidity DESC LIMIT 10",
    "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, sum(_sample_interval) AS n FROM weather WHERE timestamp > NOW() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
    "SELECT blob1, quantileExactWeighted(0.95)(double1, _sample_interval) AS p95 FROM weather GROUP BY blob1 FORMAT JSONEachRow",
    "SELECT topKWeighted(10)(blob1, _sample_interval) FROM weather",
    "SELECT quantileWeighted(0.5, double1, _sample_interval) FROM weather",
    "SELECT sumIf(_sample_interval, blob1 = 'a') AS a, sum(if(double1 > 1, _sample_interval, 0)) AS slow FROM weather",
    "SELECT argMax(blob2, timestamp), first_value(blob1), last_value(blob1) FROM weather",
    "SELECT blob1 FROM weather WHERE blob1 ILIKE 'a%' AND blob2 NOT LIKE '%b' AND double1 BETWEEN 1 AND 2 AND blob3 IN ('x', 'y') LIMIT 5 OFFSET 10",
    "select blob1, Count() from weather group by blob1 having COUNT() > 1",
    "SELECT position('a' IN blob1), substring(blob1, 1, 2), lowerUTF8(blob1), hex(blob1) FROM weather",
    "SELECT intDiv(toUInt32(double1), 10), bitAnd(toUInt8(double1), 3), formatDateTime(timestamp, '%F') FROM weather",
];

#[test]
fn ae_accepts_these() {
    for sql in ACCEPTED {
        if let Err(rejection) = prepare(sql, &Names::default()) {
            panic!("{sql}\nwas rejected: {rejection}");
        }
    }
}

/// Queries AE rejects (HTTP 422), with the exact reason and fix given.
const REJECTED: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM t",
        "AE rejects COUNT(*)\n  fix: count events with sum(_sample_interval) (rows are sampled), or stored rows with count()",
    ),
    (
        "SELECT CASE WHEN double1 > 1 THEN 'slow' ELSE 'fast' END FROM t",
        "AE rejects CASE\n  fix: use if(cond, then, else), nested for more branches",
    ),
    (
        "SELECT multiIf(double1 > 1, 'a', 'b') FROM t",
        "AE rejects `multiIf`\n  fix: nest `if()`: if(c1, a, if(c2, b, c))",
    ),
    (
        "SELECT a.blob1 FROM t JOIN u ON t.blob1 = u.blob1",
        "AE rejects JOIN: a query reads one dataset\n  fix: run one query per dataset, or filter in one dataset with WHERE",
    ),
    (
        "SELECT toString(double1) FROM t",
        "AE rejects `toString`\n  fix: compare or group by the value itself, or format it with `format('{}', x)`",
    ),
    (
        "SELECT concat(blob1, blob2) FROM t",
        "AE rejects `concat`\n  fix: use format('{}{}', a, b)",
    ),
    (
        "SELECT blob1 FROM t AS e",
        "AE rejects table aliases (`AS e`)\n  fix: drop the alias and refer to columns by their names alone",
    ),
    (
        "SELECT double1 * 2 AS twice, twice + 1 AS more FROM t",
        "AE rejects a SELECT alias used inside another selected expression (`twice`)\n  fix: repeat the aliased expression instead of its alias, or compute it in a subquery in FROM",
    ),
    (
        "SELECT if(double1 > 1, 'slow', 0) FROM t",
        "AE rejects `if()` whose branches differ in type (`'slow'` and `0`)\n  fix: give both branches one type: if(c, 'yes', 'no') or if(c, 1, 0)",
    ),
    (
        "SELECT if(double1 > 1, blob1, NULL) FROM t",
        "AE rejects `if()` with a NULL branch (its branches must have one type)\n  fix: use a value of the other branch's type: '' for text, 0 for numbers",
    ),
    (
        "SELECT avgIf(double1, blob1 = 'a') FROM t",
        "AE expands `avgIf` into an ill-typed `if` and rejects the query\n  fix: divide: sumIf(x * _sample_interval, cond) / sumIf(_sample_interval, cond)",
    ),
    (
        "SELECT quantile(0.5)(double1) FROM t",
        "AE rejects `quantile(q)(x)`\n  fix: use quantileExactWeighted(q)(x, _sample_interval)",
    ),
    (
        "SELECT quantilExactWeighted(0.5)(double1, _sample_interval) FROM t",
        "unknown function `quantilExactWeighted`: it is not on AE's SQL reference pages\n  fix: did you mean `quantileExactWeighted`?",
    ),
    (
        "SELECT sleep(3) FROM t",
        "unknown function `sleep`: it is not on AE's SQL reference pages\n  fix: use a function from AE's SQL reference (functions, aggregates)",
    ),
    (
        "DELETE FROM t",
        "AE runs SELECT, SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE only, not `DELETE FROM`\n  fix: read with SELECT; AE's SQL API cannot change data",
    ),
    (
        "ATTACH DATABASE 'x.db' AS x",
        "AE runs SELECT, SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE only, not `ATTACH DATABASE`\n  fix: read with SELECT; AE's SQL API cannot change data",
    ),
    (
        "PRAGMA writable_schema = 1",
        "AE runs SELECT, SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE only, not `PRAGMA writable_schema`\n  fix: read with SELECT; AE's SQL API cannot change data",
    ),
    (
        "SELECT 1; SELECT 2",
        "AE runs one statement per request, not 2\n  fix: send the statements one at a time",
    ),
    (
        "SELECT blob1 FROM t UNION ALL SELECT blob1 FROM u",
        "AE runs one SELECT at a time: UNION is rejected\n  fix: run the queries separately",
    ),
    (
        "SELECT blob1 FROM t FORMAT CSV",
        "AE does not know `FORMAT CSV`\n  fix: use FORMAT JSON, FORMAT JSONEachRow or FORMAT TabSeparated",
    ),
    (
        "SELECT topK(double1) FROM t",
        "`topK` takes a parameter before its arguments\n  fix: write topK(10)(x)",
    ),
    (
        "SELECT blob1 FROM t WHERE blob1 IN (SELECT blob1 FROM t)",
        "AE takes a subquery only in FROM\n  fix: move the subquery into FROM, or list the values: x IN ('a', 'b')",
    ),
    (
        // Found by the `sql_check` fuzz target: accepted, and sent to AE as `toUInt8(double1).3`.
        "SELECT bitAnd(toUInt8(double1). 3) FROM t",
        "AE rejects element access such as `toUInt8(double1).3` (it has no tuples, arrays or maps)\n  fix: use the value itself, or a function of it",
    ),
    (
        // Found by the `sql_check` fuzz target: sent to AE as X'a'b', which ends at the quote.
        "SELECT X'a''b' AS x FROM t",
        "`X'a'b'` does not read back as written: a prefixed string holds a quote\n  fix: write the text as a plain string: 'it''s'",
    ),
    (
        "SELECT N'a''b' AS x FROM t",
        "`N'a'b'` does not read back as written: a prefixed string holds a quote\n  fix: write the text as a plain string: 'it''s'",
    ),
    (
        "SELECT blob1[1] FROM t",
        "AE rejects element access such as `blob1[1]` (it has no tuples, arrays or maps)\n  fix: use the value itself, or a function of it",
    ),
    (
        "SELECT blob1 FROM sqlite_master",
        "`sqlite_master` is not a dataset name\n  fix: read a dataset by its name: letters, digits and `_`",
    ),
    (
        "SELECT blob1 FROM t WHERE nope = 1",
        "unknown column `nope`: dataset `t` has the columns dataset, timestamp, _sample_interval, index1, blob1..blob20, double1..double20\n  fix: use a column, or give a schema lock (--lock tallymark.lock) to use field names",
    ),
];

#[test]
fn ae_rejects_these_with_the_reason_and_the_fix() {
    for (sql, expected) in REJECTED {
        match prepare(sql, &Names::default()) {
            Ok(_) => panic!("{sql}\nwas accepted"),
            Err(rejection) => assert_eq!(rejection.to_string(), *expected, "{sql}"),
        }
    }
}

#[test]
fn aggregates_that_ignore_sampling_warn_with_the_correct_form() {
    let cases = [
        ("SELECT count() FROM t", "count events with sum(_sample_interval); keep count() only to see how many rows the answer rests on"),
        ("SELECT sum(double1) FROM t", "sum(double1 * _sample_interval)"),
        ("SELECT avg(double1) FROM t", "sum(double1 * _sample_interval) / sum(_sample_interval)"),
        ("SELECT quantileExactWeighted(0.95)(double1, 1) FROM t", "quantileExactWeighted(0.95)(double1, _sample_interval)"),
        ("SELECT topK(5)(blob1) FROM t", "topKWeighted(5)(blob1, _sample_interval)"),
        ("SELECT countIf(blob1 = 'a') FROM t", "sumIf(_sample_interval, blob1 = 'a')"),
    ];
    for (sql, fix) in cases {
        let prepared = prepare(sql, &Names::default()).unwrap();
        let fixes: Vec<&str> = prepared.warnings.iter().map(|w| w.fix.as_str()).collect();
        assert_eq!(fixes, [fix], "{sql}");
    }
    for sql in [
        "SELECT sum(_sample_interval), sum(double1 * _sample_interval), count(DISTINCT blob1) FROM t",
        "SELECT quantileExactWeighted(0.5)(double1, _sample_interval), topKWeighted(3)(blob1, _sample_interval) FROM t",
    ] {
        assert!(prepare(sql, &Names::default()).unwrap().warnings.is_empty(), "{sql}");
    }
}

#[test]
fn field_names_resolve_to_slots_in_every_clause() {
    let prepared = prepare(
        "SELECT user_id, sum(duration_ms * _sample_interval) AS total FROM events WHERE event = 'a' GROUP BY user_id HAVING total > 1 ORDER BY user_id LIMIT 3",
        &names(),
    )
    .unwrap();
    assert_eq!(
        prepared.ae_sql,
        "SELECT blob2 AS user_id, sum(double1 * _sample_interval) AS total FROM events WHERE blob1 = 'a' GROUP BY blob2 HAVING total > 1 ORDER BY blob2 LIMIT 3"
    );
    assert_eq!(
        prepare("SELECT nope FROM events", &names()).unwrap_err().to_string(),
        "unknown column `nope`: dataset `events` has the fields event (blob1), user_id (blob2), duration_ms (double1)\n  fix: use one of those fields, or a column: timestamp, _sample_interval, index1, blob1..blob20, double1..double20"
    );
}

/// A store with the rows of `lines` (JSON Lines, as `tallymark ingest` reads).
fn store_with(lines: &[&str]) -> (Store, std::path::PathBuf) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tallymark-sql-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("points.db");
    let points: Vec<Point> = lines
        .iter()
        .map(|line| crate::ingest::parse_line(line, 0).unwrap())
        .collect();
    Store::open(&path).unwrap().insert(&points).unwrap();
    (Store::open_read_only(&path).unwrap(), dir)
}

/// The query's rows as JSONEachRow.
fn rows(store: &Store, sql: &str) -> String {
    let prepared = prepare(sql, &names()).unwrap_or_else(|r| panic!("{sql}: {r}"));
    let result = run(store, &prepared).unwrap_or_else(|e| panic!("{sql}: {e}"));
    render(&result, Format::Jsonl)
}

fn scalar(sql: &str) -> String {
    let (store, dir) = store_with(&[]);
    let out = rows(&store, sql);
    let _ = std::fs::remove_dir_all(dir);
    out
}

#[test]
fn scalar_functions_follow_clickhouse() {
    let cases = [
        // ClickHouse docs, intDiv: intDiv(toFloat64(1), 0.001) = 1000.
        ("SELECT intDiv(1, 0.001) AS r", r#"{"r":"1000"}"#),
        // Integer division rounds toward zero (ClickHouse intDiv).
        ("SELECT intDiv(-7, 2) AS r", r#"{"r":"-3"}"#),
        // ClickHouse docs, position: position('Hello, world!', '!') = 13.
        ("SELECT position('!' IN 'Hello, world!') AS r", r#"{"r":"13"}"#),
        // ClickHouse docs, substring: substr('database', 5) = 'base', substr('database', 5, 1) = 'b'.
        ("SELECT substring('database', 5) AS a, substring('database', 5, 1) AS b", r#"{"a":"base","b":"b"}"#),
        // ClickHouse docs, format: format('{1} {0} {1}', 'World', 'Hello') = 'Hello World Hello'.
        ("SELECT format('{1} {0} {1}', 'World', 'Hello') AS r", r#"{"r":"Hello World Hello"}"#),
        ("SELECT format('{} {}', 'Hello', 'World') AS r", r#"{"r":"Hello World"}"#),
        // ClickHouse docs, bin(14) = '00001110'; hex(1) = '01'; hex(255) = 'FF'; hex(256) = '0100'.
        ("SELECT bin(14) AS a, hex(1) AS b, hex(255) AS c, hex(256) AS d", r#"{"a":"00001110","b":"01","c":"FF","d":"0100"}"#),
        // ClickHouse docs, round: round(4.1267, 2) = 4.13, round(22, -1) = 20, round(467, -2) = 500,
        // round(-467, -2) = -500; a float half rounds to even: round(0.5) = 0, round(2.5) = 2.
        ("SELECT round(4.1267, 2) AS a, round(22, -1) AS b, round(467, -2) AS c, round(-467, -2) AS d, round(0.5) AS e, round(2.5) AS f", r#"{"a":4.13,"b":20,"c":500,"d":-500,"e":0,"f":2}"#),
        // ClickHouse docs, toUInt8(8.8) = 8, toUInt32(-32) = 4294967264 (wraps), toUInt8('16') = 16.
        ("SELECT toUInt8(8.8) AS a, toUInt32(-32) AS b, toUInt8('16') AS c", r#"{"a":8,"b":4294967264,"c":16}"#),
        // ClickHouse: LIKE is case-sensitive, ILIKE is not; `_` is one character.
        ("SELECT 'Hello' LIKE 'h%' AS a, 'Hello' ILIKE 'h%' AS b, 'Héllo' LIKE 'H_llo' AS c, 'a%b' LIKE 'a\\%b' AS d", r#"{"a":0,"b":1,"c":1,"d":1}"#),
        // AE: length counts UTF-8 characters; lower/upper are ASCII-only, the UTF8 forms are not.
        ("SELECT length('héllo') AS a, lower('ÀB') AS b, lowerUTF8('ÀB') AS c, empty('') AS d, startsWith('abc', 'ab') AS e, endsWith('abc', 'bc') AS f", r#"{"a":"5","b":"Àb","c":"àb","d":1,"e":1,"f":1}"#),
        ("SELECT if(1 > 2, 'yes', 'no') AS a, bitAnd(6, 3) AS b, bitOr(6, 3) AS c, bitXor(6, 3) AS d, bitShiftLeft(1, 4) AS e", r#"{"a":"no","b":"2","c":"7","d":"5","e":"16"}"#),
        // ClickHouse docs, extract: the first match, or the first group's; '' when none.
        ("SELECT extract('number: 1, 2, 3', '\\\\d+') AS a, extract('key=value', 'key=(\\\\w+)') AS b, extract('abc', 'z') AS c", r#"{"a":"1","b":"value","c":""}"#),
        // ClickHouse: ln/log are natural logarithms; pow; floor/ceil to n places; bitNot,
        // bitShiftRight.
        ("SELECT ln(1) AS a, log(1) AS b, pow(2, 10) AS c, floor(-1.5) AS d, ceil(1.21, 1) AS e, bitNot(0) AS f, bitShiftRight(16, 2) AS g", r#"{"a":0,"b":0,"c":1024,"d":-2,"e":1.3,"f":"-1","g":"4"}"#),
        // ClickHouse: `/` is always a float division.
        ("SELECT 7 / 2 AS r", r#"{"r":3.5}"#),
        // ClickHouse docs: upper changes ASCII letters only, upperUTF8 every letter.
        ("SELECT upper('àb') AS a, upperUTF8('àb') AS b", r#"{"a":"àB","b":"ÀB"}"#),
    ];
    for (sql, expected) in cases {
        assert_eq!(scalar(sql), format!("{expected}\n"), "{sql}");
    }
}

#[test]
fn today_is_the_utc_date_of_now() {
    // ClickHouse: today() is toDate(now()); AE's zone is UTC. Read the date either side of the
    // query, so a run across midnight still passes.
    let date = || chrono::Utc::now().format("%Y-%m-%d").to_string();
    let before = date();
    let row = scalar("SELECT today() AS d");
    let after = date();
    assert!(
        row == format!("{{\"d\":\"{before}\"}}\n") || row == format!("{{\"d\":\"{after}\"}}\n"),
        "{row}"
    );
}

#[test]
fn time_functions_follow_clickhouse() {
    let t = "toDateTime('2023-04-21 10:20:30')";
    let cases = [
        // ClickHouse docs, toStartOf…: the start of the year/month (dates), of the day, hour,
        // quarter hour, ten and five minutes and minute (times).
        (format!("SELECT toStartOfYear({t}) AS a, toStartOfMonth({t}) AS b, toStartOfDay({t}) AS c, toStartOfHour({t}) AS d"),
         r#"{"a":"2023-01-01","b":"2023-04-01","c":"2023-04-21 00:00:00","d":"2023-04-21 10:00:00"}"#),
        (format!("SELECT toStartOfFifteenMinutes({t}) AS a, toStartOfTenMinutes({t}) AS b, toStartOfFiveMinutes({t}) AS c, toStartOfMinute({t}) AS d"),
         r#"{"a":"2023-04-21 10:15:00","b":"2023-04-21 10:20:00","c":"2023-04-21 10:20:00","d":"2023-04-21 10:20:00"}"#),
        // ClickHouse docs, toStartOfWeek: mode 0 starts on Sunday (2023-04-16), mode 1 on Monday.
        (format!("SELECT toStartOfWeek({t}) AS a, toStartOfWeek({t}, 1) AS b"),
         r#"{"a":"2023-04-16","b":"2023-04-17"}"#),
        // 2023-04-21 was a Friday: toDayOfWeek (Monday 1) = 5.
        (format!("SELECT toYear({t}) AS y, toMonth({t}) AS m, toDayOfMonth({t}) AS d, toDayOfWeek({t}) AS w, toHour({t}) AS h, toMinute({t}) AS i, toSecond({t}) AS s, toYYYYMM({t}) AS ym"),
         r#"{"y":2023,"m":4,"d":21,"w":5,"h":10,"i":20,"s":30,"ym":202304}"#),
        // ClickHouse docs, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), …): 1 minute →
        // 14:45:00, 30 minutes → 14:30:00, 1 hour → 14:00:00, 1 day → 00:00:00, 1 month → 2023-01-01.
        ("SELECT toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL 30 MINUTE) AS a, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL 1 HOUR) AS b, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL 1 DAY) AS c, toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL 1 MONTH) AS d".to_owned(),
         r#"{"a":"2023-01-01 14:30:00","b":"2023-01-01 14:00:00","c":"2023-01-01 00:00:00","d":"2023-01-01"}"#),
        // toStartOfInterval by week starts on Monday (ClickHouse: as toMonday for one week);
        // quarters and years start on their first day.
        (format!("SELECT toStartOfInterval({t}, INTERVAL 1 WEEK) AS w, toStartOfInterval({t}, INTERVAL 1 QUARTER) AS q, toStartOfInterval({t}, INTERVAL 1 YEAR) AS y"),
         r#"{"w":"2023-04-17","q":"2023-04-01","y":"2023-01-01"}"#),
        // ClickHouse docs, toUnixTimestamp('2017-11-05 08:07:47', 'Asia/Tokyo') = 1509836867, so
        // in UTC (AE's zone) 1509869267.
        ("SELECT toUnixTimestamp(toDateTime('2017-11-05 08:07:47')) AS r".to_owned(), r#"{"r":1509869267}"#),
        // Interval arithmetic; a month added to 31 January ends on the month's last day (addMonths).
        ("SELECT toDateTime('2024-01-31 00:00:00') + INTERVAL '1' MONTH AS a, toDateTime('2024-01-01 00:00:00') - INTERVAL '90' SECOND AS b, toDateTime(0) AS c".to_owned(),
         r#"{"a":"2024-02-29 00:00:00","b":"2023-12-31 23:58:30","c":"1970-01-01 00:00:00"}"#),
        // formatDateTime: %F, %T, and %i (minutes in ClickHouse).
        ("SELECT formatDateTime(toDateTime('2010-01-04 12:34:56'), '%F %T %i') AS r".to_owned(), r#"{"r":"2010-01-04 12:34:56 34"}"#),
    ];
    for (sql, expected) in cases {
        assert_eq!(scalar(&sql), format!("{expected}\n"), "{sql}");
    }
}

#[test]
fn aggregates_follow_clickhouse() {
    // ClickHouse docs, quantileExactWeighted: n = 0, 1, 2, 5 with weights 3, 2, 1, 4 → 1
    // (Σw = 10, threshold ceil(10 · 0.5) = 5, cumulative 3, 5 → the value 1).
    let (store, dir) = store_with(&[
        r#"{"dataset":"events","blobs":["a","director"],"doubles":[0],"sample_interval":3}"#,
        r#"{"dataset":"events","blobs":["a","manager"],"doubles":[1],"sample_interval":2}"#,
        r#"{"dataset":"events","blobs":["b","worker"],"doubles":[2],"sample_interval":1}"#,
        r#"{"dataset":"events","blobs":["b","intern"],"doubles":[5],"sample_interval":4}"#,
    ]);
    assert_eq!(
        rows(&store, "SELECT quantileExactWeighted(0.5)(duration_ms, _sample_interval) AS q, quantileWeighted(0.5, duration_ms, _sample_interval) AS legacy, quantileExactWeighted(0.9)(duration_ms, _sample_interval) AS p90 FROM events"),
        "{\"q\":1,\"legacy\":1,\"p90\":5}\n"
    );
    // ClickHouse docs, argMin/argMax: the user with the least / greatest salary.
    assert_eq!(
        rows(&store, "SELECT argMin(user_id, duration_ms) AS low, argMax(user_id, duration_ms) AS high FROM events"),
        "{\"low\":\"director\",\"high\":\"intern\"}\n"
    );
    // first_value / last_value: the first and last values read (in insertion order here).
    assert_eq!(
        rows(&store, "SELECT first_value(user_id) AS f, last_value(user_id) AS l, min(duration_ms) AS lo, max(duration_ms) AS hi, count(DISTINCT event) AS d FROM events"),
        "{\"f\":\"director\",\"l\":\"intern\",\"lo\":0,\"hi\":5,\"d\":\"2\"}\n"
    );
    // topK: most frequent first; topKWeighted: by the sum of weights.
    assert_eq!(
        rows(
            &store,
            "SELECT topK(1)(event) AS k, topKWeighted(2)(event, _sample_interval) AS w FROM events"
        ),
        "{\"k\":[\"a\"],\"w\":[\"a\",\"b\"]}\n"
    );
    assert_eq!(
        rows(&store, "SELECT event, sum(_sample_interval) AS n, countIf(duration_ms > 0) AS c, sumIf(_sample_interval, duration_ms > 0) AS s, sum(duration_ms) AS d FROM events GROUP BY event ORDER BY event"),
        "{\"event\":\"a\",\"n\":\"5\",\"c\":\"1\",\"s\":\"2\",\"d\":1}\n{\"event\":\"b\",\"n\":\"5\",\"c\":\"2\",\"s\":\"5\",\"d\":7}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_output_has_aes_shape_with_the_rows_before_limit() {
    let (store, dir) = store_with(&[
        r#"{"dataset":"events","blobs":["a"],"timestamp":"2024-05-01T12:00:00Z"}"#,
        r#"{"dataset":"events","blobs":["b"],"timestamp":"2024-05-01T12:00:01Z"}"#,
        r#"{"dataset":"events","blobs":["c"],"timestamp":"2024-05-01T12:00:02Z"}"#,
    ]);
    let prepared = prepare(
        "SELECT event, timestamp FROM events ORDER BY timestamp DESC LIMIT 2 FORMAT JSON",
        &names(),
    )
    .unwrap();
    assert_eq!(prepared.format, Some(Format::Json));
    assert_eq!(
        render(&run(&store, &prepared).unwrap(), Format::Json),
        "{\"meta\":[{\"name\":\"event\",\"type\":\"String\"},{\"name\":\"timestamp\",\"type\":\"DateTime\"}],\"data\":[{\"event\":\"c\",\"timestamp\":\"2024-05-01 12:00:02\"},{\"event\":\"b\",\"timestamp\":\"2024-05-01 12:00:01\"}],\"rows\":2,\"rows_before_limit_at_least\":3}\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unknown_dataset_names_the_ones_in_the_store() {
    let (store, dir) = store_with(&[r#"{"dataset":"events"}"#]);
    let prepared = prepare("SELECT blob1 FROM other", &names()).unwrap();
    let error = run(&store, &prepared).unwrap_err();
    assert_eq!(
        error,
        format!(
            "dataset `other` is not in the store {} (it has: events)",
            dir.join("points.db").display()
        )
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Found by the `sql_check` fuzz target: a step of 10^47 minutes overflowed, and panicked.
#[test]
fn an_interval_too_long_to_count_is_an_error() {
    let (store, dir) = store_with(&[]);
    for unit in ["MINUTE", "DAY", "WEEK"] {
        let sql = format!(
            "SELECT toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL 3066666666666666666 {unit}) AS a"
        );
        let prepared = prepare(&sql, &names()).unwrap();
        let error = run(&store, &prepared).unwrap_err();
        assert!(error.contains("too long an interval"), "{sql}: {error}");
    }
    let sql =
        "SELECT toDateTime('2023-01-01 14:45:00') - INTERVAL -9223372036854775808 SECOND AS a";
    let error = run(&store, &prepare(sql, &names()).unwrap()).unwrap_err();
    assert!(error.contains("time out of range"), "{sql}: {error}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Found by the `sql_check` fuzz target: `format()`, with no pattern, read an argument that was
/// not there, and rusqlite panicked.
#[test]
fn format_without_a_pattern_is_an_error() {
    let (store, dir) = store_with(&[]);
    let prepared = prepare("SELECT format() AS r", &names()).unwrap();
    let error = run(&store, &prepared).unwrap_err();
    assert!(error.contains("format needs a pattern"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Found by the `sql_check` fuzz target: in the SQL sent to AE, a quote after a backslash (the
/// text `a\'b`, written `'a\\\'b'`) ended the string, and what followed was read as SQL; run
/// locally, the query failed.
#[test]
fn the_sql_sent_to_ae_reads_the_same_strings() {
    for sql in [
        r"SELECT 'a\\\'b' AS x",
        r"SELECT 'a\'\'b' AS x, 'c''d' AS y",
        r"SELECT 'e\\' AS x, '\\\\''' AS y",
    ] {
        let ae_sql = prepare(sql, &names()).unwrap().ae_sql;
        assert!(prepare(&ae_sql, &names()).is_ok(), "{sql}\n{ae_sql}");
        assert_eq!(scalar(&ae_sql), scalar(sql), "{sql}\n{ae_sql}");
    }
    // Run locally too (SQLite reads no backslash escapes): the text a\'b, and c'd.
    assert_eq!(
        scalar(r"SELECT 'a\\\'b' AS x, 'c''d' AS y"),
        "{\"x\":\"a\\\\'b\",\"y\":\"c'd\"}\n"
    );
}

#[test]
fn backslashes_survive_to_both_sides() {
    // ClickHouse reads `\\` in a string literal as one backslash, `\'` as a quote.
    let prepared = prepare(r"SELECT 'a\\b' AS x, 'it\'s' AS y", &names()).unwrap();
    assert_eq!(prepared.ae_sql, r"SELECT 'a\\b' AS x, 'it\'s' AS y");
    assert_eq!(
        scalar(r"SELECT 'a\\b' AS x, 'it\'s' AS y"),
        "{\"x\":\"a\\\\b\",\"y\":\"it's\"}\n"
    );
}
