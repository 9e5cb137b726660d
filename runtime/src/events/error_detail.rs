//! How an error detail (`#[tallymark(error_text)]`) becomes the point's error text and a console
//! value:
//!
//! | detail | error text (cut to the layout's limit) | console |
//! |---|---|---|
//! | absent (`None`) | `''` | left out |
//! | a string | as is | the string |
//! | an error ([`ErrorMessage`], `Box<dyn Error>`) | its message | `{}` (what JavaScript's `JSON.stringify` makes of an `Error`, so the line reads as a JavaScript worker's would) |
//! | JSON (`serde_json::Value`, numbers, booleans, [`Json`]) | its JSON text: `null`, `42`, `true`, `{"code":42}` | the JSON |
//! | a value that cannot be serialized | `[unserializable error]` | `"[unserializable]"` |

use super::detail_json;
use crate::text::{error_message, TextLimit};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;

/// The error text when a detail cannot be serialized.
pub const UNSERIALIZABLE_ERROR: &str = "[unserializable error]";
/// The console value of a detail that cannot be serialized.
pub const UNSERIALIZABLE_DETAIL: &str = "[unserializable]";

/// A value that can be an event's error detail (`#[tallymark(error_text)]`).
pub trait ErrorDetail {
    /// The point's error text cut to `limit`, or `None` when the detail is absent.
    fn error_text(&self, limit: TextLimit) -> Option<String>;
    /// The console value, or `None` to leave the key out.
    fn console_value(&self) -> Option<Value>;
}

impl ErrorDetail for str {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        Some(limit.cut(self).to_owned())
    }
    fn console_value(&self) -> Option<Value> {
        Some(Value::String(self.to_owned()))
    }
}

impl ErrorDetail for String {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        self.as_str().error_text(limit)
    }
    fn console_value(&self) -> Option<Value> {
        self.as_str().console_value()
    }
}

impl<T: ErrorDetail + ?Sized> ErrorDetail for &T {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        (**self).error_text(limit)
    }
    fn console_value(&self) -> Option<Value> {
        (**self).console_value()
    }
}

impl<T: ErrorDetail> ErrorDetail for Option<T> {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        self.as_ref().and_then(|detail| detail.error_text(limit))
    }
    fn console_value(&self) -> Option<Value> {
        self.as_ref().and_then(ErrorDetail::console_value)
    }
}

/// JSON: a string as is, anything else as its JSON text.
impl ErrorDetail for Value {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        Some(match self {
            Value::String(text) => limit.cut(text).to_owned(),
            other => limit.cut_owned(crate::json::to_js_json(other)),
        })
    }
    fn console_value(&self) -> Option<Value> {
        Some(detail_json(self))
    }
}

macro_rules! json_scalars {
    ($($ty:ty),*) => {$(
        impl ErrorDetail for $ty {
            fn error_text(&self, limit: TextLimit) -> Option<String> {
                detail_json(self).error_text(limit)
            }
            fn console_value(&self) -> Option<Value> {
                Some(detail_json(self))
            }
        }
    )*};
}
json_scalars!(bool, i32, i64, u32, u64, f64);

/// An error, recorded by its message.
#[derive(Debug, Clone)]
pub struct ErrorMessage<E>(pub E);

impl<E: Display> ErrorDetail for ErrorMessage<E> {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        Some(error_message(&self.0, limit))
    }
    fn console_value(&self) -> Option<Value> {
        Some(Value::Object(serde_json::Map::new()))
    }
}

impl ErrorDetail for Box<dyn std::error::Error> {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        Some(error_message(self, limit))
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
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        match serde_json::to_value(&self.0) {
            Ok(value) => value.error_text(limit),
            Err(_) => Some(UNSERIALIZABLE_ERROR.to_owned()),
        }
    }
    fn console_value(&self) -> Option<Value> {
        Some(detail_json(&self.0))
    }
}
