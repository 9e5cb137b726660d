//! HTTP facts an instrumented handler's result carries: its status.

use crate::text::{error_message, TextLimit};

/// A response that has an HTTP status. Implemented for `worker::Response` (feature `worker`) and
/// `http::Response<B>` (feature `http`); implement it for your own response type to have
/// `#[instrumented]` record `HTTP <status>` for statuses of 400 and above.
pub trait HttpStatus {
    /// The status code.
    fn http_status(&self) -> u16;
}

#[cfg(feature = "worker")]
impl HttpStatus for worker::Response {
    fn http_status(&self) -> u16 {
        self.status_code()
    }
}

#[cfg(feature = "http")]
impl<B> HttpStatus for http::Response<B> {
    fn http_status(&self) -> u16 {
        self.status().as_u16()
    }
}

impl<T: HttpStatus + ?Sized> HttpStatus for &T {
    fn http_status(&self) -> u16 {
        (**self).http_status()
    }
}

/// The error text of a status: `HTTP <status>` from 400 up.
pub(crate) fn status_error(status: u16) -> Option<String> {
    (status >= 400).then(|| format!("HTTP {status}"))
}

/// The error text of a handler's result: `HTTP <status>` for a response of 400 or more, the
/// error's message cut to `limit` for an `Err`.
pub(crate) fn result_error<T: HttpStatus, E: std::fmt::Display>(
    result: &Result<T, E>,
    limit: TextLimit,
) -> Option<String> {
    match result {
        Ok(response) => status_error(response.http_status()),
        Err(error) => Some(error_message(error, limit)),
    }
}
