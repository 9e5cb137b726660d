//! Time as Analytics Engine shows it: `YYYY-MM-DD hh:mm:ss` in UTC, whole seconds.

use chrono::{DateTime, NaiveDateTime, Utc};

/// The format AE prints `timestamp` in.
pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

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
}
