#[tallymark::layout(datset = "d", binding = "B", sampling = 10)]
pub struct UnknownArgument {
    #[index] event: String,
}

fn main() {}
