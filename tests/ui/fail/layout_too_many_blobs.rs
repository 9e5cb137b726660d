#[tallymark::layout(dataset = "d", binding = "B")]
pub struct TooManyBlobs {
    #[index] event: String,
    #[blob(1)] b1: String,
    #[blob(2)] b2: String,
    #[blob(3)] b3: String,
    #[blob(4)] b4: String,
    #[blob(5)] b5: String,
    #[blob(6)] b6: String,
    #[blob(7)] b7: String,
    #[blob(8)] b8: String,
    #[blob(9)] b9: String,
    #[blob(10)] b10: String,
    #[blob(11)] b11: String,
    #[blob(12)] b12: String,
    #[blob(13)] b13: String,
    #[blob(14)] b14: String,
    #[blob(15)] b15: String,
    #[blob(16)] b16: String,
    #[blob(17)] b17: String,
    #[blob(18)] b18: String,
    #[blob(19)] b19: String,
    #[blob(20)] b20: String,
    #[blob(21)] b21: String,
}

fn main() {}
