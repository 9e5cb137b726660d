//! One instrumented call: when it started, the point it fills, and the guarantee that the point is
//! written exactly once, on return, on cancellation or (natively) on panic.

use crate::clock::{self, Instant};
use crate::layout::{Layout, PointBuilder};
use crate::limits::truncate_chars;
use crate::scope::Scope;
use crate::value::Blob;
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Display;
use std::marker::PhantomData;

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
///
/// `P` says where the point is while the call runs: [`Recording`] (the default) keeps it in the
/// call, so fields can be recorded as the call goes ([`Call::record`], `tallymark::record!`);
/// [`Deferred`] builds it only when the call ends. `#[instrumented]` defers when the body records
/// nothing: a data point is several hundred bytes, and a handler's future would otherwise carry
/// it across every `.await`.
///
/// `R` decides whether the point is written and `E` enriches it just before; by hand they are
/// function pointers ([`Call::emit_if`], [`Call::enrich`]), `#[instrumented]` passes the functions
/// themselves so they can be inlined.
pub struct Call<
    'a,
    L: Layout,
    P: PointSource<'a, L> = Recording<'a, L>,
    R: Fn(&L::Point<'a>) -> bool = EmitRule<<L as Layout>::Point<'a>>,
    E: Fn(&mut L::Point<'a>) = Enrich<<L as Layout>::Point<'a>>,
> {
    point: P,
    started: Instant,
    scope: Option<Scope>,
    emit_rule: R,
    enrich: E,
    finished: bool,
    layout: PhantomData<fn(&mut L::Point<'a>)>,
}

/// Where a [`Call`]'s point is while the call runs: [`Recording`] or [`Deferred`].
pub trait PointSource<'a, L: Layout> {
    /// Hands the point, with everything set so far, to `write`. Called once, when the call ends.
    fn finish_point(&mut self, write: impl FnOnce(&mut L::Point<'a>));
}

/// A call's point kept from the start, so fields can be recorded while the call runs.
pub struct Recording<'a, L: Layout>(RefCell<L::Point<'a>>);

impl<'a, L: Layout> PointSource<'a, L> for Recording<'a, L> {
    fn finish_point(&mut self, write: impl FnOnce(&mut L::Point<'a>)) {
        write(self.0.get_mut());
    }
}

/// A call's point built only when the call ends, by `F`, which sets what the call started with:
/// its event name, its route, and the fields given at the start (`#[instrumented(.., user_id = id)]`).
pub struct Deferred<F> {
    start: Option<F>,
}

impl<'a, L: Layout, F: FnOnce(&mut L::Point<'a>)> PointSource<'a, L> for Deferred<F> {
    #[inline(always)]
    fn finish_point(&mut self, write: impl FnOnce(&mut L::Point<'a>)) {
        if let Some(start) = self.start.take() {
            // Filled where it stands: returning a point moves several hundred bytes.
            let mut point = L::point();
            start(&mut point);
            write(&mut point);
        }
    }
}

/// The rule of a call that has none: always write.
fn always<P>(_: &P) -> bool {
    true
}

/// The enricher of a call that has none.
fn unchanged<P>(_: &mut P) {}

impl<'a, L: Layout> Call<'a, L> {
    /// Starts a call named `event`, for the HTTP route `route` if it has one. Its duration is
    /// measured from the invocation's start when a [`Scope`] is current (the reference's timing
    /// middleware), else from now.
    pub fn start(event: Blob<'a>, route: Option<Blob<'a>>) -> Self {
        Self::recording(always, unchanged, move |point| {
            point.fill_event(event);
            if let Some(route) = route {
                point.fill_route(route);
            }
        })
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
}

impl<'a, L: Layout, P: PointSource<'a, L>> Call<'a, L, P> {
    /// Only write the point if `rule` holds for it when the call ends.
    #[must_use]
    pub fn emit_if(mut self, rule: EmitRule<L::Point<'a>>) -> Self {
        self.emit_rule = rule;
        self
    }

    /// Run `enrich` on the point just before it is written.
    #[must_use]
    pub fn enrich(mut self, enrich: Enrich<L::Point<'a>>) -> Self {
        self.enrich = enrich;
        self
    }
}

impl<'a, L, R, E> Call<'a, L, Recording<'a, L>, R, E>
where
    L: Layout,
    R: Fn(&L::Point<'a>) -> bool,
    E: Fn(&mut L::Point<'a>),
{
    /// A call with its emit rule and enricher, whose point `start` fills with what is known at
    /// the start: the event name, the route, fields (what `#[instrumented]` expands to when the
    /// body uses `record!`).
    #[inline]
    pub fn recording(emit_rule: R, enrich: E, start: impl FnOnce(&mut L::Point<'a>)) -> Self {
        let mut point = L::point();
        start(&mut point);
        Call::around(Recording(RefCell::new(point)), emit_rule, enrich)
    }

    /// Sets fields on the point being filled (what `tallymark::record!` expands to). Does nothing
    /// when called from inside another `record`.
    pub fn record(&self, set: impl FnOnce(&mut L::Point<'a>)) {
        if let Ok(mut point) = self.point.0.try_borrow_mut() {
            set(&mut point);
        }
    }
}

/// Never implemented: a deferred call cannot record. Its `on_unimplemented` message is the error
/// shown when `#[instrumented]` did not see a `record!` in the body (a renamed import of it).
#[diagnostic::on_unimplemented(
    message = "`record!` was not recognised in this function's body",
    label = "this function's call builds its point only when it ends",
    note = "`#[instrumented]` looks for `record!` by name: invoke it as `record!` or `tallymark::record!`, not under another name"
)]
pub trait RecordedWhileRunning {}

impl<'a, L, F, R, E> Call<'a, L, Deferred<F>, R, E>
where
    L: Layout,
    F: FnOnce(&mut L::Point<'a>),
    R: Fn(&L::Point<'a>) -> bool,
    E: Fn(&mut L::Point<'a>),
{
    /// A call with its emit rule and enricher, whose point is built when it ends (what
    /// `#[instrumented]` expands to when the body records nothing): `start` fills what was known
    /// at the start. Only `start`'s captures are kept while the call runs.
    #[inline]
    pub fn deferred(emit_rule: R, enrich: E, start: F) -> Self {
        Call::around(Deferred { start: Some(start) }, emit_rule, enrich)
    }

    /// Not available: a deferred call has no point until it ends (see [`RecordedWhileRunning`]).
    pub fn record(&self, _: impl FnOnce(&mut L::Point<'a>))
    where
        F: RecordedWhileRunning,
    {
    }
}

impl<'a, L, P, R, E> Call<'a, L, P, R, E>
where
    L: Layout,
    P: PointSource<'a, L>,
    R: Fn(&L::Point<'a>) -> bool,
    E: Fn(&mut L::Point<'a>),
{
    /// Starts timing `point`: from the invocation's start when a [`Scope`] is current, else from
    /// now. The scope is looked up once, here, so a point written while the call's future is
    /// being dropped still reaches the right invocation.
    #[inline]
    fn around(point: P, emit_rule: R, enrich: E) -> Self {
        let scope = Scope::current();
        let started = scope.as_ref().map_or_else(clock::now, Scope::started);
        Call {
            point,
            started,
            scope,
            emit_rule,
            enrich,
            finished: false,
            layout: PhantomData,
        }
    }

    /// Ends the call with `outcome` and `error` text, and writes its point.
    #[inline]
    pub fn finish(mut self, outcome: Outcome, error: Option<String>) {
        self.end(outcome, error);
    }

    /// [`Call::finish`] for `#[instrumented]`: ends the call where it stands. (Passed by value,
    /// the call is copied first, and that copy read fields just written one by one: a
    /// store-forwarding stall per 16 bytes.) Once ended, the call's `Drop` does nothing.
    #[doc(hidden)]
    #[inline]
    pub fn finish_in_place(&mut self, outcome: Outcome, error: Option<String>) {
        self.end(outcome, error);
    }

    /// Ends the call from an HTTP handler's result: `HTTP <status>` for a response of 400 or
    /// more, the error's message (cut to 200 characters) for an `Err`.
    pub fn finish_http<T: crate::HttpStatus, D: Display>(self, result: &Result<T, D>) {
        let error = crate::http::result_error(result);
        self.finish(Outcome::from_error(&error), error);
    }

    /// Fills the call's ending into its point and writes it, once.
    #[inline(always)]
    fn end(&mut self, outcome: Outcome, error: Option<String>) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        // Read first, so that the duration does not include building the point.
        let duration_ms = clock::elapsed_ms(self.started);
        let scope = self.scope.as_ref();
        let (emit_rule, enrich) = (&self.emit_rule, &self.enrich);
        self.point.finish_point(|point| {
            point.fill_duration_ms(duration_ms);
            point.fill_outcome(outcome.as_str());
            if let Some(error) = error {
                point.fill_error(Blob::Text(Cow::Owned(error)));
            }
            enrich(point);
            if emit_rule(point) {
                point.emit_in(scope);
            }
        });
    }

    /// Ends a call dropped before it finished: its future was cancelled, or it panicked.
    #[cold]
    #[inline(never)]
    fn end_unfinished(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        };
        self.end(outcome, Some(outcome.as_str().to_owned()));
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

impl<'a, L, P, R, E> Drop for Call<'a, L, P, R, E>
where
    L: Layout,
    P: PointSource<'a, L>,
    R: Fn(&L::Point<'a>) -> bool,
    E: Fn(&mut L::Point<'a>),
{
    fn drop(&mut self) {
        if !self.finished {
            self.end_unfinished();
        }
    }
}
