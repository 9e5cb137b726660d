//! A small layout for the runtime's unit tests: an event name (index and blob 1), a text (blob 2)
//! with a gap before the error (blob 4), and a number.
// The tests use some of its builder's methods; the layout macro writes them all.
#![allow(dead_code)]

#[tallymark_macros::layout(dataset = "probes", binding = "PROBES", crate = crate)]
pub(crate) struct Probe {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    note: String,
    #[blob(4)]
    error: String,
    #[double(1)]
    duration_ms: f64,
}

/// A point of [`Probe`] named `event` with `note`.
pub(crate) fn probe(event: &'static str, note: &'static str) -> ProbePoint<'static> {
    let mut point = Probe::point();
    point.event(event).note(note);
    point
}
