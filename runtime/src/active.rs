//! The instrumented calls running on this thread, so that a function a call runs can record
//! fields into that call's point without being handed the call ([`record`]).
//!
//! Rules:
//! - A call is *active* while its body runs: for a plain function, from entry to return; for an
//!   `async fn`, only while its future is being polled. Two calls whose futures are joined on
//!   one thread are therefore never active at the same time, and calls nest.
//! - [`record`] writes into the innermost active call of its layout, into a side point kept
//!   here; the call takes it back ([`take`]) before the body's next `record!` and before its
//!   point is written, so the last value recorded wins, whoever recorded it.
//! - With no active call of the layout, nothing is written and the record is counted.
//! - A call may *yield* to inner calls (the axum layer's does): when a call of its layout starts
//!   while it is the innermost active call of that layout, it is marked superseded, and writes no
//!   point of its own ([`supersede`]).

use crate::layout::Layout;
use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Identifies one call among those that have run on this thread (`0`: none yet given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CallId(u64);

/// A call whose body is running.
#[derive(Clone, Copy)]
struct Active {
    call: CallId,
    layout: TypeId,
    /// Whether a function it ran has recorded something the call has not taken yet.
    recorded: bool,
    /// Whether the call gives way to a call of its layout started inside it.
    yields: bool,
    /// Whether such a call has started.
    superseded: bool,
}

/// How deep active calls are tracked. A call deeper than this is not active: a record made
/// under it is counted as made outside any call, never written into a call further out.
const MAX_DEPTH: usize = 32;

/// The active calls of this thread. It owns nothing that needs dropping, so reaching it costs a
/// plain thread-local access.
struct Stack {
    /// How many calls are active, also past `MAX_DEPTH`.
    depth: Cell<usize>,
    /// The active calls, outermost first, up to `depth` (or `MAX_DEPTH`).
    calls: [Cell<Option<Active>>; MAX_DEPTH],
    /// The last id given.
    last_id: Cell<u64>,
    /// How many of the tracked active calls yield ([`CallSlot::yielding`]): while none does, a
    /// call starting has nothing to supersede and need not look.
    yielding: Cell<usize>,
}

/// Fields recorded into a call by the functions it runs, not yet taken by the call.
struct Recorded {
    call: CallId,
    /// The layout's `Point<'static>`.
    point: Box<dyn Any>,
}

thread_local! {
    static STACK: Stack = const {
        Stack {
            depth: Cell::new(0),
            calls: [const { Cell::new(None) }; MAX_DEPTH],
            last_id: Cell::new(0),
            yielding: Cell::new(0),
        }
    };
    static RECORDED: RefCell<Vec<Recorded>> = const { RefCell::new(Vec::new()) };
}

impl Stack {
    /// The innermost active call for which `matches` holds, within the tracked depth.
    fn innermost(&self, matches: impl Fn(&Active) -> bool) -> Option<&Cell<Option<Active>>> {
        let depth = self.depth.get();
        if depth > MAX_DEPTH {
            return None;
        }
        self.calls[..depth]
            .iter()
            .rev()
            .find(|entry| entry.get().is_some_and(|active| matches(&active)))
    }

    /// The entry of `call`, wherever it is among the tracked entries (also while calls deeper
    /// than the tracked depth are active).
    fn entry_of(&self, call: CallId) -> Option<&Cell<Option<Active>>> {
        let tracked = self.depth.get().min(MAX_DEPTH);
        self.calls[..tracked]
            .iter()
            .rev()
            .find(|entry| entry.get().is_some_and(|active| active.call == call))
    }
}

/// Runs `f` with the recorded fields of this thread; `None` while the thread is being torn down
/// or when they are already borrowed further up the stack (nothing panics).
fn with_recorded<R>(f: impl FnOnce(&mut Vec<Recorded>) -> R) -> Option<R> {
    RECORDED
        .try_with(|recorded| recorded.try_borrow_mut().ok().map(|mut r| f(&mut r)))
        .ok()
        .flatten()
}

/// Removes and returns the side point of `call`, if it has one.
fn take_recorded(call: CallId) -> Option<Box<dyn Any>> {
    with_recorded(|recorded| {
        let i = recorded.iter().position(|r| r.call == call)?;
        Some(recorded.swap_remove(i).point)
    })
    .flatten()
}

/// What a call keeps of its life as an active call: the id it is given when it first becomes
/// active, and whether the functions it ran recorded anything it has not taken yet (so a call
/// that recorded nothing need not look).
#[derive(Debug, Default)]
pub(crate) struct CallSlot {
    id: Cell<u64>,
    recorded: Cell<bool>,
    yields: bool,
    superseded: Cell<bool>,
    /// How many times the call is entered now: more than once when it runs inside itself (its
    /// `run_sync` inside its `run`), whose entries then share what they learn.
    entered: Cell<u32>,
}

impl CallSlot {
    /// The slot of a call that yields to the calls of its layout started inside it ([`supersede`]).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn yielding() -> Self {
        CallSlot {
            yields: true,
            ..CallSlot::default()
        }
    }

    /// Whether a call of its layout started inside this yielding call.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn superseded(&self) -> bool {
        self.superseded.get()
    }
}

/// Marks a call active until dropped (also when unwinding). Guards are dropped in the reverse
/// order of their making, so each removes the entry it added.
pub(crate) struct Entered<'c> {
    slot: &'c CallSlot,
}

// Entering and leaving are not `#[inline]`: every instrumented future calls them at each poll,
// and inlined they would be compiled again in every crate that instruments. A poll pays two
// calls for it where LTO does not inline them.
impl<'c> Entered<'c> {
    pub(crate) fn enter(slot: &'c CallSlot, layout: TypeId) -> Entered<'c> {
        let again = slot.entered.replace(slot.entered.get().saturating_add(1)) > 0;
        let _ = STACK.try_with(|stack| {
            let depth = stack.depth.get();
            if let Some(entry) = stack.calls.get(depth) {
                if slot.id.get() == 0 {
                    let id = stack.last_id.get().wrapping_add(1).max(1);
                    stack.last_id.set(id);
                    slot.id.set(id);
                }
                let call = CallId(slot.id.get());
                // Entered inside itself, the call starts from what its outer entry knows.
                let outer = again
                    .then(|| stack.entry_of(call))
                    .flatten()
                    .and_then(Cell::get);
                entry.set(Some(Active {
                    call,
                    layout,
                    recorded: outer.map_or(slot.recorded.get(), |outer| outer.recorded),
                    yields: slot.yields,
                    superseded: outer.map_or(slot.superseded.get(), |outer| outer.superseded),
                }));
                if slot.yields {
                    stack.yielding.set(stack.yielding.get() + 1);
                }
            }
            stack.depth.set(depth.saturating_add(1));
        });
        Entered { slot }
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        let entered = self.slot.entered.get();
        self.slot.entered.set(entered.saturating_sub(1));
        let _ = STACK.try_with(|stack| {
            let depth = stack.depth.get().saturating_sub(1);
            stack.depth.set(depth);
            if let Some(active) = stack.calls.get(depth).and_then(Cell::take) {
                // Left from inside itself, the call tells its outer entry, which tells the slot.
                let outer = (entered > 1).then(|| stack.entry_of(active.call)).flatten();
                match outer {
                    Some(outer) => outer.set(outer.get().map(|outer| Active {
                        recorded: outer.recorded || active.recorded,
                        superseded: outer.superseded || active.superseded,
                        ..outer
                    })),
                    None => {
                        self.slot.recorded.set(active.recorded);
                        self.slot.superseded.set(active.superseded);
                    }
                }
                if active.yields {
                    stack.yielding.set(stack.yielding.get().saturating_sub(1));
                }
            }
        });
    }
}

pin_project_lite::pin_project! {
    /// A future whose call is active while it is polled; see [`crate::Call::run`].
    pub struct InCall<'c, F> {
        slot: &'c CallSlot,
        layout: TypeId,
        #[pin]
        future: F,
    }
}

impl<'c, F> InCall<'c, F> {
    pub(crate) fn new(slot: &'c CallSlot, layout: TypeId, future: F) -> Self {
        InCall {
            slot,
            layout,
            future,
        }
    }
}

impl<F: Future> Future for InCall<'_, F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = Entered::enter(this.slot, *this.layout);
        this.future.poll(cx)
    }
}

/// Called when a call of `layout` starts: if the innermost active call of that layout yields
/// ([`CallSlot::yielding`]), marks it superseded, so that only the call starting writes a point.
/// Without a yielding call active (no axum layer around), it costs one counter read.
#[inline]
pub(crate) fn supersede(layout: TypeId) {
    let yielding = STACK.try_with(|stack| stack.yielding.get() > 0);
    if yielding == Ok(true) {
        supersede_innermost(layout);
    }
}

/// [`supersede`]'s search. Not inlined: one copy serves every call site, so instrumentation's
/// wasm does not grow with it.
#[inline(never)]
fn supersede_innermost(layout: TypeId) {
    let _ = STACK.try_with(|stack| {
        let Some(entry) = stack.innermost(|active| active.layout == layout) else {
            return;
        };
        if let Some(active) = entry.get().filter(|active| active.yields) {
            entry.set(Some(Active {
                superseded: true,
                ..active
            }));
        }
    });
}

/// Runs `set` on the side point of the innermost active call of layout `L`. Returns `false`,
/// doing nothing, when no call of `L` is active.
pub(crate) fn record<L: Layout>(set: impl FnOnce(&mut L::Point<'static>)) -> bool {
    let layout = TypeId::of::<L>();
    let call = STACK
        .try_with(|stack| {
            let entry = stack.innermost(|active| active.layout == layout)?;
            let mut active = entry.get()?;
            active.recorded = true;
            entry.set(Some(active));
            Some(active.call)
        })
        .ok()
        .flatten();
    let Some(call) = call else {
        return false;
    };
    let kept = take_recorded(call);
    // `set` runs with nothing borrowed, so it may itself record.
    let mut point = kept
        .and_then(|point| point.downcast::<L::Point<'static>>().ok())
        .unwrap_or_else(|| Box::new(L::point()));
    set(&mut point);
    // A record made inside `set` put a point of its own back first: `set`'s fields go over it.
    let point: Box<dyn Any> =
        match take_recorded(call).and_then(|nested| nested.downcast::<L::Point<'static>>().ok()) {
            Some(mut nested) => {
                L::absorb(&mut nested, *point);
                nested
            }
            None => point,
        };
    with_recorded(|recorded| recorded.push(Recorded { call, point })).is_some()
}

/// Takes what the functions run by the call of `slot` (of layout `L`) recorded since the last
/// take. `active`: whether the caller is the call's body, which may be running, so that its
/// entry, while it has one, says whether anything is waiting rather than its slot.
#[inline]
pub(crate) fn take<L: Layout>(slot: &CallSlot, active: bool) -> Option<L::Point<'static>> {
    take_any(slot, active)?
        .downcast::<L::Point<'static>>()
        .ok()
        .map(|point| *point)
}

/// [`take`] without the downcast to the layout's point: compiled once, in tallymark, rather than
/// once per layout.
fn take_any(slot: &CallSlot, active: bool) -> Option<Box<dyn Any>> {
    let call = CallId(slot.id.get());
    let on_stack = active
        .then(|| {
            STACK
                .try_with(|stack| {
                    let entry = stack.entry_of(call)?;
                    let active = entry.get()?;
                    entry.set(Some(Active {
                        recorded: false,
                        ..active
                    }));
                    Some(active.recorded)
                })
                .ok()
                .flatten()
        })
        .flatten();
    // A call's own `record` made while its body is not running (a hand-made call, after `run`)
    // finds no entry: the slot says what is waiting.
    let waiting = on_stack.unwrap_or_else(|| slot.recorded.replace(false));
    if !waiting {
        return None;
    }
    take_recorded(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;
    use crate::test_layout::Probe as Test;
    use crate::{Call, Outcome, Scope};

    fn note(text: &'static str) -> bool {
        record::<Test>(|point| {
            point.note(text);
        })
    }

    #[test]
    fn a_record_needs_an_active_call_of_its_layout() {
        assert!(!note("outside"));
        let slot = CallSlot::default();
        let _active = Entered::enter(&slot, TypeId::of::<()>());
        assert!(!note("under a call of another layout"));
    }

    #[test]
    fn a_call_deeper_than_tracked_takes_no_record_and_gives_none_to_outer_calls() {
        let slots: Vec<CallSlot> = (0..=MAX_DEPTH).map(|_| CallSlot::default()).collect();
        let mut entered: Vec<Entered<'_>> = slots
            .iter()
            .map(|slot| Entered::enter(slot, TypeId::of::<Test>()))
            .collect();
        assert!(!note("too deep"), "the innermost call is not tracked");
        entered.pop();
        assert!(note("tracked again"));
        let innermost_tracked = &slots[MAX_DEPTH - 1];
        entered.pop();
        assert!(innermost_tracked.recorded.get());
        let point = take::<Test>(innermost_tracked, false).unwrap();
        assert_eq!(point.get_note(), "tracked again");
        assert!(
            take::<Test>(innermost_tracked, false).is_none(),
            "taken once"
        );
    }

    #[test]
    fn only_a_yielding_call_innermost_of_its_layout_is_superseded() {
        let test = TypeId::of::<Test>();
        let (yielding, plain) = (CallSlot::yielding(), CallSlot::default());
        {
            let _layer = Entered::enter(&yielding, test);
            supersede(TypeId::of::<()>());
            {
                let _inner = Entered::enter(&plain, test);
                supersede(test);
            }
        }
        assert!(
            !yielding.superseded(),
            "another layout, or an inner call, started"
        );
        {
            let _layer = Entered::enter(&yielding, test);
            supersede(test);
        }
        assert!(yielding.superseded());
        assert!(!plain.superseded(), "a plain call never yields");
    }

    /// The note of the one point a call of `Test` writes when `body` has run with it and it has
    /// finished; asserts that no side point is left behind.
    fn note_written(body: impl FnOnce(&Call<'static, Test>)) -> Option<String> {
        let sink = MemorySink::new();
        Scope::new(sink.clone()).run_sync(|| {
            let call = Call::<Test>::start("call", None);
            body(&call);
            call.finish(Outcome::Ok, None);
        });
        assert_eq!(
            RECORDED.with(|recorded| recorded.borrow().len()),
            0,
            "nothing left behind"
        );
        sink.last()?.text("note").map(str::to_owned)
    }

    #[test]
    fn a_record_made_while_recording_is_kept() {
        let note = note_written(|call| {
            call.run_sync(|| {
                record::<Test>(|point| {
                    point.note("outer");
                    assert!(note("inner"), "nothing is borrowed while `set` runs");
                });
            });
        });
        // The outer record's fields go over those of the record made inside it.
        assert_eq!(note.as_deref(), Some("outer"));
    }

    #[test]
    fn a_calls_own_record_after_its_body_ran_goes_over_what_the_body_recorded() {
        let note = note_written(|call| {
            call.run_sync(|| assert!(note("helper")));
            call.record(|point| {
                point.note("after");
            });
        });
        assert_eq!(note.as_deref(), Some("after"));
    }

    #[test]
    fn a_call_entered_inside_itself_keeps_what_its_inner_entry_recorded() {
        let note = note_written(|call| {
            call.run_sync(|| call.run_sync(|| assert!(note("inside"))));
        });
        assert_eq!(note.as_deref(), Some("inside"));
    }

    #[test]
    fn a_calls_own_record_under_calls_deeper_than_tracked_still_goes_over_older_records() {
        let note = note_written(|call| {
            call.run_sync(|| {
                assert!(note("helper"));
                let slots: Vec<CallSlot> = (0..MAX_DEPTH).map(|_| CallSlot::default()).collect();
                let _deeper: Vec<Entered<'_>> = slots
                    .iter()
                    .map(|slot| Entered::enter(slot, TypeId::of::<()>()))
                    .collect();
                call.record(|point| {
                    point.note("own");
                });
            });
        });
        assert_eq!(note.as_deref(), Some("own"));
    }
}
