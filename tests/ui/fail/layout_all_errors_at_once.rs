// Every mistake of one layout is reported in one compile, and the struct still exists: the
// function below that names it compiles without a further error.
#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Broken {
    #[blob(1)] event: String,
    #[blob(1)] user_id: String,
    #[double(25)] value: f64,
    #[doubel(2)] other: f64,
    untagged: String,
}

pub fn uses_the_struct(broken: &Broken) -> &String {
    &broken.event
}

fn main() {}
