// A field the build may leave out: the macro reads it before `cfg` applies, so its slot would stay
// in the schema. One error each, at the attribute.
#[tallymark::layout(dataset = "configured", binding = "CONFIGURED")]
pub struct Configured {
    #[index]
    #[blob(1)]
    event: String,
    #[cfg(feature = "extra")]
    #[blob(2)]
    extra: String,
    #[cfg_attr(feature = "extra", blob(3))]
    other: String,
}

fn main() {}
