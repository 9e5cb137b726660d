#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Misspelled {
    #[index] #[blob(1)] event: String,
    #[blobs(2)] user_id: String,
    #[dobule(1)] value: f64,
}

fn main() {}
