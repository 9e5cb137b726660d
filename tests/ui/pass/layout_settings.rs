//! Every form of a layout's `naming` and `error_text`, and `crate` on the derives.
#![deny(warnings)]

fn kebab(method: &str, route: &str) -> String {
    format!("{}-{}", method.to_lowercase(), route.trim_matches('/').replace('/', "-"))
}

#[tallymark::layout(dataset = "a", binding = "A", naming = "api_crud", error_text = utf16_units(100))]
pub struct A {
    #[index]
    event: String,
}

#[tallymark::layout(dataset = "b", binding = "B", naming = kebab, error_text = unlimited)]
pub struct B {
    #[index]
    event: String,
}

#[tallymark::layout(dataset = "c", binding = "C", naming = "path_method", error_text = bytes(64))]
pub struct C {
    #[index]
    event: String,
}

#[derive(Clone, Copy, tallymark::FixedText)]
#[tallymark(crate = ::tallymark)]
pub enum Kind {
    #[tallymark(text = "k-one")]
    One,
}

#[tallymark::instrumented(B, route = "GET /a/b", naming = "api_crud")]
fn overridden() {}

fn main() {
    use tallymark::{Layout, TextLimit};
    assert_eq!(A::SCHEMA.error_text(), TextLimit::Utf16Units(100));
    assert_eq!(B::SCHEMA.naming().name("GET", "/x/y"), "get-x-y");
    assert_eq!(C::SCHEMA.error_text(), TextLimit::Bytes(64));
    let _ = Kind::One;
    overridden();
}
