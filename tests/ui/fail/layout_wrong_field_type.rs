#[tallymark::layout(dataset = "d", binding = "B")]
pub struct WrongTypes {
    #[index] #[blob(1)] event: String,
    #[blob(2)] attempts: u32,
    #[double(1)] status: String,
}

fn main() {}
