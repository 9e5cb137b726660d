use tallymark_tests::ApiEvent;

#[tallymark::instrumented(ApiEvent, event = "e", fields(user = 42_u64))]
fn handler() {
    tallymark::record!(duration_ms = "slow");
}

fn main() {
    handler();
}
