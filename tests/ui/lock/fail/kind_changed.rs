// `phase` was text in blob2; a FixedText enum is another kind.
#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Phase { Queued, Done }

#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct KindChanged {
    #[index] #[blob(1)] event: String,
    #[double(1)] attempts: f64,
    #[blob(2)] phase: Phase,
}

fn main() {}
