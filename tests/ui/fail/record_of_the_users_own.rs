// A bare `record!` in an instrumented body is tallymark's, so a macro of the user's named `record`
// gets tallymark's input there: the error is at that `record!`. (Called by a path, `crate::record!`,
// it is the user's.)
macro_rules! record {
    ($e:expr) => {
        println!("{}", $e)
    };
}

#[tallymark::instrumented(tallymark_tests::Sample, event = "d")]
fn uses_own_record(x: u32) -> u32 {
    record!(x);
    x
}

fn main() {
    let _ = uses_own_record(1);
}
