// A rename at the same slot and kind is explicit, and allowed; here the lock already records it
// as `owner`, so it is out of date, which is allowed to warn.
#[tallymark::layout(dataset = "jobs", binding = "JOBS")]
pub struct Renamed {
    #[index] #[blob(1)] event: String,
    #[renamed_from = "owner"]
    #[blob(2)] tenant: String,
}

fn main() {
    Renamed::point().event("e").tenant("t").emit();
}
