//! Counters of what happened to points: nothing is lost silently.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Which counter to bump.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counter {
    Written,
    Failed,
    DroppedOverLimit,
    DroppedWithoutScope,
    TruncatedFields,
    NonFiniteDoubles,
}

impl Stats {
    fn value(mut self, counter: Counter) -> u64 {
        *self.slot(counter)
    }

    fn slot(&mut self, counter: Counter) -> &mut u64 {
        match counter {
            Counter::Written => &mut self.written,
            Counter::Failed => &mut self.failed,
            Counter::DroppedOverLimit => &mut self.dropped_over_limit,
            Counter::DroppedWithoutScope => &mut self.dropped_without_scope,
            Counter::TruncatedFields => &mut self.truncated_fields,
            Counter::NonFiniteDoubles => &mut self.non_finite_doubles,
        }
    }
}

/// Per-scope counters (a scope lives on one thread). They are added to the process-wide counters
/// once, when the scope ends, rather than with an atomic operation per point.
#[derive(Debug, Default)]
pub(crate) struct LocalStats(Cell<Stats>);

impl Drop for LocalStats {
    fn drop(&mut self) {
        let stats = self.0.get();
        for counter in COUNTERS {
            add_global(counter, stats.value(counter));
        }
    }
}

const COUNTERS: [Counter; 6] = [
    Counter::Written,
    Counter::Failed,
    Counter::DroppedOverLimit,
    Counter::DroppedWithoutScope,
    Counter::TruncatedFields,
    Counter::NonFiniteDoubles,
];

impl LocalStats {
    pub(crate) fn add(&self, counter: Counter, n: u64) {
        if n == 0 {
            return;
        }
        let mut stats = self.0.get();
        *stats.slot(counter) += n;
        self.0.set(stats);
    }

    pub(crate) fn get(&self) -> Stats {
        self.0.get()
    }
}

struct GlobalStats([AtomicU64; 6]);

static GLOBAL: GlobalStats = GlobalStats([const { AtomicU64::new(0) }; 6]);

impl GlobalStats {
    fn add(&self, counter: Counter, n: u64) {
        self.0[counter as usize].fetch_add(n, Ordering::Relaxed);
    }
}

/// Adds to the process-wide counters only (for points outside any scope).
pub(crate) fn add_global(counter: Counter, n: u64) {
    if n > 0 {
        GLOBAL.add(counter, n);
    }
}

/// What happened to every point of this process (this isolate, on Workers) since it started: the
/// points written outside any scope, and those of every scope that has ended.
pub fn global_stats() -> Stats {
    let mut stats = Stats::default();
    for counter in COUNTERS {
        *stats.slot(counter) = GLOBAL.0[counter as usize].load(Ordering::Relaxed);
    }
    stats
}
