use tallymark_tests::Sample;

#[tallymark::instrumented(Sample, route = "GET /api/status")]
async fn handler() -> Result<u32, std::fmt::Error> {
    let count: u32 = "three";
    Ok(count)
}

fn main() {
    drop(handler());
}
