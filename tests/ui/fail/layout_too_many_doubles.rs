#[tallymark::layout(dataset = "d", binding = "B")]
pub struct TooManyDoubles {
    #[index] event: String,
    #[double(1)] d1: f64,
    #[double(2)] d2: f64,
    #[double(3)] d3: f64,
    #[double(4)] d4: f64,
    #[double(5)] d5: f64,
    #[double(6)] d6: f64,
    #[double(7)] d7: f64,
    #[double(8)] d8: f64,
    #[double(9)] d9: f64,
    #[double(10)] d10: f64,
    #[double(11)] d11: f64,
    #[double(12)] d12: f64,
    #[double(13)] d13: f64,
    #[double(14)] d14: f64,
    #[double(15)] d15: f64,
    #[double(16)] d16: f64,
    #[double(17)] d17: f64,
    #[double(18)] d18: f64,
    #[double(19)] d19: f64,
    #[double(20)] d20: f64,
    #[double(3)] d21: f64,
}

fn main() {}
