// Three mistakes, one error each: a hashed field without the layout's key, a hashed number, and a
// field both hashed and redacted.
#[tallymark::layout(dataset = "d", binding = "B")]
pub struct NoKey {
    #[index] #[blob(1)] event: String,
    #[blob(2)] #[hashed] email: String,
}

#[tallymark::layout(dataset = "d", binding = "B", hash_key = "K")]
pub struct Mixed {
    #[index] #[blob(1)] event: String,
    #[double(1)] #[hashed] balance: f64,
    #[blob(2)] #[hashed] #[redacted] email: String,
}

fn main() {}
