// Generics nested past the macros' bound (32 levels, the struct's braces one of them), which
// syn would parse recursively: one error, at the first `<` too deep; the struct is not expanded,
// as when it does not parse.
#[tallymark::layout(dataset = "deep", binding = "DEEP")]
pub struct Deep {
    #[blob(1)]
    event: String,
    #[blob(2)]
    nested: Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<Option<u8>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>,
}

fn main() {}
