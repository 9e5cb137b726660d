// `owner` is gone but its slot is not retired in the lock.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Removed {
    #[index] #[blob(1)] event: String,
}

fn main() {}
