// Under `off` the attribute still checks a custom naming rule's type.
use tallymark_tests::Sample;

fn rule(route: &str) -> String {
    route.to_owned()
}

#[tallymark::instrumented(Sample, route = "GET /users/:id", naming = rule)]
fn get_user() {}

fn main() {
    get_user();
}
