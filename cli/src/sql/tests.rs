//! The checker's table of accepted and rejected queries (AE's documented examples among them),
//! field-name resolution, and the output's shape; the functions and forms of AE's reference
//! pages, page by page, are in `reference.rs`.

mod reference;

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
    // The functions' pages' own examples.
    "SELECT count(DISTINCT blob1), sum(DISTINCT double1), avg(DISTINCT double1) FROM my_dataset",
    "SELECT topK(double1) FROM my_dataset",
    "SELECT topKWeighted(double1, _sample_interval) FROM my_dataset",
    "SELECT first_value(blob1) FROM my_dataset ORDER BY timestamp ASC",
    "SELECT countIf(double1 > 5), sumIf(double1, double2 > 0) FROM my_dataset",
    "SELECT * FROM my_dataset WHERE bitCount(double1) > 5",
    "SELECT * FROM my_dataset WHERE bitTest(double1, 2)",
    "SELECT bitHammingDistance(3, 0), bitRotateLeft(128, 1), bitRotateRight(12, 2), bitShiftLeft(1, 1), bitShiftRight(12, 2), bitNot(1), bitOr(1, 2), bitXor(3, 3), bitCount(toUInt32(double1)) FROM my_dataset",
    "SELECT bin('abc'), hex(1), log(double1), ln(double1), pow(double1, 2), round(3.14, 1), floor(5.5), ceil(3.14, 1) FROM my_dataset",
    "SELECT length('a string') AS s, empty(blob1) AS b, lowerUTF8(blob1), toLower(blob1), toUpper(blob1), startsWith(blob1, 'prefix'), endsWith(blob1, 'suffix') FROM your_dataset",
    "SELECT substring('hello: world', 1, position(':' IN 'hello: world')-1) AS s",
    "SELECT format('blob1: {}', blob1) AS s FROM dataset",
    "SELECT extract(SECOND from toDateTime('2022-06-06 11:30:15'))",
    "SELECT toDateTime(double1), toDateTime(blob1), toDateTime(355924804), toDateTime('355924804'), toDateTime('2022-12-01 16:17:00', 'America/New_York') FROM t",
    "SELECT formatDateTime(toDateTime('2022-12-01 16:17:00', 'America/New_York'), '%Y-%m-%d', 'Etc/UTC'), toUnixTimestamp(now()), today()",
    "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS hour, sum(_sample_interval) AS count FROM your_dataset GROUP BY hour ORDER BY hour ASC",
    "SELECT toStartOfInterval(now(), INTERVAL '15' MINUTE, 'Europe/London')",
    "SELECT blob1 AS probe_name, avg(double1) AS average_temp FROM temperature_readings GROUP BY probe_name HAVING average_temp > 10",
    "SELECT blob1 AS city, avg(double1) AS avg_temp, count() AS readings FROM weather_data GROUP BY city HAVING avg_temp > 20 AND readings >= 50",
    "SELECT blob1 FROM t WHERE blob1 LIKE 'error%' OR blob2 ILIKE '%.jpg' OR blob3 LIKE '%test%' OR blob4 LIKE 'log__' AND blob5 NOT ILIKE '%debug%'",
    "SELECT double1 FROM t WHERE double1 NOT BETWEEN 1 AND 2 AND blob1 NOT IN ('a') AND NOT double2 = -42 LIMIT ALL",
    "SELECT 42, -42, 4.2, -4.2, 'so long and thanks for all the fish', true, false, now() - INTERVAL '42' DAY, 7 % 2",
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
        "SELECT quantileExactWeighted(double1, _sample_interval) FROM t",
        "`quantileExactWeighted` takes a parameter before its arguments\n  fix: write quantileExactWeighted(0.95)(x, _sample_interval)",
    ),
    (
        "SELECT topK(1, 2)(blob1) FROM t",
        "`topK` takes one parameter, not 2\n  fix: write topK(10)(x)",
    ),
    (
        "SELECT toYear(timestamp, 'UTC') FROM t",
        "`toYear` takes one argument, not 2\n  fix: give `toYear` one argument, as AE's reference pages show",
    ),
    (
        "SELECT toStartOfWeek(timestamp, 1) FROM t",
        "`toStartOfWeek` takes one argument, not 2\n  fix: give `toStartOfWeek` one argument, as AE's reference pages show",
    ),
    (
        "SELECT min(DISTINCT double1) FROM t",
        "AE's reference pages have DISTINCT inside count, sum and avg only (`min(DISTINCT double1)`)\n  fix: write min(…) without DISTINCT",
    ),
    (
        "SELECT DISTINCT blob1 FROM t",
        "AE's reference pages have no SELECT DISTINCT\n  fix: GROUP BY the selected columns, or count(DISTINCT x)",
    ),
    (
        "SELECT bitAnd(double1, 3), double1 & 3 FROM t",
        "AE has no `&` operator\n  fix: use the bit functions: bitAnd, bitOr, bitXor, bitShiftLeft, bitShiftRight",
    ),
    (
        "SELECT blob1 FROM t WHERE blob2 IS NULL",
        "AE's reference pages have no IS NULL (`blob2 IS NULL`): no column is ever NULL\n  fix: an unset blob reads '' and an unset double 0: compare with those",
    ),
    (
        "SELECT blob1 FROM t WHERE blob2 = NULL",
        "AE's literals have no NULL, and no column is ever NULL\n  fix: an unset blob reads '' and an unset double 0: use those",
    ),
    (
        "SELECT extract(blob1, 'id=(\\d+)') FROM t",
        "AE's extract is extract(<unit> FROM <datetime>); its reference pages have no regular-expression form extract(haystack, pattern)\n  fix: match with LIKE, startsWith or endsWith, or cut with position(… IN …) and substring",
    ),
    (
        "SELECT extract(WEEK FROM timestamp) FROM t",
        "AE's extract is extract(<unit> FROM <datetime>) with YEAR, MONTH, DAY, HOUR, MINUTE or SECOND, not `WEEK`\n  fix: extract(HOUR FROM timestamp)",
    ),
    (
        "SELECT position(blob1, ':') FROM t",
        "AE's reference pages write position(needle IN haystack) only\n  fix: write position(needle IN haystack)",
    ),
    (
        "SELECT substring(blob1 FROM 2 FOR 3) FROM t",
        "AE's reference pages write substring(string, offset[, length]) only (`SUBSTRING(blob1 FROM 2 FOR 3)`)\n  fix: write substring(string, offset[, length])",
    ),
    (
        "SELECT blob1 FROM t WHERE timestamp > now() - INTERVAL 1 DAY",
        "AE's intervals are written with a quoted count: not `INTERVAL 1 DAY`\n  fix: INTERVAL '1' DAY",
    ),
    (
        "SELECT toStartOfInterval(timestamp, INTERVAL '1' WEEK) FROM t",
        "AE's intervals are INTERVAL '<n>' YEAR, MONTH, DAY, HOUR, MINUTE or SECOND: not `INTERVAL '1' WEEK`\n  fix: INTERVAL '7' DAY for a week, INTERVAL '3' MONTH for a quarter",
    ),
    (
        "SELECT toDateTime(blob1, blob2) FROM t",
        "`toDateTime`'s time zone is a literal, not `blob2`\n  fix: write the zone in quotes: toDateTime(…, 'Europe/London')",
    ),
    (
        "SELECT formatDateTime(timestamp, '%F', 'Mars/Olympus') FROM t",
        "unknown time zone 'Mars/Olympus' (SHOW TIMEZONES lists them)\n  fix: name a zone as IANA does: 'Europe/London', 'America/New_York', 'Etc/UTC'",
    ),
    (
        "SELECT blob1 FROM t LIMIT 1, 2",
        "AE's reference pages write LIMIT n OFFSET m, not LIMIT m, n\n  fix: LIMIT n OFFSET m",
    ),
    (
        "SELECT blob1 FROM t WHERE blob1 IN (SELECT blob1 FROM t)",
        "AE takes a subquery only in FROM\n  fix: move the subquery into FROM, or list the values: x IN ('a', 'b')",
    ),
    (
        // Found by the `sql_check` fuzz target (as an argument of bitAnd, whose arity is now
        // checked first): accepted, and sent to AE as `toUInt8(double1).3`.
        "SELECT toUInt8(toUInt8(double1). 3) FROM t",
        "AE rejects element access such as `toUInt8(double1).3` (it has no tuples, arrays or maps)\n  fix: use the value itself, or a function of it",
    ),
    (
        // Found by the `sql_check` fuzz target: sent to AE as X'a'b', which ends at the quote. AE's
        // literals page has no prefixed strings at all.
        "SELECT X'a''b' AS x FROM t",
        "AE's literals are numbers, 'strings', true and false, not `X'a'b'`\n  fix: write text in single quotes",
    ),
    (
        "SELECT N'a''b' AS x FROM t",
        "AE's literals are numbers, 'strings', true and false, not `N'a'b'`\n  fix: write text in single quotes",
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

/// Found by the `sql_check` fuzz target: a step of 10^47 minutes overflowed, and panicked; and
/// minus the smallest count overflowed as it was negated. toStartOfInterval counts a step too long
/// to hold as one that starts at the origin (`functions/time.rs`), and gives its start.
#[test]
fn an_interval_too_long_to_count_never_overflows() {
    let (store, dir) = store_with(&[]);
    for (unit, start) in [
        ("MINUTE", "1970-01-01 00:00:00"),
        ("DAY", "1970-01-01 00:00:00"),
        ("MONTH", "1900-01-01"),
    ] {
        let sql = format!(
            "SELECT toStartOfInterval(toDateTime('2023-01-01 14:45:00'), INTERVAL '3066666666666666666' {unit}) AS a"
        );
        let prepared = prepare(&sql, &names()).unwrap();
        let answer = run(&store, &prepared).map(|result| render(&result, Format::Tsv));
        assert_eq!(
            answer.as_deref(),
            Ok(format!("{start}\n").as_str()),
            "{sql}"
        );
    }
    let sql =
        "SELECT toDateTime('2023-01-01 14:45:00') - INTERVAL '-9223372036854775808' SECOND AS a";
    let error = run(&store, &prepare(sql, &names()).unwrap()).unwrap_err();
    assert!(error.contains("time out of range"), "{sql}: {error}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Found by the `sql_check` fuzz target: `format()`, with no pattern, read an argument that was
/// not there, and rusqlite panicked. The checker now counts arguments, so it is rejected before
/// SQLite sees it (the function guards against it too).
#[test]
fn format_without_a_pattern_is_an_error() {
    let rejection = prepare("SELECT format() AS r", &names()).unwrap_err();
    assert_eq!(
        rejection.to_string(),
        "`format` takes 1 or more arguments, not 0\n  fix: give `format` 1 or more arguments, as AE's reference pages show"
    );
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
