// A new value is allowed, and reported until the lock is updated: under `deny(warnings)` it fails.
#![deny(warnings)]

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Grown {
    Queued,
    Running,
}

fn main() {
    let _ = tallymark::FixedText::text(&Grown::Running);
    let _ = Grown::Queued;
}
