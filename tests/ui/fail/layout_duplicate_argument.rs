#[tallymark::layout(dataset = "d", binding = "B", dataset = "e")]
pub struct DuplicateArgument {
    #[index] event: String,
}

fn main() {}
