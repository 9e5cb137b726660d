//! JSON text as JavaScript writes it (`JSON.stringify`), so that console lines of a Rust worker
//! read the same as those of a JavaScript one: every number is written by JavaScript's rule,
//! whatever Rust type it came from.

use serde::Serialize;
use serde_json::ser::Formatter as _;
use std::io;

/// `value` as JSON text, its numbers written as `JSON.stringify` writes them ([`js_number`]);
/// `""` when `value` cannot be serialized (a map with keys that are not strings).
pub fn to_js_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, JsNumbers);
    if value.serialize(&mut serializer).is_err() {
        return String::new();
    }
    // serde_json writes UTF-8 only.
    String::from_utf8(text).unwrap_or_default()
}

/// serde_json's compact formatter with JavaScript's numbers. serde_json writes a non-finite
/// double as `null` before it reaches the formatter, as `JSON.stringify` does.
struct JsNumbers;

impl serde_json::ser::Formatter for JsNumbers {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(js_number(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // JavaScript has doubles only: a single is written as the double it widens to.
        self.write_f64(writer, f64::from(value))
    }
}

/// A finite number as JavaScript writes it (ECMA-262, `Number::toString`): the shortest digits
/// that read back as `value` (the closest of them, the even one on a tie), in plain notation
/// from `1e-6` up to (not including) `1e21` and in exponent notation with a sign outside
/// (`1e+21`, `1.5e-7`); `-0` as `0`.
pub fn js_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let (digits, point) = shortest_digits(value.abs());
    let count = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let zeros = |n: i32| "0".repeat(usize::try_from(n).unwrap_or(0));
    let written = if count <= point && point <= 21 {
        format!("{digits}{}", zeros(point - count))
    } else if 0 < point && point <= 21 {
        let (whole, fraction) = digits.split_at(usize::try_from(point).unwrap_or(0));
        format!("{whole}.{fraction}")
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", zeros(-point))
    } else {
        let exponent = point - 1;
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!(
            "{first}{fraction}e{exponent_sign}{}",
            exponent.unsigned_abs()
        )
    };
    format!("{sign}{written}")
}

/// The shortest digits that read back as `value` (finite, positive), closest to it and even on a
/// tie (what JavaScript picks), without leading or trailing zeros, and where the decimal point
/// falls: `value` is `0.<digits>` × 10^`point`. They are read off serde_json's own writing of
/// the number (shortest, closest, even on a tie), whatever notation that uses, so that a Worker
/// links one float formatter, not two.
fn shortest_digits(value: f64) -> (String, i32) {
    let mut text = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::ser::CompactFormatter.write_f64(&mut text, value);
    let text = String::from_utf8_lossy(&text);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text.as_ref(), 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    let before_point =
        i32::try_from(whole.len()).unwrap_or(0) - i32::try_from(leading).unwrap_or(0);
    (digits.to_owned(), before_point + exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value beside what `String(value)` gives in JavaScript (Node 20).
    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        let cases = [
            (9.0, "9"),
            (1_800_000_000_000.0, "1800000000000"),
            (84.25, "84.25"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (123_456.789, "123456.789"),
            (1e17, "100000000000000000"),
            (1_152_921_504_606_846_976.0, "1152921504606847000"), // 2^60
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.000_001, "0.000001"),
            (0.000_001_5, "0.0000015"),
            (1e-7, "1e-7"),
            (-1.5e-7, "-1.5e-7"),
            (5e-324, "5e-324"),
            // A tie between two shortest forms, ...437.2 and ...437.3: JavaScript writes the even.
            (-1_958_182_951_947_437.2, "-1958182951947437.2"),
            // A power of two, whose closest form of that length does not read back.
            (1.0 / 16_777_216.0, "5.960464477539063e-8"), // 2^-24
        ];
        for (value, text) in cases {
            assert_eq!(js_number(value), text, "{value:e}");
        }
    }

    #[test]
    fn json_text_writes_every_number_as_javascript_does() {
        let value = serde_json::json!({"a": [1.0, 2.5, {"b": 3.0}], "c": 4, "d": 1e21, "e": -0.0});
        assert_eq!(
            to_js_json(&value),
            r#"{"a":[1,2.5,{"b":3}],"c":4,"d":1e+21,"e":0}"#
        );
        assert_eq!(to_js_json(&[f64::NAN, f64::INFINITY]), "[null,null]");
        assert_eq!(to_js_json(&0.1_f32), "0.10000000149011612");
    }
}

/// Checked against JavaScript itself, in the wasm tests (Node).
#[cfg(all(test, target_arch = "wasm32"))]
mod in_javascript {
    use super::js_number;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// What JavaScript's `String(value)` gives.
    fn javascript(value: f64) -> String {
        String::from(
            js_sys::Number::from(value)
                .to_string_with_radix(10)
                .unwrap_or_default(),
        )
    }

    #[wasm_bindgen_test]
    fn every_number_is_written_as_javascript_writes_it() {
        // Any bit pattern (xorshift), then the same bits as a magnitude near 1e-7..1e21's
        // boundaries and as an integer: the ranges where the notation changes.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..50_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let any = f64::from_bits(state);
            let scale = 10f64.powi(i32::try_from(state % 32).unwrap_or(0) - 9);
            #[allow(clippy::cast_precision_loss)]
            let near = (state >> 11) as f64 / (1u64 << 53) as f64 * scale;
            #[allow(clippy::cast_precision_loss)]
            let integer = (state >> (state % 40)) as f64;
            for value in [any, near, -near, integer] {
                if value.is_finite() {
                    assert_eq!(js_number(value), javascript(value), "{value:e}");
                }
            }
        }
        // Every power of two, and its neighbours: where the doubles' spacing changes.
        for exponent in -1074_i32..=1023 {
            // Built from its bits: `powi` underflows to 0 below 2^-1022.
            let bits = match u32::try_from(exponent + 1023) {
                Ok(biased) if biased > 0 => u64::from(biased) << 52,
                _ => 1 << (exponent + 1074),
            };
            let power = f64::from_bits(bits);
            for value in [power, power.next_up(), power.next_down()] {
                if value.is_finite() && value > 0.0 {
                    assert_eq!(js_number(value), javascript(value), "{value:e}");
                }
            }
        }
    }
}
