#[tallymark::layout(dataset = "d", binding = "B")]
pub struct TwoIndexes {
    #[index] #[blob(1)] event: String,
    #[index] tenant: String,
}

fn main() {}
