#[tallymark::layout(dataset = "d", binding = "B", naming = "api_crd", error_text = words(10))]
pub struct Event {
    #[index]
    event: String,
}

fn main() {}
