//! One instrumented call: when it started, the point it fills, and the guarantee that the point is
//! written exactly once, on return, on cancellation or (natively) on panic.

use crate::active::{self, CallSlot, Entered, InCall};
use crate::callsite::Callsite;
use crate::clock::{self, Instant};
use crate::layout::{Layout, PointBuilder};
use crate::scope::Scope;
use crate::value::Blob;
use std::any::TypeId;
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use tallymark_schema::names::Role;

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

/// Decides whether a finished call's point is written (e.g. only when there is a user or an
/// error).
pub type EmitRule<P> = fn(&P) -> bool;

/// Fills fields derived from others just before the point is written (e.g. an id derived from
/// the user id).
pub type Enrich<P> = fn(&mut P);

/// An instrumented call in progress, for middleware that instruments by hand what
/// `#[instrumented]` instruments by attribute. It writes its point once: at [`Call::finish`] or
/// [`Call::finish_http`], or, when dropped unfinished, as `cancelled` (or `panicked`).
///
/// ```
/// use tallymark::{Call, Outcome, Scope};
///
/// #[tallymark::layout(dataset = "api", binding = "API")]
/// pub struct ApiEvent {
///     #[index] #[blob(1)] event: String,
///     #[blob(2)] route: String,
///     #[blob(3)] user: String,
/// }
///
/// let sink = tallymark::sink::MemorySink::new();
/// Scope::new(sink.clone()).run_sync(|| {
///     let call = Call::<ApiEvent>::http("GET", "/users/u1");
///     call.record(|point| { point.user("u1"); });
///     call.finish(Outcome::Ok, None);
/// });
/// assert_eq!(sink.last().unwrap().blob_texts(), ["users.u1.get", "GET /users/u1", "u1"]);
/// ```
///
/// (The type parameters after `L` are how `#[instrumented]` keeps its calls small and its rules
/// inlined where the call ends; a call made by hand uses their defaults.)
#[must_use = "a call writes its point when finished; dropped at once, it records a cancelled call"]
// The bounds of `P`, `R` and `E` are on the impls that use them, not on the type: a bound on the
// type is proved again wherever the type is named, in every instrumented function of the
// user's crate. Ending a call needs them all, so the call keeps its `end`, taken where they
// hold: `Drop`, which may have no bound the type lacks, and `finish_in_place`, named in each
// instrumented function, end it through that.
pub struct Call<
    'a,
    L: Layout,
    P = Recording<'a, L>,
    R = EmitRule<<L as Layout>::Point<'a>>,
    E = Enrich<<L as Layout>::Point<'a>>,
> {
    point: P,
    active: CallSlot,
    started: Instant,
    scope: Option<Scope>,
    emit_rule: R,
    enrich: E,
    finished: bool,
    /// `Call::end`, for what ends the call without its bounds.
    end: fn(&mut Self, Outcome, Option<String>),
    layout: PhantomData<fn(&mut L::Point<'a>)>,
}

/// Where a [`Call`]'s point is while the call runs: [`Recording`] keeps it in the call, so fields
/// can be recorded as the call goes; [`Deferred`] builds it only when the call ends, so that a
/// handler's future does not carry a whole point across its `.await`s.
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

/// A call's point built only when the call ends: its event name and route from its [`Callsite`],
/// then the fields given at the start (`#[instrumented(.., user_id = id)]`), set by `F`.
pub struct Deferred<F> {
    /// Until the point is built: one `Option` of both, so the reference's niche is the flag and
    /// a call without fields keeps only a pointer.
    start: Option<(&'static Callsite, F)>,
}

impl<'a, L: Layout, F: FnOnce(&mut L::Point<'a>)> PointSource<'a, L> for Deferred<F> {
    #[inline(always)]
    fn finish_point(&mut self, write: impl FnOnce(&mut L::Point<'a>)) {
        if let Some((callsite, fields)) = self.start.take() {
            let mut point = L::point();
            callsite.fill::<L>(&mut point);
            fields(&mut point);
            write(&mut point);
        }
    }
}

/// Starts a call of layout `layout`: an enclosing call of that layout that yields to inner calls
/// gives way to it (`active::supersede`); returns the scope it writes to and when it started
/// (see `Call::around`). Compiled once, in tallymark, rather than once per instrumented function.
fn begin(layout: TypeId) -> (Option<Scope>, Instant) {
    active::supersede(layout);
    let scope = Scope::current();
    let started = scope.as_ref().map_or_else(clock::now, Scope::started);
    (scope, started)
}

/// The rule of a call that has none: always write. Also what `#[instrumented]` passes.
pub fn always<P>(_: &P) -> bool {
    true
}

/// The enricher of a call that has none. Also what `#[instrumented]` passes.
pub fn unchanged<P>(_: &mut P) {}

impl<'a, L: Layout> Call<'a, L> {
    /// Starts a call named `event`, for the HTTP route `route` if it has one. Its duration is
    /// measured from the invocation's start when a [`Scope`] is current, else from now.
    pub fn start(event: impl Into<Cow<'a, str>>, route: Option<Cow<'a, str>>) -> Self {
        let event = Blob::Text(event.into());
        Self::recording(always, unchanged, move |point| {
            fill_names::<L>(point, event, route.map(Blob::Text));
        })
    }

    /// Starts a call for a concrete HTTP request: the event is named from `method` and `path` by
    /// the layout's naming rule ([`crate::Schema::naming`]), the route is `"<method> <path>"`.
    pub fn http(method: &str, path: &str) -> Self {
        let (event, route) = http_event::<L>(method, path);
        Call::start(event, Some(Cow::Owned(route)))
    }
}

impl<'a, L: Layout, P: PointSource<'a, L>> Call<'a, L, P> {
    /// Only write the point if `rule` holds for it when the call ends.
    pub fn emit_if(mut self, rule: EmitRule<L::Point<'a>>) -> Self {
        self.emit_rule = rule;
        self
    }

    /// Run `enrich` on the point just before it is written.
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
    /// the start: the event name, the route, fields.
    #[inline]
    pub fn recording(emit_rule: R, enrich: E, start: impl FnOnce(&mut L::Point<'a>)) -> Self {
        let mut point = L::point();
        start(&mut point);
        Call::around(Recording(RefCell::new(point)), emit_rule, enrich)
    }

    /// What `#[instrumented]` expands to when the body uses `record!`: a call whose point starts
    /// with the event name and route of `callsite`, then the fields `fields` sets.
    #[doc(hidden)]
    #[inline]
    pub fn recording_at(
        callsite: &'static Callsite,
        emit_rule: R,
        enrich: E,
        fields: impl FnOnce(&mut L::Point<'a>),
    ) -> Self {
        Call::recording(emit_rule, enrich, |point| {
            callsite.fill::<L>(point);
            fields(point);
        })
    }
}

/// Sets what a call of layout `L` starts with on its `point`: its event name, and its route when
/// it has one.
#[inline]
pub(crate) fn fill_names<'a, L: Layout>(
    point: &mut L::Point<'a>,
    event: Blob<'a>,
    route: Option<Blob<'a>>,
) {
    point.fill_text(Role::Event, event);
    if let Some(route) = route {
        point.fill_text(Role::Route, route);
    }
}

/// The event name and route of an HTTP call of layout `L`: the name by the layout's naming rule,
/// the route `"<method> <path>"` (`path` a concrete path or a route pattern).
pub(crate) fn http_event<L: Layout>(method: &str, path: &str) -> (String, String) {
    (
        L::SCHEMA.naming().name(method, path),
        format!("{method} {path}"),
    )
}

/// Fills a call's ending into its `point`: what the functions run by the call of `slot` recorded
/// (the call's body has stopped running), its duration, outcome and error text.
#[inline(always)]
pub(crate) fn fill_ending<'a, L: Layout>(
    point: &mut L::Point<'a>,
    slot: &CallSlot,
    duration_ms: f64,
    outcome: Outcome,
    error: Option<String>,
) {
    absorb_recorded::<L>(slot, false, point);
    point.fill_number(Role::DurationMs, duration_ms);
    point.fill_text(Role::Outcome, Blob::Text(Cow::Borrowed(outcome.as_str())));
    if let Some(error) = error {
        point.fill_text(Role::Error, Blob::Text(Cow::Owned(error)));
    }
}

/// Takes what the functions run by the call of `slot` recorded (with the layout's generated
/// `record`) into `point`; `active` as for [`active::take`].
#[inline]
fn absorb_recorded<'a, L: Layout>(slot: &CallSlot, active: bool, point: &mut L::Point<'a>) {
    if let Some(recorded) = active::take::<L>(slot, active) {
        L::absorb(point, recorded);
    }
}

// What an instrumented function names needs no bound of the call's rules: `run`, `run_sync` and
// `finish_in_place` here, and `record` below, prove only what they use.
impl<'a, L: Layout, P, R, E> Call<'a, L, P, R, E> {
    /// Runs `future` with this call active whenever it is polled: the functions it runs can
    /// record fields into the call's point with the layout's `record` (`ApiEvent::record(..)`).
    pub fn run<F: Future>(&self, future: F) -> InCall<'_, F> {
        InCall::new(&self.active, TypeId::of::<L>(), future)
    }

    /// Runs `f` with this call active (see [`Call::run`]).
    #[inline]
    pub fn run_sync<T>(&self, f: impl FnOnce() -> T) -> T {
        let _active = Entered::enter(&self.active, TypeId::of::<L>());
        f()
    }

    /// [`Call::finish`] for `#[instrumented]`: ends the call where it stands, without moving it,
    /// as an error when there is `error` text, else as ok. Once ended, the call's `Drop` does
    /// nothing.
    #[doc(hidden)]
    #[inline]
    pub fn finish_in_place(&mut self, error: Option<String>) {
        (self.end)(self, Outcome::from_error(&error), error);
    }

    /// Ends a call dropped before it finished: its future was cancelled, or it panicked.
    #[cold]
    #[inline(never)]
    fn end_unfinished(&mut self) {
        let outcome = Outcome::unfinished();
        (self.end)(self, outcome, Some(outcome.as_str().to_owned()));
    }
}

impl<'a, L: Layout, R, E> Call<'a, L, Recording<'a, L>, R, E> {
    /// Sets fields on the point being filled, after what the functions the call runs have
    /// recorded so far (so the last value recorded wins). Does nothing when called from inside
    /// another `record`.
    pub fn record(&self, set: impl FnOnce(&mut L::Point<'a>)) {
        if let Ok(mut point) = self.point.0.try_borrow_mut() {
            // Called from the body, so possibly while the body is active and recording.
            absorb_recorded::<L>(&self.active, true, &mut point);
            set(&mut point);
        }
    }
}

impl<'a, L, F, R, E> Call<'a, L, Deferred<F>, R, E>
where
    L: Layout,
    F: FnOnce(&mut L::Point<'a>),
    R: Fn(&L::Point<'a>) -> bool,
    E: Fn(&mut L::Point<'a>),
{
    /// What `#[instrumented]` expands to when the body records nothing: a call whose point is
    /// built when it ends, from the event name and route of `callsite`, then the fields `fields`
    /// sets. Only a reference to `callsite` and `fields`' captures are kept while the call runs.
    #[doc(hidden)]
    #[inline]
    pub fn deferred(callsite: &'static Callsite, emit_rule: R, enrich: E, fields: F) -> Self {
        let point = Deferred {
            start: Some((callsite, fields)),
        };
        Call::around(point, emit_rule, enrich)
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
    /// being dropped still reaches the right invocation. An enclosing call of the same layout
    /// that yields to inner calls (the axum layer's) gives way to this one.
    #[inline]
    fn around(point: P, emit_rule: R, enrich: E) -> Self {
        let (scope, started) = begin(TypeId::of::<L>());
        Call {
            point,
            active: CallSlot::default(),
            started,
            scope,
            emit_rule,
            enrich,
            finished: false,
            end: Self::end,
            layout: PhantomData,
        }
    }

    /// Ends the call with `outcome` and `error` text, and writes its point.
    #[inline]
    pub fn finish(mut self, outcome: Outcome, error: Option<String>) {
        self.end(outcome, error);
    }

    /// Ends the call from an HTTP handler's result: `HTTP <status>` for a response of 400 or
    /// more, the error's message (cut to the layout's [`crate::Schema::error_text`]) for an `Err`.
    pub fn finish_http<T: crate::HttpStatus, D: Display>(self, result: &Result<T, D>) {
        let error = crate::http::result_error(result, L::SCHEMA.error_text());
        self.finish(Outcome::from_error(&error), error);
    }

    /// Fills the call's ending into its point and writes it, once.
    #[inline(always)]
    fn end(&mut self, outcome: Outcome, error: Option<String>) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        // With `off` the point would be dropped at `emit`: the clock is not read, the point not
        // finished, and neither the enricher nor the emit rule runs.
        if cfg!(feature = "off") {
            return;
        }
        // Read first, so that the duration does not include building the point.
        let duration_ms = clock::elapsed_ms(self.started);
        let (slot, scope) = (&self.active, self.scope.as_ref());
        let (emit_rule, enrich) = (&self.emit_rule, &self.enrich);
        self.point.finish_point(|point| {
            // The body has stopped running (a call ends after it), or is being unwound.
            fill_ending::<L>(point, slot, duration_ms, outcome, error);
            enrich(point);
            if emit_rule(point) {
                point.emit_in(scope);
            }
        });
    }
}

impl Outcome {
    /// How a call dropped before it finished ended: `Panicked` while the thread unwinds, else
    /// `Cancelled`.
    pub(crate) fn unfinished() -> Self {
        if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Cancelled
        }
    }

    /// `Error` when there is error text, else `Ok`.
    pub fn from_error(error: &Option<String>) -> Self {
        if error.is_some() {
            Outcome::Error
        } else {
            Outcome::Ok
        }
    }
}

impl<'a, L: Layout, P, R, E> Drop for Call<'a, L, P, R, E> {
    fn drop(&mut self) {
        if !self.finished {
            self.end_unfinished();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;
    use crate::test_layout::{Probe, ProbePoint};
    use std::time::Duration;

    fn in_scope(f: impl FnOnce()) -> Vec<crate::sink::RecordedPoint> {
        let sink = MemorySink::new();
        Scope::new(sink.clone()).run_sync(f);
        sink.points()
    }

    #[test]
    fn a_finished_call_writes_its_point_once() {
        let points = in_scope(|| {
            let mut call = Call::<Probe>::start("probe.ok", None);
            call.finish_in_place(None);
            call.finish_in_place(Some("again".into()));
            drop(call);
        });
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].blob_texts(), ["probe.ok", "", "", ""]);
    }

    #[test]
    fn a_call_dropped_unfinished_is_written_as_cancelled() {
        let points = in_scope(|| drop(Call::<Probe>::start("probe.dropped", None)));
        assert_eq!(points[0].text("error"), Some("cancelled"));
    }

    #[test]
    fn the_enricher_runs_before_the_rule_which_decides_the_write() {
        fn noted(point: &mut ProbePoint<'_>) {
            point.note("enriched");
        }
        fn only_enriched(point: &ProbePoint<'_>) -> bool {
            point.get_note() == "enriched"
        }
        let points = in_scope(|| {
            Call::<Probe>::start("probe.kept", None)
                .enrich(noted)
                .emit_if(only_enriched)
                .finish(Outcome::Ok, None);
            Call::<Probe>::start("probe.skipped", None)
                .emit_if(only_enriched)
                .finish(Outcome::Ok, None);
        });
        let names: Vec<&str> = points.iter().map(|p| p.index().unwrap()).collect();
        assert_eq!(names, ["probe.kept"]);
    }

    #[test]
    fn in_a_scope_the_duration_is_measured_from_the_invocations_start() {
        let sink = MemorySink::new();
        let started = clock::now() - Duration::from_millis(40);
        Scope::starting_at(sink.clone(), started).run_sync(|| {
            Call::<Probe>::start("probe.timed", None).finish(Outcome::Ok, None);
        });
        assert!(sink.last().unwrap().doubles()[0] >= 40.0);
    }

    #[test]
    fn an_http_call_is_named_by_the_layouts_rule_and_its_error_cut_to_the_layouts_limit() {
        struct Status(u16);
        impl crate::HttpStatus for Status {
            fn http_status(&self) -> u16 {
                self.0
            }
        }
        let points = in_scope(|| {
            let long = "x".repeat(300);
            Call::<Probe>::http("DELETE", "/probes/p1").finish_http(&Err::<Status, _>(long));
            Call::<Probe>::http("GET", "/probes").finish_http(&Ok::<_, String>(Status(503)));
        });
        assert_eq!(points[0].index(), Some("probes.p1.delete"));
        assert_eq!(points[0].text("error").unwrap(), "x".repeat(200));
        assert_eq!(points[1].text("error"), Some("HTTP 503"));
    }
}
