// blob2 held `owner`: `tenant` there would read old rows as tenants.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Held {
    #[index] #[blob(1)] event: String,
    #[blob(2)] tenant: String,
}

fn main() {}
