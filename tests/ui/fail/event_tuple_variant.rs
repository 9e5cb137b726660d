// A variant with unnamed fields: one error, at the fields (their names are the line's keys).
#[derive(tallymark::events::Event)]
#[tallymark(layout = tallymark_tests::JobEvent)]
pub enum Failure {
    Failed(String),
}

fn main() {}
