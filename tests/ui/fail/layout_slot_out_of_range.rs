#[tallymark::layout(dataset = "d", binding = "B")]
pub struct OutOfRange {
    #[index] #[blob(0)] event: String,
    #[blob(21)] user_id: String,
    #[double(99)] value: f64,
}

fn main() {}
