// Under `off`, `record!` outside an instrumented function is the same error.
fn load_user(id: String) {
    tallymark::record!(user = id);
}

fn main() {
    load_user(String::new());
}
