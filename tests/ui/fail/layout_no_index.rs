#[tallymark::layout(dataset = "d", binding = "B")]
pub struct NoIndex {
    #[blob(1)] event: String,
}

fn main() {}
