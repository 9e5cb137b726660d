// The dataset's rows stay under its old name.
#[tallymark::layout(dataset = "jobs_v2", binding = "JOBS")]
pub struct RenamedDataset {
    #[index] event: String,
}

fn main() {}
