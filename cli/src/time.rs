//! Time as Analytics Engine shows it: `YYYY-MM-DD hh:mm:ss` in UTC, whole seconds; and in the
//! other time zones a query can name (`toDateTime(x, 'America/New_York')`).

use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;

/// The format AE prints `timestamp` in.
pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The last second a DateTime holds, 2106-02-07 06:28:15 UTC; the first is the epoch's. AE's
/// `timestamp` is a ClickHouse DateTime, whose range is "[1970-01-01 00:00:00, 2106-02-07
/// 06:28:15]" (ClickHouse docs, "Date and time data types").
pub const DATE_TIME_MAX: i64 = u32::MAX as i64;

/// Whether a DateTime holds `seconds` since the Unix epoch.
pub fn is_date_time(seconds: i64) -> bool {
    (0..=DATE_TIME_MAX).contains(&seconds)
}

/// `seconds` since the Unix epoch as AE prints it; the epoch itself when out of range.
pub fn format(seconds: i64) -> String {
    use chrono::{Datelike as _, Timelike as _};
    let time = DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default();
    let year = time.year();
    if !(0..=9999).contains(&year) {
        return time.format(FORMAT).to_string();
    }
    // Digit by digit: ingest formats one timestamp a point, and strftime's parsing of FORMAT
    // each time was a twentieth of its time.
    let mut out = String::with_capacity(19);
    let mut push = |value: u32, digits: u32, separator: Option<char>| {
        for d in (0..digits).rev() {
            out.push(char::from(b'0' + ((value / 10u32.pow(d)) % 10) as u8));
        }
        if let Some(c) = separator {
            out.push(c);
        }
    };
    push(year.unsigned_abs(), 4, Some('-'));
    push(time.month(), 2, Some('-'));
    push(time.day(), 2, Some(' '));
    push(time.hour(), 2, Some(':'));
    push(time.minute(), 2, Some(':'));
    push(time.second(), 2, None);
    out
}

/// Reads a time as AE prints it (`2024-01-02 03:04:05`), or a date alone (`2024-01-02`,
/// midnight), into seconds since the Unix epoch.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, FORMAT)
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|t| t.and_utc().timestamp())
}

/// Reads an RFC 3339 time (`2024-01-02T03:04:05.678Z`) into whole seconds since the epoch
/// (fractions dropped, as AE stores whole seconds).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp())
}

/// The time zone named `name` (IANA's names, as AE's `SHOW TIMEZONES` lists them); `''`, `UTC` or
/// `Etc/UTC` is UTC.
pub fn zone(name: &str) -> Result<Tz, String> {
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    name.parse::<Tz>()
        .map_err(|_| format!("unknown time zone '{name}' (SHOW TIMEZONES lists them)"))
}

/// Every time zone's name, sorted (what `SHOW TIMEZONES` lists).
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    names
}

/// The wall-clock time in `zone` at `seconds` since the epoch.
pub fn local(seconds: i64, zone: Tz) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .naive_local()
}

/// The instant a wall-clock time in `zone` names: the earlier one when clocks go back, and the
/// time as if in the zone's previous offset when it falls in a gap as clocks go forward.
pub fn instant(local: NaiveDateTime, zone: Tz) -> i64 {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp(),
        chrono::LocalResult::None => {
            let offset = local
                .checked_sub_signed(chrono::Duration::hours(3))
                .and_then(|before| zone.from_local_datetime(&before).earliest())
                .map_or(0, |t| t.naive_local().and_utc().timestamp() - t.timestamp());
            local.and_utc().timestamp() - offset
        }
    }
}

/// Reads a time as AE prints it, or a date (midnight), as a wall-clock time in `zone`.
pub fn parse_in(text: &str, zone: Tz) -> Option<i64> {
    let seconds = parse(text)?;
    Some(instant(
        DateTime::<Utc>::from_timestamp(seconds, 0)?.naive_utc(),
        zone,
    ))
}

/// Reads text as toDateTime does: digits alone are seconds since the epoch (AE:
/// `toDateTime('355924804')`), other text a time or a date as [`parse_in`] reads it.
pub fn read_in(text: &str, zone: Tz) -> Option<i64> {
    let digits = text.trim();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        parse_in(digits, zone)
    }
}

/// `seconds` as AE prints a `DateTime` of `zone`: the wall-clock time there.
pub fn format_in(seconds: i64, zone: Tz) -> String {
    if zone == Tz::UTC {
        return format(seconds);
    }
    format(local(seconds, zone).and_utc().timestamp())
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_reads_back_aes_form() {
        assert_eq!(format(0), "1970-01-01 00:00:00");
        assert_eq!(format(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(format(-1), "1969-12-31 23:59:59");
        assert_eq!(format(253_402_300_799), "9999-12-31 23:59:59");
        assert_eq!(format(253_402_300_800), "+10000-01-01 00:00:00");
        assert_eq!(format(-62_167_219_201), "-0001-12-31 23:59:59");
        assert_eq!(format(i64::MAX), "1970-01-01 00:00:00");
        assert_eq!(parse("2023-11-14 22:13:20"), Some(1_700_000_000));
        assert_eq!(parse("2023-11-14"), Some(1_699_920_000));
        assert_eq!(parse("yesterday"), None);
        assert_eq!(
            parse_rfc3339("2023-11-14T23:13:20.9+01:00"),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn wall_clock_times_in_a_zone() {
        let new_york = zone("America/New_York").unwrap();
        assert_eq!(zone("").unwrap(), Tz::UTC);
        assert_eq!(
            zone("Mars/Olympus").unwrap_err(),
            "unknown time zone 'Mars/Olympus' (SHOW TIMEZONES lists them)"
        );
        // 2022-12-01 16:17:00 in New York (EST, UTC-5) is 21:17:00 UTC.
        let t = parse_in("2022-12-01 16:17:00", new_york).unwrap();
        assert_eq!(format(t), "2022-12-01 21:17:00");
        assert_eq!(format_in(t, new_york), "2022-12-01 16:17:00");
        // Clocks went forward at 02:00 on 2024-03-10: 02:30 does not exist, read in EST (07:30
        // UTC); they went back at 02:00 on 2024-11-03: 01:30 is read as the first one (EDT).
        assert_eq!(
            format(parse_in("2024-03-10 02:30:00", new_york).unwrap()),
            "2024-03-10 07:30:00"
        );
        assert_eq!(
            format(parse_in("2024-11-03 01:30:00", new_york).unwrap()),
            "2024-11-03 05:30:00"
        );
        assert!(zone_names().contains(&"Etc/UTC") && zone_names().contains(&"Asia/Kolkata"));
    }
}
