//! One instrumented call: when it started, the point it fills, and the guarantee that the point is
//! written exactly once, on return, on cancellation or (natively) on panic.

use crate::clock::{self, Instant};
use crate::layout::{Layout, PointBuilder};
use crate::limits::truncate_chars;
use crate::scope::Scope;
use crate::value::Blob;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt::Display;

/// Most characters of an error message recorded (the reference's `.slice(0, 200)`).
pub const MAX_ERROR_CHARS: usize = 200;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Returned, and not classified as an error.
    Ok,
    /// Returned an error (an `Err`, a status of 400 or more, or what `error_if` says).
    Error,
    /// Its future was dropped before it completed.
    Cancelled,
    /// It panicked (native targets only: on wasm a panic aborts the instance).
    Panicked,
}

impl Outcome {
    /// `ok`, `error`, `cancelled` or `panicked`: what a layout's `outcome` field receives.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Cancelled => "cancelled",
            Outcome::Panicked => "panicked",
        }
    }
}

/// Decides whether a finished call's point is written (e.g. the reference's platform rule: only
/// when there is a user or an error).
pub type EmitRule<P> = fn(&P) -> bool;

/// Fills fields derived from others just before the point is written (e.g. a sandbox id computed
/// from the user id).
pub type Enrich<P> = fn(&mut P);

/// An instrumented call in progress. Created by `#[instrumented]` (or by hand, for middleware);
/// writes its point once: at [`Call::finish`], or when dropped unfinished.
pub struct Call<'a, L: Layout> {
    point: RefCell<L::Point<'a>>,
    started: Instant,
    scope: Option<Scope>,
    emit_rule: Option<EmitRule<L::Point<'a>>>,
    enrich: Option<Enrich<L::Point<'a>>>,
    finished: Cell<bool>,
}

impl<'a, L: Layout> Call<'a, L> {
    /// Starts a call named `event`, for the HTTP route `route` if it has one. Its duration is
    /// measured from the invocation's start when a [`Scope`] is current (the reference's timing
    /// middleware), else from now.
    #[inline]
    pub fn start(event: Blob<'a>, route: Option<Blob<'a>>) -> Self {
        Call::configured(event, route, None, None)
    }

    /// [`Call::start`] with its emit rule and enricher, built in one go: a call holds a whole data
    /// point, so `#[instrumented]` avoids moving it through builder methods.
    #[inline]
    pub fn configured(
        event: Blob<'a>,
        route: Option<Blob<'a>>,
        emit_rule: Option<EmitRule<L::Point<'a>>>,
        enrich: Option<Enrich<L::Point<'a>>>,
    ) -> Self {
        let scope = Scope::current();
        let started = scope.as_ref().map_or_else(clock::now, Scope::started);
        let call: Call<'a, L> = Call {
            point: RefCell::new(L::point()),
            started,
            scope,
            emit_rule,
            enrich,
            finished: Cell::new(false),
        };
        {
            let mut point = call.point.borrow_mut();
            point.fill_event(event);
            if let Some(route) = route {
                point.fill_route(route);
            }
        }
        call
    }

    /// Starts a call for a concrete HTTP request (middleware style): the event name is derived
    /// from `method` and `path` by [`crate::http::http_event_name`], the route is
    /// `"<method> <path>"`.
    pub fn http(method: &str, path: &str) -> Self {
        let event = crate::http::http_event_name(method, path);
        let route = format!("{method} {path}");
        Call::start(
            Blob::Text(Cow::Owned(event)),
            Some(Blob::Text(Cow::Owned(route))),
        )
    }

    /// Only write the point if `rule` holds for it when the call ends.
    #[must_use]
    pub fn emit_if(mut self, rule: EmitRule<L::Point<'a>>) -> Self {
        self.emit_rule = Some(rule);
        self
    }

    /// Run `enrich` on the point just before it is written.
    #[must_use]
    pub fn enrich(mut self, enrich: Enrich<L::Point<'a>>) -> Self {
        self.enrich = Some(enrich);
        self
    }

    /// Sets fields on the point being filled (what `tallymark::record!` expands to). Does nothing
    /// once the call has finished.
    pub fn record(&self, set: impl FnOnce(&mut L::Point<'a>)) {
        if let Ok(mut point) = self.point.try_borrow_mut() {
            if !self.finished.get() {
                set(&mut point);
            }
        }
    }

    /// Ends the call with `outcome` and `error` text, and writes its point.
    pub fn finish(&self, outcome: Outcome, error: Option<String>) {
        if self.finished.replace(true) {
            return;
        }
        let Ok(mut point) = self.point.try_borrow_mut() else {
            return;
        };
        point.fill_duration_ms(clock::elapsed_ms(self.started));
        point.fill_outcome(outcome.as_str());
        if let Some(error) = error {
            point.fill_error(Blob::Text(Cow::Owned(error)));
        }
        if let Some(enrich) = self.enrich {
            enrich(&mut point);
        }
        if self.emit_rule.is_none_or(|rule| rule(&point)) {
            point.emit_in(self.scope.as_ref());
        }
    }

    /// Ends the call from an HTTP handler's result: `HTTP <status>` for a response of 400 or
    /// more, the error's message (cut to 200 characters) for an `Err`.
    pub fn finish_http<T: crate::HttpStatus, E: Display>(&self, result: &Result<T, E>) {
        let error = crate::http::result_error(result);
        self.finish(Outcome::from_error(&error), error);
    }
}

impl Outcome {
    /// `Error` when there is error text, else `Ok`.
    pub fn from_error(error: &Option<String>) -> Self {
        if error.is_some() {
            Outcome::Error
        } else {
            Outcome::Ok
        }
    }
}

/// An error's message cut to [`MAX_ERROR_CHARS`] characters.
pub fn error_message(error: &dyn Display) -> String {
    let mut message = error.to_string();
    let keep = truncate_chars(&message, MAX_ERROR_CHARS).len();
    message.truncate(keep);
    message
}

impl<L: Layout> Drop for Call<'_, L> {
    fn drop(&mut self) {
        if self.finished.get() {
            return;
        }
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        };
        self.finish(outcome, Some(outcome.as_str().to_owned()));
    }
}
