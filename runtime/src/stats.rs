//! Counters of what happened to points: nothing is lost silently.

use crate::limits::Clamped;
use std::cell::Cell;
use std::ops::AddAssign;
use std::sync::atomic::{AtomicU64, Ordering};

/// What happened to the points of one scope (or, from [`global_stats`], of the whole process).
/// Serializes as an object of its counters by name (for a health or debug route).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Points handed to the sink successfully.
    pub written: u64,
    /// Points the sink failed to write.
    pub failed: u64,
    /// Points the sink had no destination for (an Analytics Engine binding missing from `env`).
    pub dropped_without_binding: u64,
    /// Points dropped because the invocation had already written its 250.
    pub dropped_over_limit: u64,
    /// Points emitted outside any [`crate::Scope`] with no global sink set: not written.
    pub dropped_without_scope: u64,
    /// Fields cut to fit Analytics Engine's size limits.
    pub truncated_fields: u64,
    /// NaN or infinite doubles replaced by the non-finite rule.
    pub non_finite_doubles: u64,
    /// Calls of a layout's `record` made while no instrumented call of that layout was running:
    /// their fields went nowhere.
    pub records_outside_call: u64,
    /// `#[hashed]` fields written empty because the scope had no hash key for their layout:
    /// one for each point, and each console line, that left a field out (an event logged with a
    /// line and a point counts its field in both).
    pub unhashed_fields: u64,
}

/// How many counters [`Stats`] has.
const COUNTERS: usize = 9;

/// What became of one point handed to a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The sink took it.
    Written,
    /// The sink failed to write it.
    Failed,
    /// The sink had nowhere to write it.
    NoDestination,
}

/// One point handed to a sink, to be counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Written {
    /// What the sink did with it.
    pub(crate) delivery: Delivery,
    /// What clamping changed in it.
    pub(crate) clamped: Clamped,
}

impl Stats {
    /// Counts one point handed to a sink.
    fn count(&mut self, point: Written) {
        match point.delivery {
            Delivery::Written => self.written += 1,
            Delivery::Failed => self.failed += 1,
            Delivery::NoDestination => self.dropped_without_binding += 1,
        }
        self.truncated_fields += u64::from(point.clamped.truncated_fields);
        self.non_finite_doubles += u64::from(point.clamped.non_finite_doubles);
    }

    fn to_array(self) -> [u64; COUNTERS] {
        [
            self.written,
            self.failed,
            self.dropped_without_binding,
            self.dropped_over_limit,
            self.dropped_without_scope,
            self.truncated_fields,
            self.non_finite_doubles,
            self.records_outside_call,
            self.unhashed_fields,
        ]
    }

    fn from_array(counts: [u64; COUNTERS]) -> Self {
        let [written, failed, dropped_without_binding, dropped_over_limit, dropped_without_scope, truncated_fields, non_finite_doubles, records_outside_call, unhashed_fields] =
            counts;
        Stats {
            written,
            failed,
            dropped_without_binding,
            dropped_over_limit,
            dropped_without_scope,
            truncated_fields,
            non_finite_doubles,
            records_outside_call,
            unhashed_fields,
        }
    }

    /// What happened since `earlier` (a reading of the same counters), counter by counter: for
    /// the points of one stretch of work from two readings of [`global_stats`].
    #[must_use]
    pub fn since(self, earlier: Stats) -> Stats {
        self.combine(earlier, u64::saturating_sub)
    }

    /// `op` applied counter by counter.
    fn combine(self, other: Stats, op: impl Fn(u64, u64) -> u64) -> Stats {
        let (a, b) = (self.to_array(), other.to_array());
        Stats::from_array(std::array::from_fn(|i| op(a[i], b[i])))
    }

    /// Every point that was not written, whatever the reason (saturating, as the counts add).
    pub fn lost(&self) -> u64 {
        [
            self.failed,
            self.dropped_without_binding,
            self.dropped_over_limit,
            self.dropped_without_scope,
        ]
        .into_iter()
        .fold(0, u64::saturating_add)
    }
}

impl AddAssign for Stats {
    fn add_assign(&mut self, other: Stats) {
        *self = self.combine(other, u64::saturating_add);
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
    pub(crate) fn count(&self, point: Written) {
        let mut stats = self.0.get();
        stats.count(point);
        self.0.set(stats);
    }

    pub(crate) fn get(&self) -> Stats {
        self.0.get()
    }
}

/// The process-wide counters: points written outside any scope, and every scope that has ended.
static GLOBAL: [AtomicU64; COUNTERS] = [const { AtomicU64::new(0) }; COUNTERS];

/// Adds to the process-wide counters only (for points outside any scope, and scopes that end).
pub(crate) fn add_global(counts: Stats) {
    for (counter, n) in GLOBAL.iter().zip(counts.to_array()) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// Counts a point written outside any scope in the process-wide counters.
pub(crate) fn count_global(point: Written) {
    let mut counts = Stats::default();
    counts.count(point);
    add_global(counts);
}

/// What happened to every point of this process (this isolate, on Workers) since it started: the
/// points written outside any scope, and those of every scope that has ended, on every thread.
pub fn global_stats() -> Stats {
    Stats::from_array(std::array::from_fn(|i| GLOBAL[i].load(Ordering::Relaxed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_points_add_up_without_overflowing() {
        let stats = Stats {
            failed: 1,
            dropped_without_binding: 2,
            dropped_over_limit: 3,
            dropped_without_scope: 4,
            written: 100,
            ..Stats::default()
        };
        assert_eq!(stats.lost(), 10);
        let huge = Stats {
            failed: u64::MAX,
            dropped_over_limit: 1,
            ..Stats::default()
        };
        assert_eq!(huge.lost(), u64::MAX);
    }

    fn written(delivery: Delivery, truncated_fields: u32, non_finite_doubles: u32) -> Written {
        Written {
            delivery,
            clamped: Clamped {
                truncated_fields,
                non_finite_doubles,
            },
        }
    }

    #[test]
    fn each_delivery_has_its_own_counter() {
        let local = LocalStats::default();
        local.count(written(Delivery::Written, 2, 1));
        local.count(written(Delivery::Failed, 0, 0));
        local.count(written(Delivery::NoDestination, 0, 3));
        let stats = local.get();
        assert_eq!(
            (stats.written, stats.failed, stats.dropped_without_binding),
            (1, 1, 1)
        );
        assert_eq!((stats.truncated_fields, stats.non_finite_doubles), (2, 4));
        assert_eq!(stats.lost(), 2);
        std::mem::forget(local);
    }

    #[test]
    fn a_scope_adds_its_counts_to_the_process_when_it_ends() {
        let before = global_stats();
        let local = LocalStats::default();
        local.add(Stats {
            dropped_over_limit: 3,
            ..Stats::default()
        });
        drop(local);
        // Other tests add concurrently: this one's counts are at least there.
        assert!(global_stats().dropped_over_limit >= before.dropped_over_limit + 3);
    }

    #[test]
    fn stats_serialize_as_their_counters_by_name() {
        let stats = Stats {
            written: 2,
            unhashed_fields: 1,
            ..Stats::default()
        };
        assert_eq!(
            serde_json::to_string(&stats).unwrap(),
            r#"{"written":2,"failed":0,"dropped_without_binding":0,"dropped_over_limit":0,"dropped_without_scope":0,"truncated_fields":0,"non_finite_doubles":0,"records_outside_call":0,"unhashed_fields":1}"#
        );
    }

    #[test]
    fn stats_add_counter_by_counter() {
        let mut a = Stats {
            written: 1,
            non_finite_doubles: 2,
            ..Stats::default()
        };
        a += Stats {
            written: 3,
            dropped_without_scope: 4,
            ..Stats::default()
        };
        assert_eq!(Stats::from_array(a.to_array()), a);
        assert_eq!(
            a.since(Stats {
                written: 1,
                ..Stats::default()
            }),
            Stats {
                written: 3,
                non_finite_doubles: 2,
                dropped_without_scope: 4,
                ..Stats::default()
            }
        );
        assert_eq!(
            (a.written, a.dropped_without_scope, a.non_finite_doubles),
            (4, 4, 2)
        );
    }
}
