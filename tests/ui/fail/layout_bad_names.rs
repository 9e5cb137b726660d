#[tallymark::layout(dataset = "app-events", binding = 42)]
pub struct BadNames {
    #[index] event: String,
}

fn main() {}
