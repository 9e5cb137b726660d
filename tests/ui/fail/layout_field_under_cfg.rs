// A field the build may leave out: the macro reads it before `cfg` applies, so its slot would stay
// in the schema; and a slot a build adds. One error each, at the attribute. A `cfg_attr` of other
// attributes (a doc, a lint) is the compiler's.
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
    #[cfg_attr(feature = "hashed", allow(dead_code), doc = "Documented in some builds.")]
    #[blob(4)]
    documented: String,
}

fn main() {}
