//! A tower layer for axum routers: one point per request (feature `axum`). See
//! [`InstrumentLayer`].
//!
//! # Why the layer holds no [`Scope`]
//!
//! axum's `Router::layer` requires the layered service and its future to be `Send`, but a
//! [`Scope`] is `Rc`-based (Workers run one thread, and a scope is one invocation's), and so is a
//! [`Call`](crate::Call), which captures its scope when it starts. workers-rs answers the same
//! problem for handlers with `#[worker::send]` (`worker::send::SendFuture`) and `SendWrapper`,
//! which assert `Send` (an `unsafe impl`) on values that are not; tallymark does without any such
//! assertion (and without `unsafe`): the layer's future holds only `Send` data (the point being
//! filled, its start time, and the slot that makes it the active call of its layout while it is
//! polled), and looks the scope up whenever it needs one.
//!
//! * At the start, [`Scope::current`] gives the invocation's start time, when a scope is current.
//!   The router may call the layer's service before the scope's future is first polled
//!   (`scope.run(router.call(req))`), so the first poll looks again.
//! * At the end, inside a poll, the point goes to the scope current then: the invocation's.
//! * When the future is dropped unfinished, the point (`cancelled`) goes to the scope current
//!   while it is dropped. A future run with [`Scope::run`] is dropped with its scope current, so
//!   a whole invocation dropped at once still writes to its own scope.
//!
//! On a multi-threaded executor the future could move between threads while a handler records
//! into it; Workers, and the current-thread executors this is tested with, never do that. Records
//! are kept per thread, so on such an executor some could be lost, never written to another call.

use crate::active::{CallSlot, Entered};
use crate::call::{fill_ending, fill_names, http_event, Outcome};
use crate::clock::{self, Instant};
use crate::layout::{Layout, PointBuilder};
use crate::scope::Scope;
use crate::value::Blob;
use ::axum::extract::MatchedPath;
use http::request::Parts;
use std::any::TypeId;
use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// Sets fields of a request's point from the request's head (method, URI, headers, extensions),
/// when the request starts: [`InstrumentLayer::fields`].
pub type Fields<L> = fn(&Parts, &mut <L as Layout>::Point<'static>);

/// The fields of a layer that sets none.
fn no_fields<L: Layout>(_: &Parts, _: &mut L::Point<'static>) {}

/// A tower [`Layer`] that writes one point of layout `L` per request of an axum `Router`: the
/// middleware form of [`macro@crate::instrumented`].
///
/// ```
/// use axum::{routing::get, Router};
///
/// #[tallymark::layout(dataset = "api", binding = "API")]
/// pub struct Api {
///     #[index] #[blob(1)] event: String,
///     #[blob(2)] route: String,
///     #[blob(3)] error: String,
///     #[blob(4)] agent: String,
///     #[double(1)] duration_ms: f64,
/// }
///
/// let router: Router = Router::new()
///     .route("/users/{id}", get(|| async { "hi" }))
///     .layer(tallymark::axum::InstrumentLayer::<Api>::new().fields(|request, point| {
///         let agent = request.headers.get("user-agent").and_then(|v| v.to_str().ok());
///         point.agent(agent.map(str::to_owned));
///     }));
/// ```
///
/// `GET /users/u1` writes `event = "users.get"` (the layout's naming rule applied to the route
/// pattern axum matched, never to the concrete path), `route = "GET /users/{id}"`, then:
///
/// * **Status and errors**, as `#[instrumented]`: `error = "HTTP <status>"` for a response of 400
///   or more, an inner service's error's message (cut to the layout's `error_text` limit) for an
///   `Err`; `outcome` `ok` or `error`; `duration_ms` from the invocation's start (the current
///   [`Scope`]'s), else from the request's. A request whose future is dropped before it completes
///   writes `outcome = "cancelled"`, `error = "cancelled"`.
/// * **Fields** from the request's head, with [`InstrumentLayer::fields`], through the layout's
///   typed point: a misspelled field or a value of the wrong type does not compile.
/// * **Fields from handlers**: the layer's call is the active call of `L` while the inner
///   service's future is polled, so a handler (or anything it calls) records into the request's
///   point with `Api::record(|point| { .. })`.
/// * **One point per request, with `#[instrumented]` handlers**: the innermost instrumentation
///   wins. When a call of layout `L` starts (an `#[instrumented(L, ..)]` handler or function, a
///   [`Call`](crate::Call) made by hand) while the layer's call is the innermost active call of
///   `L`, that call writes the request's point and the layer writes none (and counts nothing as
///   lost). The layer's fields are then not in the point: the inner call has its own. A call of
///   another layout does not affect the layer. An `#[instrumented]` handler's future holds the
///   invocation's scope, which is not `Send`: under axum, put `#[worker::send]` below the
///   attribute, as for any handler that holds Workers state.
/// * **Unmatched requests** (the router's fallback, a 404: no `MatchedPath`) are skipped by
///   default, since their concrete paths are unbounded; [`InstrumentLayer::record_unmatched`]
///   records them under one fixed event name instead.
///
/// Add it with `Router::layer` (or `route_layer`, which never sees unmatched requests): axum sets
/// `MatchedPath` before the layered routes run. Wrapped around a whole router from outside, the
/// layer runs before routing and sees every request as unmatched.
///
/// The layer never changes a response or an error, and never panics.
pub struct InstrumentLayer<L: Layout, F = Fields<L>> {
    fields: F,
    unmatched: Option<Cow<'static, str>>,
    layout: PhantomData<fn() -> L>,
}

impl<L: Layout> InstrumentLayer<L> {
    /// A layer that writes the role fields (event, route, error, outcome, duration) of each
    /// matched request, and skips unmatched ones.
    pub fn new() -> Self {
        InstrumentLayer {
            fields: no_fields::<L>,
            unmatched: None,
            layout: PhantomData,
        }
    }
}

impl<L: Layout> Default for InstrumentLayer<L> {
    fn default() -> Self {
        InstrumentLayer::new()
    }
}

impl<L: Layout, F> InstrumentLayer<L, F> {
    /// Sets fields of each request's point from its head when the request starts, after the
    /// event and route. Values must be owned (or `'static`): the point outlives the request's
    /// head.
    pub fn fields<G>(self, fields: G) -> InstrumentLayer<L, G>
    where
        G: Fn(&Parts, &mut L::Point<'static>) + Clone,
    {
        InstrumentLayer {
            fields,
            unmatched: self.unmatched,
            layout: PhantomData,
        }
    }

    /// Also records requests no route matched, under the event name `event`, with the route
    /// field set to the method alone (`GET`): their paths are not recorded.
    #[must_use]
    pub fn record_unmatched(mut self, event: impl Into<Cow<'static, str>>) -> Self {
        self.unmatched = Some(event.into());
        self
    }
}

impl<L: Layout, F: Clone> Clone for InstrumentLayer<L, F> {
    fn clone(&self) -> Self {
        InstrumentLayer {
            fields: self.fields.clone(),
            unmatched: self.unmatched.clone(),
            layout: PhantomData,
        }
    }
}

impl<L: Layout, F> std::fmt::Debug for InstrumentLayer<L, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstrumentLayer")
            .field("dataset", &L::SCHEMA.dataset())
            .field("unmatched", &self.unmatched)
            .finish_non_exhaustive()
    }
}

impl<L: Layout, F: Clone, S> Layer<S> for InstrumentLayer<L, F> {
    type Service = Instrument<S, L, F>;

    fn layer(&self, inner: S) -> Self::Service {
        Instrument {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`InstrumentLayer`] wraps around each route.
pub struct Instrument<S, L: Layout, F = Fields<L>> {
    inner: S,
    layer: InstrumentLayer<L, F>,
}

impl<S: Clone, L: Layout, F: Clone> Clone for Instrument<S, L, F> {
    fn clone(&self) -> Self {
        Instrument {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S, L: Layout, F> std::fmt::Debug for Instrument<S, L, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrument")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<S, L, F, B, R> Service<http::Request<B>> for Instrument<S, L, F>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Error: Display,
    L: Layout,
    F: Fn(&Parts, &mut L::Point<'static>),
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = InstrumentFuture<S::Future, L>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let (parts, body) = request.into_parts();
        let call = self.start(&parts);
        let request = http::Request::from_parts(parts, body);
        // Active while the inner service starts too: its synchronous part may record.
        let future = match &call {
            Some(call) => {
                let _active = Entered::enter(&call.slot, TypeId::of::<L>());
                self.inner.call(request)
            }
            None => self.inner.call(request),
        };
        InstrumentFuture { future, call }
    }
}

impl<S, L: Layout, F: Fn(&Parts, &mut L::Point<'static>)> Instrument<S, L, F> {
    /// The call of a request, or `None` for an unmatched request that is not recorded.
    fn start(&self, parts: &Parts) -> Option<LayerCall<L>> {
        let method = parts.method.as_str();
        let (event, route) = match parts.extensions.get::<MatchedPath>() {
            Some(pattern) => http_event::<L>(method, pattern.as_str()),
            None => (
                self.layer.unmatched.clone()?.into_owned(),
                method.to_owned(),
            ),
        };
        let mut point = L::point();
        fill_names::<L>(
            &mut point,
            Blob::Text(Cow::Owned(event)),
            Some(Blob::Text(Cow::Owned(route))),
        );
        (self.layer.fields)(parts, &mut point);
        Some(LayerCall {
            point,
            slot: CallSlot::yielding(),
            started: Scope::current().map(|scope| scope.started()),
            created: clock::now(),
            finished: false,
        })
    }
}

/// One request's call: `Send` when the layout's point is (every generated point is).
struct LayerCall<L: Layout> {
    point: L::Point<'static>,
    /// Makes the call active while the inner future is polled; it yields to inner calls of `L`.
    slot: CallSlot,
    /// The invocation's start, once a scope has been seen.
    started: Option<Instant>,
    /// When the request started, for a call that never sees a scope.
    created: Instant,
    finished: bool,
}

impl<L: Layout> LayerCall<L> {
    /// Ends the call and writes its point to the current scope, unless an inner call of its
    /// layout superseded it. Once ended, the call's `Drop` does nothing.
    fn end(&mut self, outcome: Outcome, error: Option<String>) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        let duration_ms = clock::elapsed_ms(self.started.unwrap_or(self.created));
        let mut point = std::mem::replace(&mut self.point, L::point());
        // Also takes what was recorded into the call, so nothing of it is left behind.
        fill_ending::<L>(&mut point, &self.slot, duration_ms, outcome, error);
        if !self.slot.superseded() {
            point.emit_in(Scope::current().as_ref());
        }
    }
}

impl<L: Layout> Drop for LayerCall<L> {
    fn drop(&mut self) {
        if !self.finished {
            let outcome = Outcome::unfinished();
            self.end(outcome, Some(outcome.as_str().to_owned()));
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of an [`Instrument`]ed request: the inner service's, with the request's call
    /// active while it is polled; it writes the request's point when it completes or is dropped.
    pub struct InstrumentFuture<Fut, L: Layout> {
        // Declared first, so dropped first: a call inside it that is dropped unfinished writes
        // its own point before the layer's call ends.
        #[pin]
        future: Fut,
        call: Option<LayerCall<L>>,
    }
}

impl<Fut, L, R, E> Future for InstrumentFuture<Fut, L>
where
    Fut: Future<Output = Result<http::Response<R>, E>>,
    E: Display,
    L: Layout,
{
    type Output = Fut::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(call) = this.call.as_mut() else {
            return this.future.poll(cx);
        };
        if call.started.is_none() {
            call.started = Scope::current().map(|scope| scope.started());
        }
        let result = {
            let _active = Entered::enter(&call.slot, TypeId::of::<L>());
            std::task::ready!(this.future.poll(cx))
        };
        let error = crate::http::result_error(&result, L::SCHEMA.error_text());
        call.end(Outcome::from_error(&error), error);
        Poll::Ready(result)
    }
}

impl<Fut, L: Layout> std::fmt::Debug for InstrumentFuture<Fut, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstrumentFuture")
            .field("recorded", &self.call.is_some())
            .finish_non_exhaustive()
    }
}
