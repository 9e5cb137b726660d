// Compiled with TALLYMARK_LOCK=write by tests/tests/lock_write.rs: the layout's section of the lock
// is rewritten from it (`region` removed, `zone` appended), and the enum's values recorded.
#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Phase {
    Queued,
    Running,
}

#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Rewritten {
    /// The event name.
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    owner: String,
    #[blob(4)]
    zone: String,
    #[blob(5)]
    phase: Phase,
    #[double(1)]
    attempts: f64,
}

fn main() {
    Rewritten::point()
        .event("e")
        .owner("o")
        .zone("z")
        .phase(Phase::Running)
        .attempts(1)
        .emit();
}
