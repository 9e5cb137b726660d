//! The per-invocation context: where points go, when the invocation started, and its budget.
//!
//! A [`Scope`] travels with the invocation's future: [`Scope::run`] wraps the future so that the
//! scope is current only *while that future is being polled* and the previous one is restored
//! afterwards. Two requests interleaved in one isolate therefore never see each other's scope,
//! even though Workers run them on one thread.

use crate::clock::{self, Instant};
use crate::limits::MAX_POINTS_PER_INVOCATION;
use crate::point::{PointBuf, Slots};
use crate::sink::LineSink;
use crate::sink::Sink;
use crate::stats::{self, Delivery, LocalStats, Stats, Written};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll};

/// The telemetry context of one invocation (one request, alarm or test).
#[derive(Clone)]
pub struct Scope {
    inner: Rc<Invocation>,
}

/// One invocation's state. The sink is its last field, held by value: `Rc<Invocation<S>>`
/// coerces to `Rc<Invocation>`, so a scope and its sink take one allocation, not two.
struct Invocation<S: ?Sized = dyn Sink> {
    lines: RefCell<Option<Box<dyn LineSink>>>,
    /// The keys of `#[hashed]` fields, by secret name, once looked up (`None`: no such secret).
    hash_keys: RefCell<Vec<NamedKey>>,
    /// Where keys not given with [`Scope::with_hash_key`] are looked up (a Worker's secrets).
    key_source: RefCell<Option<KeySource>>,
    started: Instant,
    remaining: Cell<u32>,
    limit_notice_given: Cell<bool>,
    stats: LocalStats,
    sink: S,
}

thread_local! {
    /// The invocation whose future is being polled on this thread (or whose `run_sync` runs).
    static CURRENT: RefCell<Option<Rc<Invocation>>> = const { RefCell::new(None) };
}

static GLOBAL_SINK: OnceLock<Box<dyn Sink + Send + Sync>> = OnceLock::new();

/// A hash key by the secret name a layout gives (`None`: no such secret).
type NamedKey = (&'static str, Option<Rc<[u8]>>);

/// Looks up the key of `#[hashed]` fields by the secret name a layout gives.
pub(crate) type KeySource = Box<dyn Fn(&str) -> Option<Vec<u8>>>;

/// Sets the sink for points emitted outside any [`Scope`] (natively: a CLI, a test harness).
/// Returns `false`, changing nothing, if one was already set. Such points have no
/// per-invocation budget.
pub fn set_global_sink(sink: impl Sink + Send + Sync + 'static) -> bool {
    GLOBAL_SINK.set(Box::new(sink)).is_ok()
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("started", &self.inner.started)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Scope {
    /// A scope that writes to `sink`, starting now, with the full per-invocation budget.
    pub fn new(sink: impl Sink + 'static) -> Self {
        Scope::starting_at(sink, clock::now())
    }

    /// A scope whose invocation started at `started` (durations of instrumented calls inside it
    /// are measured from there).
    pub fn starting_at(sink: impl Sink + 'static, started: Instant) -> Self {
        Scope {
            inner: Rc::new(Invocation {
                sink,
                lines: RefCell::new(None),
                hash_keys: RefCell::new(Vec::new()),
                key_source: RefCell::new(None),
                started,
                remaining: Cell::new(MAX_POINTS_PER_INVOCATION),
                limit_notice_given: Cell::new(false),
                stats: LocalStats::default(),
            }),
        }
    }

    /// Sends this scope's console lines (of typed events) to `lines` instead of the console.
    #[must_use]
    pub fn with_lines(self, lines: impl LineSink + 'static) -> Self {
        *self.inner.lines.borrow_mut() = Some(Box::new(lines));
        self
    }

    /// Hashes this scope's `#[hashed]` fields of layouts whose `hash_key` is `name` with `key`
    /// (in a Worker, [`Scope::from_env`] reads the secret of that name instead). Layouts have
    /// such fields with the `hashed` feature only.
    #[must_use]
    pub fn with_hash_key(self, name: &'static str, key: impl AsRef<[u8]>) -> Self {
        self.inner
            .hash_keys
            .borrow_mut()
            .push((name, Some(Rc::from(key.as_ref()))));
        self
    }

    /// Looks keys up with `source` when not given with [`Scope::with_hash_key`].
    #[cfg_attr(not(feature = "worker"), allow(dead_code))]
    pub(crate) fn with_key_source(self, source: KeySource) -> Self {
        *self.inner.key_source.borrow_mut() = Some(source);
        self
    }

    /// When the invocation started.
    pub fn started(&self) -> Instant {
        self.inner.started
    }

    /// What happened to this scope's points so far.
    pub fn stats(&self) -> Stats {
        self.inner.stats.get()
    }

    /// Runs `future` with this scope current whenever it is polled.
    pub fn run<F: Future>(&self, future: F) -> InScope<F> {
        InScope {
            scope: self.inner.clone(),
            future: Some(future),
        }
    }

    /// Runs `f` with this scope current.
    pub fn run_sync<R>(&self, f: impl FnOnce() -> R) -> R {
        let _current = Entered::enter(&self.inner);
        f()
    }

    /// The scope current on this thread, if any.
    #[inline]
    pub fn current() -> Option<Scope> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
            .map(|inner| Scope { inner })
    }
}

/// Makes a scope current until dropped, then restores the previous one (also when unwinding).
/// Guards live on the stack and are dropped in the reverse order of their making, so each
/// restores what was current before it.
struct Entered {
    previous: Option<Rc<Invocation>>,
}

impl Entered {
    fn enter(scope: &Rc<Invocation>) -> Self {
        let previous = CURRENT
            .try_with(|current| current.replace(Some(Rc::clone(scope))))
            .ok()
            .flatten();
        Entered { previous }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

pin_project_lite::pin_project! {
    /// A future that runs inside a [`Scope`]; see [`Scope::run`]. It is also dropped inside it:
    /// a point written while the future is dropped unfinished (a cancelled call's) reaches this
    /// scope, even from code that does not hold the scope (the axum layer's `Send` future).
    pub struct InScope<F> {
        scope: Rc<Invocation>,
        // `None` once finished (dropped where it finished, inside the scope) or being dropped.
        #[pin]
        future: Option<F>,
    }

    impl<F> PinnedDrop for InScope<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // Only an unfinished future is left to drop: enter the scope for it alone.
            if this.future.as_mut().as_pin_mut().is_some() {
                let _current = Entered::enter(this.scope);
                this.future.set(None);
            }
        }
    }
}

impl<F: Future> Future for InScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let _current = Entered::enter(this.scope);
        // `None` is unreachable: a finished future is not polled again.
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        let output = std::task::ready!(future.poll(cx));
        // Finished: dropped now, in the scope already current, so that dropping the `InScope`
        // later need not enter it again.
        this.future.set(None);
        Poll::Ready(output)
    }
}

/// Seals `point` and writes it to the current scope's sink (or the global sink outside any scope).
///
/// Never panics and never fails: a point past the invocation's budget is dropped and counted (the
/// first time, a notice goes to the console); a failed write is counted.
pub fn emit<const B: usize, const D: usize>(point: &mut PointBuf<'_, B, D>) {
    if cfg!(feature = "off") {
        return;
    }
    emit_current(point.slots());
}

/// [`emit`] of a point seen as `Slots`: the current scope is looked up here, compiled once in
/// tallymark rather than once per layout.
fn emit_current(point: Slots<'_, '_>) {
    emit_in(Scope::current().as_ref(), point);
}

/// Like [`emit`], into a scope the caller already holds, or outside any scope when `None`
/// (an instrumented call captures its scope at start: it looks it up once, and a point written
/// while its future is dropped still reaches the right invocation). It takes the point as
/// `Slots`, so it is compiled once, in tallymark, whatever the layouts of the crates that emit.
pub(crate) fn emit_in(scope: Option<&Scope>, point: Slots<'_, '_>) {
    if cfg!(feature = "off") {
        return;
    }
    match scope {
        Some(scope) => scope.inner.emit(point),
        None => emit_global(point),
    }
}

/// `value` hashed as `schema`'s hashed fields are, with the current scope's key of that layout
/// (see `crate::privacy`); `None`, counted as an unhashed field, when there is no such key.
#[cfg(feature = "events")]
pub(crate) fn hash_in_current(schema: &crate::schema::Schema, value: &[u8]) -> Option<String> {
    let scope = Scope::current();
    let hashed = scope
        .as_ref()
        .zip(schema.hash_key())
        .and_then(|(scope, name)| scope.inner.hash_key(name))
        .and_then(|key| schema.keyed_hash(&key, value));
    if hashed.is_none() {
        count_in_current(unhashed(schema, 1));
    }
    hashed
}

/// Adds `counts` to the current scope's stats, or to the process-wide ones outside any scope.
pub(crate) fn count_in_current(counts: Stats) {
    match Scope::current() {
        Some(scope) => scope.inner.stats.add(counts),
        None => stats::add_global(counts),
    }
}

/// Writes a console line through the current scope (or to the console outside any scope).
#[cfg(feature = "events")]
pub(crate) fn write_line(line: &str) {
    if cfg!(feature = "off") {
        return;
    }
    let scope = Scope::current();
    let lines = scope
        .as_ref()
        .and_then(|scope| scope.inner.lines.try_borrow().ok());
    match lines.as_ref().and_then(|lines| lines.as_deref()) {
        Some(lines) => lines.line(line),
        None => crate::platform::console_log(line),
    }
}

impl Invocation {
    fn emit(&self, point: Slots<'_, '_>) {
        let remaining = self.remaining.get();
        if remaining == 0 {
            self.stats.add(Stats {
                dropped_over_limit: 1,
                ..Stats::default()
            });
            if !self.limit_notice_given.replace(true) {
                crate::platform::console_warn(&limit_notice(point.schema().dataset()));
            }
            return;
        }
        self.remaining.set(remaining - 1);
        let count = |written| self.stats.count(written);
        if point.schema().has_private_fields() {
            let key = point
                .schema()
                .hash_key()
                .and_then(|name| self.hash_key(name));
            self.stats
                .add(write_protected(&self.sink, point, key.as_deref(), count));
        } else {
            write_point(&self.sink, point, count);
        }
    }

    /// The key named `name`: given, else looked up once from the key source.
    fn hash_key(&self, name: &'static str) -> Option<Rc<[u8]>> {
        if let Some((_, key)) = self.hash_keys.borrow().iter().find(|(n, _)| *n == name) {
            return key.clone();
        }
        let key = self
            .key_source
            .borrow()
            .as_ref()
            .and_then(|source| source(name))
            .map(Rc::from);
        self.hash_keys.borrow_mut().push((name, key.clone()));
        key
    }
}

/// Writes `point` to `sink` with its privacy rules applied (see `crate::privacy`; `key` for its
/// hashed fields), then puts the point's private values back, so that a builder written twice
/// is protected from its values both times. Returns what to count.
fn write_protected(
    sink: &dyn Sink,
    mut point: Slots<'_, '_>,
    key: Option<&[u8]>,
    count: impl FnOnce(Written),
) -> Stats {
    let schema = point.schema();
    let protected = point.protect(
        |value| key.and_then(|key| schema.keyed_hash(key, value)),
        sink.keeps_redacted(),
    );
    let unhashed = unhashed(schema, protected.unhashed);
    write_point(sink, point.reborrow(), count);
    point.restore(protected);
    unhashed
}

/// What to count for `fields` hashed fields of `schema` written empty (in a point or a line) for
/// want of a key; the first such field of the process is said on the console.
fn unhashed(schema: &crate::Schema, fields: u32) -> Stats {
    if fields > 0 && !NO_KEY_NOTICE_GIVEN.swap(true, Ordering::Relaxed) {
        crate::platform::console_warn(&no_key_notice(schema));
    }
    Stats {
        unhashed_fields: u64::from(fields),
        ..Stats::default()
    }
}

/// Whether this process has already said that a hashed field had no key.
static NO_KEY_NOTICE_GIVEN: AtomicBool = AtomicBool::new(false);

/// The one console line a process writes when a hashed field is first written empty.
fn no_key_notice(schema: &crate::Schema) -> String {
    format!(
        "tallymark: a #[hashed] field of dataset {} was written empty, never as its value: no \
         hash key `{}` (set that Worker secret, or give it with `Scope::with_hash_key`). Such \
         fields are counted in `Stats::unhashed_fields`",
        schema.dataset(),
        schema.hash_key().unwrap_or_default()
    )
}

fn emit_global(point: Slots<'_, '_>) {
    match GLOBAL_SINK.get() {
        Some(sink) if point.schema().has_private_fields() => {
            stats::add_global(write_protected(&**sink, point, None, stats::count_global));
        }
        Some(sink) => write_point(&**sink, point, stats::count_global),
        None => {
            stats::add_global(Stats {
                dropped_without_scope: 1,
                ..Stats::default()
            });
            if !NO_SCOPE_NOTICE_GIVEN.swap(true, Ordering::Relaxed) {
                crate::platform::console_warn(&no_scope_notice(point.schema().dataset()));
            }
        }
    }
}

/// Whether this process has already said that a point was dropped for want of a scope.
static NO_SCOPE_NOTICE_GIVEN: AtomicBool = AtomicBool::new(false);

/// The one console line a process writes when it first drops a point emitted outside any scope.
pub(crate) fn no_scope_notice(dataset: &str) -> String {
    format!(
        "tallymark: a data point (dataset {dataset}) was emitted outside any Scope and no global \
         sink is set, so it was dropped; run the invocation inside one, e.g. \
         `Scope::from_env(&env).run(handler(req, env)).await` in `#[event(fetch)]`, or call \
         `tallymark::set_global_sink`. Such points are counted in \
         `global_stats().dropped_without_scope`"
    )
}

/// Seals `point`, writes it to `sink`, and counts what became of it with `count`.
fn write_point(sink: &dyn Sink, point: Slots<'_, '_>, count: impl FnOnce(Written)) {
    let sealed = point.seal();
    let clamped = sealed.clamped();
    let delivery = match sink.write(&sealed) {
        Ok(()) => Delivery::Written,
        Err(error) if error.is_no_destination() => Delivery::NoDestination,
        Err(_) => Delivery::Failed,
    };
    count(Written { delivery, clamped });
}

/// The one console line an invocation writes when it first exceeds its budget.
pub(crate) fn limit_notice(dataset: &str) -> String {
    format!(
        "tallymark: this invocation reached Analytics Engine's limit of {MAX_POINTS_PER_INVOCATION} \
         data points; further points (first dropped: dataset {dataset}) are dropped and counted"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::NoopSink;

    #[test]
    fn the_notices_name_the_limit_and_the_fix() {
        assert_eq!(
            limit_notice("links"),
            "tallymark: this invocation reached Analytics Engine's limit of 250 data points; \
             further points (first dropped: dataset links) are dropped and counted"
        );
        assert_eq!(
            no_scope_notice("links"),
            "tallymark: a data point (dataset links) was emitted outside any Scope and no global \
             sink is set, so it was dropped; run the invocation inside one, e.g. \
             `Scope::from_env(&env).run(handler(req, env)).await` in `#[event(fetch)]`, or call \
             `tallymark::set_global_sink`. Such points are counted in \
             `global_stats().dropped_without_scope`"
        );
    }

    #[test]
    fn a_scope_is_current_only_inside_run_sync_and_nests() {
        assert!(Scope::current().is_none());
        let outer = Scope::new(NoopSink);
        let inner = Scope::new(NoopSink);
        outer.run_sync(|| {
            let current = Scope::current().unwrap();
            assert!(Rc::ptr_eq(&current.inner, &outer.inner));
            inner.run_sync(|| {
                assert!(Rc::ptr_eq(&Scope::current().unwrap().inner, &inner.inner));
            });
            assert!(Rc::ptr_eq(&Scope::current().unwrap().inner, &outer.inner));
        });
        assert!(Scope::current().is_none());
    }

    #[test]
    fn a_future_run_in_a_scope_is_dropped_in_it() {
        /// Notes, when dropped, whether a scope was current.
        struct SeesScope(Rc<Cell<Option<bool>>>);
        impl Drop for SeesScope {
            fn drop(&mut self) {
                self.0.set(Some(Scope::current().is_some()));
            }
        }
        let seen = Rc::new(Cell::new(None));
        let guard = SeesScope(Rc::clone(&seen));
        let future = Scope::new(NoopSink).run(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let mut future = Box::pin(future);
        let waker = std::task::Waker::noop();
        assert!(future
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_pending());
        drop(future);
        assert_eq!(seen.get(), Some(true));
        assert!(Scope::current().is_none(), "and left it after");
    }

    #[test]
    fn a_panic_inside_a_scope_restores_the_previous_one() {
        let scope = Scope::new(NoopSink);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scope.run_sync(|| panic!("inside"));
        }));
        assert!(caught.is_err());
        assert!(Scope::current().is_none());
    }
}
