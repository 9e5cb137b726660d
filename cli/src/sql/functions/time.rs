//! AE's date and time functions ("Date and Time functions" page, and `extract` from "String
//! functions"), with ClickHouse's semantics (its "Dates and Times" functions page, cited beside
//! each). A `DateTime` is stored as UTC text (`YYYY-MM-DD hh:mm:ss`, an instant); its time zone is
//! static, so `typed.rs` passes the zone a function works in as its last argument (`''`: UTC), and
//! calendar parts are taken from the wall-clock time there.

use super::{fail, integer, text, Scalar};
use chrono::{Datelike as _, Duration, Months, NaiveDate, NaiveDateTime, Timelike as _};
use chrono_tz::Tz;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Result};

/// Registers the time functions on `connection`.
pub(super) fn register(connection: &Connection) -> Result<()> {
    let scalars: &[(&str, i32, Scalar)] = &[
        ("ch_to_date_time", 2, to_date_time),
        ("ch_to_unix_timestamp", 2, |c| {
            Ok(time(c, 0)?.map_or(Value::Null, Value::Integer))
        }),
        ("ch_format_date_time", 3, format_date_time),
        ("ch_add_interval", 5, add_interval),
        // A Date plus or minus days (`typed.rs`): the day of argument 0 in the zone of argument 1.
        ("ch_to_date", 2, |c| on_local(c, |t| date(t.date()))),
        ("ch_to_start_of_interval", 4, start_of_interval),
        ("ch_extract_part", 3, extract_part),
        // ClickHouse: toStartOfYear, toStartOfMonth give a Date.
        ("ch_to_start_of_year", 2, |c| {
            on_local(c, |t| date(first_of_month(t.year(), 1)))
        }),
        ("ch_to_start_of_month", 2, |c| {
            on_local(c, |t| date(first_of_month(t.year(), t.month())))
        }),
        // AE's page: toStartOfWeek "treats Monday as the first day of the week".
        ("ch_to_start_of_week", 2, |c| {
            on_local(c, |t| {
                let day = t.date();
                date(day - Duration::days(i64::from(day.weekday().num_days_from_monday())))
            })
        }),
        ("ch_to_start_of_day", 2, |c| truncate(c, 86_400)),
        ("ch_to_start_of_hour", 2, |c| truncate(c, 3_600)),
        ("ch_to_start_of_fifteen_minutes", 2, |c| truncate(c, 900)),
        ("ch_to_start_of_ten_minutes", 2, |c| truncate(c, 600)),
        ("ch_to_start_of_five_minutes", 2, |c| truncate(c, 300)),
        ("ch_to_start_of_minute", 2, |c| truncate(c, 60)),
        ("ch_to_year", 2, |c| part(c, Part::Year)),
        ("ch_to_month", 2, |c| part(c, Part::Month)),
        ("ch_to_day_of_month", 2, |c| part(c, Part::Day)),
        ("ch_to_day_of_week", 2, |c| part(c, Part::Weekday)),
        ("ch_to_hour", 2, |c| part(c, Part::Hour)),
        ("ch_to_minute", 2, |c| part(c, Part::Minute)),
        ("ch_to_second", 2, |c| part(c, Part::Second)),
        ("ch_to_yyyymm", 2, |c| {
            on_local(c, |t| {
                Value::Integer(i64::from(t.year()) * 100 + i64::from(t.month()))
            })
        }),
    ];
    super::register_scalars(connection, scalars)?;
    let now = FunctionFlags::SQLITE_UTF8;
    connection.create_scalar_function("ch_now", 0, now, |_| Ok(date_time(crate::time::now())))?;
    // ClickHouse: today() is toDate(now()), in AE's zone (UTC).
    connection.create_scalar_function("ch_today", 0, now, |_| {
        Ok(date(crate::time::local(crate::time::now(), Tz::UTC).date()))
    })
}

/// A time argument: AE's `YYYY-MM-DD hh:mm:ss` (or a date) text, in UTC, or epoch seconds.
pub(super) fn time(ctx: &Context<'_>, i: usize) -> Result<Option<i64>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        ValueRef::Real(x) => Ok(Some(x.trunc() as i64)),
        ValueRef::Text(t) => {
            let t = String::from_utf8_lossy(t);
            match crate::time::parse(&t) {
                Some(seconds) => Ok(Some(seconds)),
                None => fail(format!("cannot read '{t}' as a time (YYYY-MM-DD hh:mm:ss)")),
            }
        }
        ValueRef::Blob(_) => fail("cannot read bytes as a time"),
    }
}

/// The time zone in the argument at `i` (`''`: UTC).
fn zone(ctx: &Context<'_>, i: usize) -> Result<Tz> {
    crate::time::zone(&text(ctx, i).unwrap_or_default())
        .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
}

/// A `Date` value: the day as text.
fn date(day: NaiveDate) -> Value {
    Value::Text(day.format("%Y-%m-%d").to_string())
}

/// A `DateTime` value: the instant as UTC text.
fn date_time(seconds: i64) -> Value {
    Value::Text(crate::time::format(seconds))
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

/// `f` of the wall-clock time of argument 0, in the zone of argument 1.
fn on_local(ctx: &Context<'_>, f: impl Fn(NaiveDateTime) -> Value) -> Result<Value> {
    let zone = zone(ctx, 1)?;
    Ok(time(ctx, 0)?.map_or(Value::Null, |t| f(crate::time::local(t, zone))))
}

/// The start of the wall-clock period of `seconds` (a day, an hour, n minutes) containing
/// argument 0, in the zone of argument 1 (ClickHouse: toStartOfDay … toStartOfMinute).
fn truncate(ctx: &Context<'_>, seconds: i64) -> Result<Value> {
    let zone = zone(ctx, 1)?;
    Ok(time(ctx, 0)?.map_or(Value::Null, |t| {
        let wall = crate::time::local(t, zone).and_utc().timestamp();
        date_time(start_in(wall.div_euclid(seconds) * seconds, zone))
    }))
}

/// The instant of the wall-clock time `wall` (seconds as if UTC) in `zone`.
fn start_in(wall: i64, zone: Tz) -> i64 {
    let naive = chrono::DateTime::from_timestamp(wall, 0)
        .unwrap_or_default()
        .naive_utc();
    crate::time::instant(naive, zone)
}

/// A calendar part.
enum Part {
    Year,
    Month,
    Day,
    /// Monday 1 … Sunday 7 (ClickHouse's toDayOfWeek, default mode; AE: "Returns 1 to indicate
    /// Monday").
    Weekday,
    Hour,
    Minute,
    Second,
}

fn part_of(t: NaiveDateTime, part: &Part) -> i64 {
    match part {
        Part::Year => i64::from(t.year()),
        Part::Month => i64::from(t.month()),
        Part::Day => i64::from(t.day()),
        Part::Weekday => i64::from(t.weekday().number_from_monday()),
        Part::Hour => i64::from(t.hour()),
        Part::Minute => i64::from(t.minute()),
        Part::Second => i64::from(t.second()),
    }
}

fn part(ctx: &Context<'_>, part: Part) -> Result<Value> {
    on_local(ctx, |t| Value::Integer(part_of(t, &part)))
}

/// `extract(unit FROM t)` (AE's string functions page: "an integer number of time units from a
/// datetime"): args (t, unit, zone).
fn extract_part(ctx: &Context<'_>) -> Result<Value> {
    let part = match text(ctx, 1).unwrap_or_default().as_str() {
        "year" => Part::Year,
        "month" => Part::Month,
        "day" => Part::Day,
        "hour" => Part::Hour,
        "minute" => Part::Minute,
        "second" => Part::Second,
        other => return fail(format!("extract: unknown unit `{other}`")),
    };
    let zone = zone(ctx, 2)?;
    Ok(time(ctx, 0)?.map_or(Value::Null, |t| {
        Value::Integer(part_of(crate::time::local(t, zone), &part))
    }))
}

/// toDateTime(x[, zone]): args (x, zone to read text in). A number is epoch seconds, so is text
/// of digits alone (AE: `toDateTime('355924804')`); other text is `YYYY-MM-DD hh:mm:ss` (or a
/// date) on the zone's clock.
fn to_date_time(ctx: &Context<'_>) -> Result<Value> {
    let seconds = match ctx.get_raw(0) {
        ValueRef::Text(t) => {
            let t = String::from_utf8_lossy(t);
            match crate::time::read_in(&t, zone(ctx, 1)?) {
                Some(seconds) => Some(seconds),
                None => return fail(format!("cannot read '{t}' as a time (YYYY-MM-DD hh:mm:ss)")),
            }
        }
        _ => time(ctx, 0)?,
    };
    Ok(seconds.map_or(Value::Null, date_time))
}

/// The number an interval's value holds (`'42'` or `42`).
fn interval_count(ctx: &Context<'_>, i: usize) -> Result<i64> {
    match integer(ctx, i)? {
        Some(n) => Ok(n),
        None => fail("an interval needs a count: INTERVAL '1' DAY"),
    }
}

/// Seconds in one of the units counted in seconds.
fn unit_seconds(unit: &str) -> Option<i64> {
    match unit {
        "second" => Some(1),
        "minute" => Some(60),
        "hour" => Some(3_600),
        _ => None,
    }
}

/// Months in one of the calendar units.
fn unit_months(unit: &str) -> Option<i64> {
    match unit {
        "month" => Some(1),
        "quarter" => Some(3),
        "year" => Some(12),
        _ => None,
    }
}

/// `t ± INTERVAL n unit`: args (t, n, unit, sign, zone). Seconds, minutes and hours are added
/// to the instant; days, weeks, months and years to the wall-clock date in the zone, a month's
/// day clamped to its last (ClickHouse: addDays, addMonths).
fn add_interval(ctx: &Context<'_>) -> Result<Value> {
    let Some(t) = time(ctx, 0)? else {
        return Ok(Value::Null);
    };
    // Saturating: minus an interval of i64::MIN units is out of range, not an overflow.
    let n = interval_count(ctx, 1)?.saturating_mul(integer(ctx, 3)?.unwrap_or(1));
    let unit = text(ctx, 2).unwrap_or_default();
    let zone = zone(ctx, 4)?;
    let wall = crate::time::local(t, zone);
    let shifted = match (unit.as_str(), unit_seconds(&unit), unit_months(&unit)) {
        (_, Some(seconds), _) => t.checked_add(n.saturating_mul(seconds)),
        ("day" | "week", _, _) => {
            let days = if unit == "week" {
                n.saturating_mul(7)
            } else {
                n
            };
            Duration::try_days(days)
                .and_then(|d| wall.checked_add_signed(d))
                .map(|w| crate::time::instant(w, zone))
        }
        (_, _, Some(months)) => {
            let months = n.saturating_mul(months);
            let magnitude = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(u32::MAX));
            if months >= 0 {
                wall.checked_add_months(magnitude)
            } else {
                wall.checked_sub_months(magnitude)
            }
            .map(|w| crate::time::instant(w, zone))
        }
        _ => None,
    };
    match shifted {
        Some(t) => Ok(date_time(t)),
        None => fail(format!("time out of range after adding {n} {unit}")),
    }
}

/// toStartOfInterval(t, INTERVAL n unit[, zone]): args (t, n, unit, zone). ClickHouse counts
/// from fixed points: years from year 0, quarters from 1900 Q1, months from 1900-01, weeks from
/// Monday 1970-01-05, days from 1970-01-01 (on the zone's calendar), hours from the day's
/// midnight, minutes and seconds from the epoch; years, quarters, months and weeks give a Date.
fn start_of_interval(ctx: &Context<'_>) -> Result<Value> {
    let Some(t) = time(ctx, 0)? else {
        return Ok(Value::Null);
    };
    let n = interval_count(ctx, 1)?;
    if n <= 0 {
        return fail("toStartOfInterval needs a positive interval");
    }
    let unit = text(ctx, 2).unwrap_or_default();
    let zone = zone(ctx, 3)?;
    let wall = crate::time::local(t, zone);
    let day = wall.date();
    let days = day.signed_duration_since(NaiveDate::default()).num_days();
    let months_since_1900 = i64::from(day.year() - 1900) * 12 + i64::from(day.month0());
    let month = |number: i64| {
        let year = i32::try_from(1900 + number.div_euclid(12)).unwrap_or(1900);
        date(first_of_month(year, number.rem_euclid(12) as u32 + 1))
    };
    // `n` units of `size`; an interval too long for the arithmetic starts at the origin.
    let step = |size: i64| n.checked_mul(size).unwrap_or(i64::MAX);
    let floor = |value: i64, size: i64| value.div_euclid(step(size)) * step(size);
    Ok(match unit.as_str() {
        "year" => {
            let year = floor(i64::from(day.year()), 1);
            date(first_of_month(i32::try_from(year).unwrap_or(0), 1))
        }
        "quarter" => month(floor(months_since_1900, 3)),
        "month" => month(floor(months_since_1900, 1)),
        "week" => {
            // 1970-01-05 was a Monday, four days after the epoch.
            let start = floor(days - 4, 7) + 4;
            date(NaiveDate::default() + Duration::try_days(start).unwrap_or_default())
        }
        "day" => date_time(start_in(floor(days, 1) * 86_400, zone)),
        "hour" => {
            let midnight = days * 86_400;
            let since = wall.and_utc().timestamp() - midnight;
            date_time(start_in(midnight + floor(since, 3_600), zone))
        }
        "minute" | "second" => date_time(floor(t, unit_seconds(&unit).unwrap_or(1))),
        other => return fail(format!("unknown interval unit `{other}`")),
    })
}

/// ClickHouse's formatDateTime(t, pattern[, zone]): args (t, pattern, zone), every replacement
/// field of its table (ClickHouse docs, date-time-functions.md, formatDateTime), `%M` the month's
/// name and `%f` six zeros (v23.4 on), `%c`, `%k` and `%l` zero-padded (the default).
fn format_date_time(ctx: &Context<'_>) -> Result<Value> {
    let Some(t) = time(ctx, 0)? else {
        return Ok(Value::Null);
    };
    let pattern = text(ctx, 1).unwrap_or_default();
    let zone = zone(ctx, 2)?;
    let at = chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&zone);
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(field) = chars.next() else {
            return fail("formatDateTime: the pattern ends with a lone %");
        };
        let spec = match field {
            'a' => "%a",
            'b' => "%b",
            'c' | 'm' => "%m",
            'C' => "%C",
            'd' => "%d",
            'D' => "%m/%d/%y",
            'e' => "%e",
            'f' => "000000",
            'F' => "%Y-%m-%d",
            'g' => "%g",
            'G' => "%G",
            'h' | 'I' | 'l' => "%I",
            'H' | 'k' => "%H",
            'i' => "%M",
            'j' => "%j",
            'M' => "%B",
            'n' => "\n",
            'p' => "%p",
            'Q' => {
                out.push_str(&(at.month0() / 3 + 1).to_string());
                continue;
            }
            'r' => "%I:%M %p",
            'R' => "%H:%M",
            's' | 'S' => "%S",
            't' => "\t",
            'T' => "%H:%M:%S",
            'u' => "%u",
            'V' => "%V",
            'w' => "%w",
            'W' => "%A",
            'y' => "%y",
            'Y' => "%Y",
            'z' => "%z",
            '%' => "%%",
            other => {
                return fail(format!(
                    "formatDateTime: %{other} is not one of ClickHouse's replacement fields"
                ))
            }
        };
        out.push_str(&at.format(spec).to_string());
    }
    Ok(Value::Text(out))
}
