// A custom naming rule is a function of the method and the route that returns the name.
use tallymark_tests::Sample;

fn rule(route: &str) -> String {
    route.to_owned()
}

#[tallymark::instrumented(Sample, route = "GET /users/:id", naming = rule)]
fn get_user() {}

fn main() {
    get_user();
}
