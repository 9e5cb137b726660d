//! JSON numbers as JavaScript writes them (`JSON.stringify`), so that console lines of a Rust
//! worker read the same as those of a JavaScript one.

use serde_json::Value;

/// Largest integer a double holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A number as `JSON.stringify` writes it: integral values without a fraction (`9`, not `9.0`),
/// non-finite values as `null`.
pub fn js_number(value: f64) -> Value {
    if !value.is_finite() {
        Value::Null
    } else if value.fract() == 0.0 && value.abs() <= MAX_SAFE_INTEGER {
        // Exact: the value is an integer of at most 53 bits. `-0` is written `0`, as in JavaScript.
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// Rewrites every number in `value` as [`js_number`] would write it.
#[cfg(feature = "events")]
pub fn to_js_numbers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
                *value = js_number(float);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_js_numbers),
        Value::Object(map) => map.values_mut().for_each(to_js_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        let cases = [
            (9.0, "9"),
            (1_800_000_000_000.0, "1800000000000"),
            (84.25, "84.25"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ];
        for (value, text) in cases {
            assert_eq!(js_number(value).to_string(), text, "{value}");
        }
    }

    #[test]
    #[cfg(feature = "events")]
    fn nested_numbers_are_rewritten() {
        let mut value = serde_json::json!({"a": [1.0, 2.5, {"b": 3.0}], "c": 4});
        to_js_numbers(&mut value);
        assert_eq!(value.to_string(), r#"{"a":[1,2.5,{"b":3}],"c":4}"#);
    }
}
