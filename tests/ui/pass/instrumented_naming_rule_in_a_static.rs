#![deny(warnings)]
//! A custom naming rule is a `fn(&str, &str) -> String`: a function, or a static or constant
//! holding one.

use tallymark_tests::Sample;

fn upper(method: &str, route: &str) -> String {
    format!("{method} {route}").to_uppercase()
}

static RULE: fn(&str, &str) -> String = upper;
const SAME_RULE: fn(&str, &str) -> String = upper;

#[tallymark::instrumented(Sample, route = "GET /users/:id", naming = RULE)]
fn get_user() {}

#[tallymark::instrumented(Sample, route = "PUT /users/:id", naming = SAME_RULE)]
fn put_user() {}

fn main() {
    get_user();
    put_user();
}
