//! HTTP facts an instrumented handler's result carries: its status.

/// A response that has an HTTP status. Implemented for `worker::Response` and
/// `http::Response<B>`; implement it for your own response type to have `#[instrumented]` record
/// `HTTP <status>` for statuses of 400 and above.
pub trait HttpStatus {
    /// The status code.
    fn http_status(&self) -> u16;
}

impl HttpStatus for worker::Response {
    fn http_status(&self) -> u16 {
        self.status_code()
    }
}

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

/// The error text of a status, as the reference records it: `HTTP <status>` from 400 up.
pub fn status_error(status: u16) -> Option<String> {
    (status >= 400).then(|| format!("HTTP {status}"))
}

/// The error text of a handler's result: `HTTP <status>` for a response of 400 or more, the
/// error's message (cut to 200 characters) for an `Err`.
pub fn result_error<T: HttpStatus, E: std::fmt::Display>(result: &Result<T, E>) -> Option<String> {
    match result {
        Ok(response) => status_error(response.http_status()),
        Err(error) => Some(crate::call::error_message(error)),
    }
}

pub use tallymark_names::{http_event_name, split_route};
