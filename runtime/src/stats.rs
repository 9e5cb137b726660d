//! Counters of what happened to points: nothing is lost silently.

use crate::limits::Clamped;
use std::cell::Cell;
use std::ops::AddAssign;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What happened to the points of one scope (or, from [`global_stats`], of the whole process).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Points handed to the sink successfully.
    pub written: u64,
    /// Points the sink failed to write.
    pub failed: u64,
    /// Points dropped because the invocation had already written its 250.
    pub dropped_over_limit: u64,
    /// Points emitted outside any [`crate::Scope`] with no global sink set: not written.
    pub dropped_without_scope: u64,
    /// Fields cut to fit Analytics Engine's size limits.
    pub truncated_fields: u64,
    /// NaN or infinite doubles replaced by the non-finite rule.
    pub non_finite_doubles: u64,
}

/// How many counters [`Stats`] has.
const COUNTERS: usize = 6;

/// What became of one point handed to a sink, to be counted.
///
/// Counting a point goes through this rather than a [`Stats`] delta: it travels in registers and
/// touches only the counters it changes. (A 48-byte delta returned through memory and added back
/// as vectors cost a store-forwarding stall per point.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct Written {
    /// Whether the sink took the point.
    pub(crate) ok: bool,
    /// What clamping changed in it.
    pub(crate) clamped: Clamped,
}

impl Stats {
    /// Counts one point handed to a sink.
    #[inline]
    fn count(&mut self, point: Written) {
        self.written += u64::from(point.ok);
        self.failed += u64::from(!point.ok);
        self.truncated_fields += u64::from(point.clamped.truncated_fields);
        self.non_finite_doubles += u64::from(point.clamped.non_finite_doubles);
    }

    fn to_array(self) -> [u64; COUNTERS] {
        [
            self.written,
            self.failed,
            self.dropped_over_limit,
            self.dropped_without_scope,
            self.truncated_fields,
            self.non_finite_doubles,
        ]
    }

    fn from_array(counts: [u64; COUNTERS]) -> Self {
        let [written, failed, dropped_over_limit, dropped_without_scope, truncated_fields, non_finite_doubles] =
            counts;
        Stats {
            written,
            failed,
            dropped_over_limit,
            dropped_without_scope,
            truncated_fields,
            non_finite_doubles,
        }
    }
}

impl AddAssign for Stats {
    fn add_assign(&mut self, other: Stats) {
        let mut sum = self.to_array();
        for (total, n) in sum.iter_mut().zip(other.to_array()) {
            *total += n;
        }
        *self = Stats::from_array(sum);
    }
}

/// Per-scope counters (a scope lives on one thread). They are added to the process-wide counters
/// once, when the scope ends, rather than once per point.
#[derive(Debug, Default)]
pub(crate) struct LocalStats(Cell<Stats>);

impl Drop for LocalStats {
    fn drop(&mut self) {
        add_global(self.0.get());
    }
}

impl LocalStats {
    pub(crate) fn add(&self, counts: Stats) {
        let mut stats = self.0.get();
        stats += counts;
        self.0.set(stats);
    }

    /// Counts one point handed to a sink.
    #[inline]
    pub(crate) fn count(&self, point: Written) {
        let mut stats = self.0.get();
        stats.count(point);
        self.0.set(stats);
    }

    pub(crate) fn get(&self) -> Stats {
        self.0.get()
    }
}

/// Counters any thread may read. In a thread's own [`ThreadCounters`] only that thread writes, with
/// a plain load and store rather than an atomic read-modify-write: counting a point costs no locked
/// instruction, and threads writing points at once do not contend for one cache line.
struct SharedCounts([AtomicU64; COUNTERS]);

impl SharedCounts {
    const fn new() -> Self {
        SharedCounts([const { AtomicU64::new(0) }; COUNTERS])
    }

    /// Adds `counts`; only ever called by the one thread that owns these counters.
    #[inline]
    fn add_as_owner(&self, counts: Stats) {
        for (slot, n) in self.0.iter().zip(counts.to_array()) {
            if n > 0 {
                add_as_owner(slot, n);
            }
        }
    }

    /// Counts one point; only ever called by the one thread that owns these counters.
    #[inline]
    fn count_as_owner(&self, point: Written) {
        let [written, failed, _, _, truncated_fields, non_finite_doubles] = &self.0;
        add_as_owner(if point.ok { written } else { failed }, 1);
        if point.clamped != Clamped::default() {
            add_as_owner(truncated_fields, point.clamped.truncated_fields.into());
            add_as_owner(non_finite_doubles, point.clamped.non_finite_doubles.into());
        }
    }

    /// Adds `counts` from any thread.
    fn add_shared(&self, counts: Stats) {
        for (slot, n) in self.0.iter().zip(counts.to_array()) {
            if n > 0 {
                slot.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    fn get(&self) -> Stats {
        Stats::from_array(std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed)))
    }
}

/// Adds `n` to a counter only its owning thread writes: a plain load and store, no locked
/// instruction (other threads only read it).
#[inline]
fn add_as_owner(slot: &AtomicU64, n: u64) {
    slot.store(slot.load(Ordering::Relaxed) + n, Ordering::Relaxed);
}

/// The counters of every live thread that has counted something.
static THREADS: Mutex<Vec<Arc<SharedCounts>>> = Mutex::new(Vec::new());

/// The counts of threads that have ended, and those made while a thread was ending (after its own
/// counters were gone). Several threads add here, so atomically.
static ENDED: SharedCounts = SharedCounts::new();

/// This thread's counters, registered in [`THREADS`] on first use (one allocation per thread).
/// When the thread ends, its counts move to [`ENDED`].
struct ThreadCounters(Arc<SharedCounts>);

impl ThreadCounters {
    fn register() -> Self {
        let counts = Arc::new(SharedCounts::new());
        threads().push(Arc::clone(&counts));
        ThreadCounters(counts)
    }
}

impl Drop for ThreadCounters {
    fn drop(&mut self) {
        // Under the registry's lock, so that a reader sees these counts exactly once.
        let mut threads = threads();
        ENDED.add_shared(self.0.get());
        threads.retain(|counts| !Arc::ptr_eq(counts, &self.0));
    }
}

thread_local! {
    static THIS_THREAD: ThreadCounters = ThreadCounters::register();
}

fn threads() -> MutexGuard<'static, Vec<Arc<SharedCounts>>> {
    THREADS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Adds to this thread's counters with `as_owner`; once they are gone (the thread is ending),
/// adds `counts()` to [`ENDED`] instead.
#[inline]
fn add_on_this_thread(as_owner: impl FnOnce(&SharedCounts), counts: impl FnOnce() -> Stats) {
    if THIS_THREAD
        .try_with(|counters| as_owner(&counters.0))
        .is_err()
    {
        ENDED.add_shared(counts());
    }
}

/// Adds to the process-wide counters only (for points outside any scope, and scopes that end).
#[inline]
pub(crate) fn add_global(counts: Stats) {
    add_on_this_thread(|own| own.add_as_owner(counts), || counts);
}

/// Counts a point written outside any scope in the process-wide counters.
#[inline]
pub(crate) fn count_global(point: Written) {
    add_on_this_thread(
        |own| own.count_as_owner(point),
        || {
            let mut counts = Stats::default();
            counts.count(point);
            counts
        },
    );
}

/// What happened to every point of this process (this isolate, on Workers) since it started: the
/// points written outside any scope, and those of every scope that has ended, on every thread.
pub fn global_stats() -> Stats {
    let threads = threads();
    let mut stats = ENDED.get();
    for counts in threads.iter() {
        stats += counts.get();
    }
    stats
}
