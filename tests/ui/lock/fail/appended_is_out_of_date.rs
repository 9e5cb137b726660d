// Appending a field is allowed, and reported as a warning until the lock is updated: under
// `deny(warnings)`, as in CI, it fails.
#![deny(warnings)]

#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Appended {
    #[index] #[blob(1)] event: String,
    #[blob(2)] owner: String,
}

fn main() {
    Appended::point().event("e").owner("o").emit();
}
