// `record!` in a function without `#[instrumented]`: one error, at the macro, naming the fix.
fn load_user(id: String) {
    tallymark::record!(user = id);
}

fn main() {
    load_user(String::new());
}
