#[tallymark::layout(dataset = "d", binding = "B")]
pub struct SharedSlot {
    #[index] #[blob(1)] event: String,
    #[blob(2)] user_id: String,
    #[blob(2)] route: String,
    #[double(1)] duration_ms: f64,
    #[double(1)] value: f64,
}

fn main() {}
