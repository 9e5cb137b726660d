// blob3 is retired: a new field may not take it.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Reused {
    #[index] #[blob(1)] event: String,
    #[blob(2)] owner: String,
    #[blob(3)] zone: String,
}

fn main() {}
