#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    emit: String,
    #[blob(3)]
    get_event: String,
}

fn main() {}
