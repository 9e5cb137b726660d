//! Classifying an instrumented function's return value, decided at compile time by the value's
//! type (autoref specialisation), so type aliases such as `worker::Result<Response>` work:
//!
//! | return type | error text |
//! |---|---|
//! | `Result<T: HttpStatus, E: Display>` | `Err(e)`: e's message cut to the layout's limit; `Ok(r)` with status >= 400: `HTTP <status>` |
//! | `Result<T, E: Display>` | `Err(e)`: e's message cut to the layout's limit |
//! | `T: HttpStatus` | status >= 400: `HTTP <status>` |
//! | anything else | never an error |
//!
//! Expanded code calls `(&&&&Classify(&value)).error_text(limit)` with all four traits in scope.

use crate::http::{result_error, status_error, HttpStatus};
use crate::text::{error_message, TextLimit};
use std::fmt::Display;

/// Wraps the value being classified.
pub struct Classify<'r, R>(pub &'r R);

/// `Result` of a response.
pub trait ViaResultOfStatus {
    /// The error text, if the value is an error.
    fn error_text(&self, limit: TextLimit) -> Option<String>;
}

impl<T: HttpStatus, E: Display> ViaResultOfStatus for &&&Classify<'_, Result<T, E>> {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        result_error(self.0, limit)
    }
}

/// Any other `Result` whose error can be displayed.
pub trait ViaResult {
    /// The error text, if the value is an error.
    fn error_text(&self, limit: TextLimit) -> Option<String>;
}

impl<T, E: Display> ViaResult for &&Classify<'_, Result<T, E>> {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        self.0
            .as_ref()
            .err()
            .map(|error| error_message(error, limit))
    }
}

/// A bare response.
pub trait ViaStatus {
    /// The error text, if the value is an error.
    fn error_text(&self, limit: TextLimit) -> Option<String>;
}

impl<T: HttpStatus> ViaStatus for &Classify<'_, T> {
    fn error_text(&self, _: TextLimit) -> Option<String> {
        status_error(self.0.http_status())
    }
}

/// Everything else: never an error.
pub trait ViaAnything {
    /// Always `None`.
    fn error_text(&self, limit: TextLimit) -> Option<String>;
}

impl<T> ViaAnything for Classify<'_, T> {
    fn error_text(&self, _: TextLimit) -> Option<String> {
        None
    }
}
