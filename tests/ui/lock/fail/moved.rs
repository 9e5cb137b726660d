// `region` moved from blob3 to blob4: old rows hold it in blob3.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Moved {
    #[index] #[blob(1)] event: String,
    #[blob(2)] owner: String,
    #[blob(4)] region: String,
}

fn main() {}
