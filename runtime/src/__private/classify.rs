//! Classifying an instrumented function's return value, decided at compile time by the value's
//! type (specialisation by auto-deref), so type aliases such as `worker::Result<Response>` work:
//!
//! | return type | error text |
//! |---|---|
//! | `Result<T: HttpStatus, E: Display>` | `Err(e)`: e's message cut to the layout's limit; `Ok(r)` with status >= 400: `HTTP <status>` |
//! | `Result<T, E: Display>` | `Err(e)`: e's message cut to the layout's limit |
//! | `Result<T: HttpStatus, E: Debug>` | `Err(e)`: e's `Debug` text cut to the layout's limit; `Ok(r)` as above |
//! | `Result<T, E: Debug>` | `Err(e)`: e's `Debug` text cut to the layout's limit |
//! | `Result<T: HttpStatus, E>` | `Err(_)`: `error`; `Ok(r)` as above |
//! | `Result<T, E>` | `Err(_)`: `error` |
//! | `T: HttpStatus` | status >= 400: `HTTP <status>` |
//! | anything else | never an error |
//!
//! So every `Err` is an error, whether or not its type has `Display`, and a response's status
//! counts whatever the error type.
//!
//! Expanded code calls `Classify::new(&value).error_text::<L>()`, `L` the call's layout. Each row
//! is an inherent `error_text` of its own wrapper, and each wrapper dereferences to the next
//! row's. Method lookup takes the first wrapper, in the table's order, whose `error_text` the
//! value's type meets the bounds of. Inherent methods need no trait in scope, so the user's crate
//! resolves one call without weighing a trait per row. Each method reads the value through the
//! wrappers' fields, not `Deref`, which is there for the lookup alone; and reads the limit from
//! `L`'s schema itself, so the user's crate evaluates nothing of the schema at each build.

use crate::http::{result_error, status_error, HttpStatus};
use crate::layout::Layout;
use crate::text::{error_debug, error_message};
use std::fmt::{Debug, Display};
use std::ops::Deref;

/// The value being classified, as a `Result` of a response (the table's first row).
pub struct Classify<'r, R>(AnyResult<'r, R>);

/// The value as any `Result` whose error can be displayed.
pub struct AnyResult<'r, R>(DebugStatusResult<'r, R>);

/// The value as a `Result` of a response whose error can only be debug-printed.
pub struct DebugStatusResult<'r, R>(DebugResult<'r, R>);

/// The value as a `Result` whose error can only be debug-printed.
pub struct DebugResult<'r, R>(OpaqueStatusResult<'r, R>);

/// The value as a `Result` of a response whose error cannot be printed at all.
pub struct OpaqueStatusResult<'r, R>(OpaqueResult<'r, R>);

/// The value as a `Result` whose error cannot be printed at all.
pub struct OpaqueResult<'r, R>(Status<'r, R>);

/// The value as a bare response.
pub struct Status<'r, R>(Anything<'r, R>);

/// The value as anything else: never an error (the last row).
pub struct Anything<'r, R>(&'r R);

impl<'r, R> Classify<'r, R> {
    /// Wraps `value` for classification.
    pub fn new(value: &'r R) -> Self {
        Classify(AnyResult(DebugStatusResult(DebugResult(
            OpaqueStatusResult(OpaqueResult(Status(Anything(value)))),
        ))))
    }
}

impl<T: HttpStatus, E: Display> Classify<'_, Result<T, E>> {
    /// `Err(e)`: e's message; `Ok(r)` with status >= 400: `HTTP <status>`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        result_error(self.value(), L::SCHEMA.error_text())
    }
}

impl<T, E: Display> AnyResult<'_, Result<T, E>> {
    /// `Err(e)`: e's message.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        classified(
            self.value(),
            |e| error_message(e, L::SCHEMA.error_text()),
            |_| None,
        )
    }
}

impl<T: HttpStatus, E: Debug> DebugStatusResult<'_, Result<T, E>> {
    /// `Err(e)`: e's `Debug` text; `Ok(r)` with status >= 400: `HTTP <status>`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        classified(
            self.value(),
            |e| error_debug(e, L::SCHEMA.error_text()),
            response_error,
        )
    }
}

impl<T, E: Debug> DebugResult<'_, Result<T, E>> {
    /// `Err(e)`: e's `Debug` text.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        classified(
            self.value(),
            |e| error_debug(e, L::SCHEMA.error_text()),
            |_| None,
        )
    }
}

impl<T: HttpStatus, E> OpaqueStatusResult<'_, Result<T, E>> {
    /// `Err(_)`: `error`; `Ok(r)` with status >= 400: `HTTP <status>`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        classified(self.value(), |_| OPAQUE.to_owned(), response_error)
    }
}

impl<T, E> OpaqueResult<'_, Result<T, E>> {
    /// `Err(_)`: `error`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        classified(self.value(), |_| OPAQUE.to_owned(), |_| None)
    }
}

impl<T: HttpStatus> Status<'_, T> {
    /// Status >= 400: `HTTP <status>`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        response_error(self.value())
    }
}

impl<T> Anything<'_, T> {
    /// Always `None`.
    pub fn error_text<L: Layout>(&self) -> Option<String> {
        None
    }
}

/// The error text of an error that cannot be printed: what `error_if` writes too.
const OPAQUE: &str = "error";

/// `result`'s error text: `describe(e)` for `Err(e)`, `ok(r)` for `Ok(r)`.
fn classified<T, E>(
    result: &Result<T, E>,
    describe: impl FnOnce(&E) -> String,
    ok: impl FnOnce(&T) -> Option<String>,
) -> Option<String> {
    match result {
        Ok(value) => ok(value),
        Err(error) => Some(describe(error)),
    }
}

/// `HTTP <status>` for a response with status >= 400.
fn response_error<T: HttpStatus>(response: &T) -> Option<String> {
    status_error(response.http_status())
}

/// For each row: the value it reads, through the rows' fields, and `Deref` to the next row, which
/// is there for method lookup alone.
macro_rules! rows {
    ($($row:ident => $next:ident, $($field:tt).+;)+) => {$(
        impl<'r, R> $row<'r, R> {
            fn value(&self) -> &'r R {
                self.$($field).+
            }
        }

        impl<'r, R> Deref for $row<'r, R> {
            type Target = $next<'r, R>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
    )+};
}

rows! {
    Classify => AnyResult, 0.0.0.0.0.0.0.0;
    AnyResult => DebugStatusResult, 0.0.0.0.0.0.0;
    DebugStatusResult => DebugResult, 0.0.0.0.0.0;
    DebugResult => OpaqueStatusResult, 0.0.0.0.0;
    OpaqueStatusResult => OpaqueResult, 0.0.0.0;
    OpaqueResult => Status, 0.0.0;
    Status => Anything, 0.0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_layout::Probe;

    /// A response of the given status.
    struct Code(u16);

    impl HttpStatus for Code {
        fn http_status(&self) -> u16 {
            self.0
        }
    }

    /// An error with `Debug` alone.
    #[derive(Debug)]
    enum DebugOnly {
        NotFound,
    }

    /// An error with neither `Display` nor `Debug`.
    struct Opaque;

    fn text(error: &str) -> Option<String> {
        Some(error.to_owned())
    }

    #[test]
    fn each_type_takes_the_first_row_whose_bounds_it_meets() {
        // A `Result` of a response.
        assert_eq!(
            Classify::new(&Ok::<_, &str>(Code(503))).error_text::<Probe>(),
            text("HTTP 503")
        );
        assert_eq!(
            Classify::new(&Ok::<_, &str>(Code(200))).error_text::<Probe>(),
            None
        );
        assert_eq!(
            Classify::new(&Err::<Code, _>("down")).error_text::<Probe>(),
            text("down")
        );
        // Any other `Result` whose error can be displayed.
        assert_eq!(
            Classify::new(&Ok::<u8, &str>(1)).error_text::<Probe>(),
            None
        );
        assert_eq!(
            Classify::new(&Err::<u8, _>("bad")).error_text::<Probe>(),
            text("bad")
        );
        // A bare response, also behind a reference.
        assert_eq!(
            Classify::new(&Code(404)).error_text::<Probe>(),
            text("HTTP 404")
        );
        assert_eq!(
            Classify::new(&&Code(500)).error_text::<Probe>(),
            text("HTTP 500")
        );
        assert_eq!(Classify::new(&Code(302)).error_text::<Probe>(), None);
        // A `Result` whose error has only `Debug`: its `Debug` text; neither: `error`.
        assert_eq!(
            Classify::new(&Err::<u8, _>(DebugOnly::NotFound)).error_text::<Probe>(),
            text("NotFound")
        );
        assert_eq!(
            Classify::new(&Ok::<u8, DebugOnly>(1)).error_text::<Probe>(),
            None
        );
        assert_eq!(
            Classify::new(&Err::<Code, _>(Opaque)).error_text::<Probe>(),
            text("error")
        );
        // A response's status counts whatever the error type.
        assert_eq!(
            Classify::new(&Ok::<_, DebugOnly>(Code(500))).error_text::<Probe>(),
            text("HTTP 500")
        );
        assert_eq!(
            Classify::new(&Ok::<_, Opaque>(Code(404))).error_text::<Probe>(),
            text("HTTP 404")
        );
        assert_eq!(
            Classify::new(&Err::<Code, _>(DebugOnly::NotFound)).error_text::<Probe>(),
            text("NotFound")
        );
        assert_eq!(
            Classify::new(&Ok::<_, Opaque>(Code(200))).error_text::<Probe>(),
            None
        );
        assert_eq!(
            Classify::new(&Err::<u8, _>(Opaque)).error_text::<Probe>(),
            text("error")
        );
        assert_eq!(
            Classify::new(&Ok::<u8, Opaque>(1)).error_text::<Probe>(),
            None
        );
        // Anything else.
        assert_eq!(Classify::new(&7_u32).error_text::<Probe>(), None);
        assert_eq!(Classify::new(&()).error_text::<Probe>(), None);
    }

    #[test]
    fn an_error_message_is_cut_to_the_limit() {
        let long = "x".repeat(300);
        let cut = Classify::new(&Err::<u8, _>(long.as_str())).error_text::<Probe>();
        assert_eq!(cut.map(|text| text.chars().count()), Some(200));
        let debug = Classify::new(&Err::<u8, _>([0_u8; 100])).error_text::<Probe>();
        assert_eq!(debug.map(|text| text.chars().count()), Some(200));
    }
}
