//! How an error detail becomes the point's error text and a console value, by the reference's
//! rules (`kiloclaw-telemetry.md`, section 5):
//!
//! | detail | error text (cut to 200 characters) | console |
//! |---|---|---|
//! | absent (`None`) | `''` | left out |
//! | a string | as is | the string |
//! | an error ([`ErrorMessage`], `Box<dyn Error>`) | its message | `{}` (what `JSON.stringify` makes of an `Error`) |
//! | JSON (`serde_json::Value`, numbers, booleans, [`Json`]) | its JSON text: `null`, `42`, `true`, `{"code":42}` | the JSON |
//! | a value that cannot be serialized | `[unserializable error]` | `"[unserializable]"` (the reference would throw; tallymark writes the line) |

use crate::call::{error_message, MAX_ERROR_CHARS};
use crate::limits::truncate_chars;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;

/// The error text when a detail cannot be serialized.
pub const UNSERIALIZABLE_ERROR: &str = "[unserializable error]";
/// The console value of a detail that cannot be serialized.
pub const UNSERIALIZABLE_DETAIL: &str = "[unserializable]";

/// A value that can be an event's error detail (`#[error_text]`).
pub trait ErrorDetail {
    /// The point's error text, or `None` when the detail is absent.
    fn error_text(&self) -> Option<String>;
    /// The console value, or `None` to leave the key out.
    fn console_value(&self) -> Option<Value>;
}

fn cut(text: &str) -> String {
    truncate_chars(text, MAX_ERROR_CHARS).to_owned()
}

impl ErrorDetail for str {
    fn error_text(&self) -> Option<String> {
        Some(cut(self))
    }
    fn console_value(&self) -> Option<Value> {
        Some(Value::String(self.to_owned()))
    }
}

impl ErrorDetail for String {
    fn error_text(&self) -> Option<String> {
        self.as_str().error_text()
    }
    fn console_value(&self) -> Option<Value> {
        self.as_str().console_value()
    }
}

impl<T: ErrorDetail + ?Sized> ErrorDetail for &T {
    fn error_text(&self) -> Option<String> {
        (**self).error_text()
    }
    fn console_value(&self) -> Option<Value> {
        (**self).console_value()
    }
}

impl<T: ErrorDetail> ErrorDetail for Option<T> {
    fn error_text(&self) -> Option<String> {
        self.as_ref().and_then(ErrorDetail::error_text)
    }
    fn console_value(&self) -> Option<Value> {
        self.as_ref().and_then(ErrorDetail::console_value)
    }
}

/// JSON: a string as is, anything else as its JSON text.
impl ErrorDetail for Value {
    fn error_text(&self) -> Option<String> {
        Some(match self {
            Value::String(text) => cut(text),
            other => cut(&detail_json(other).to_string()),
        })
    }
    fn console_value(&self) -> Option<Value> {
        Some(detail_json(self))
    }
}

macro_rules! json_scalars {
    ($($ty:ty),*) => {$(
        impl ErrorDetail for $ty {
            fn error_text(&self) -> Option<String> {
                detail_json(self).error_text()
            }
            fn console_value(&self) -> Option<Value> {
                Some(detail_json(self))
            }
        }
    )*};
}
json_scalars!(bool, i32, i64, u32, u64, f64);

/// An error, recorded by its message (as the reference does with `err.message`).
#[derive(Debug, Clone)]
pub struct ErrorMessage<E>(pub E);

impl<E: Display> ErrorDetail for ErrorMessage<E> {
    fn error_text(&self) -> Option<String> {
        Some(error_message(&self.0))
    }
    fn console_value(&self) -> Option<Value> {
        Some(Value::Object(serde_json::Map::new()))
    }
}

impl ErrorDetail for Box<dyn std::error::Error> {
    fn error_text(&self) -> Option<String> {
        Some(error_message(self))
    }
    fn console_value(&self) -> Option<Value> {
        Some(Value::Object(serde_json::Map::new()))
    }
}

/// Any serializable value, recorded as its JSON text; `[unserializable error]` when it cannot be
/// serialized.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: Serialize> ErrorDetail for Json<T> {
    fn error_text(&self) -> Option<String> {
        match serde_json::to_value(&self.0) {
            Ok(value) => value.error_text(),
            Err(_) => Some(UNSERIALIZABLE_ERROR.to_owned()),
        }
    }
    fn console_value(&self) -> Option<Value> {
        Some(detail_json(&self.0))
    }
}

/// A detail's console value: its JSON, or `"[unserializable]"`. Non-finite numbers become `null`,
/// as in `JSON.stringify`.
pub fn detail_json<T: Serialize + ?Sized>(value: &T) -> Value {
    match serde_json::to_value(value) {
        Ok(mut value) => {
            crate::json::to_js_numbers(&mut value);
            value
        }
        Err(_) => Value::String(UNSERIALIZABLE_DETAIL.to_owned()),
    }
}
