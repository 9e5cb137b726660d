//! An event type with no events yet (an enum without variants) derives `Event`: its methods
//! match the uninhabited `*self`.
#![deny(warnings)]

#[derive(tallymark::events::Event)]
#[tallymark(layout = tallymark_tests::JobEvent)]
pub enum NoneYet {}

fn main() {
    assert!(<NoneYet as tallymark::events::Event>::ALL.is_empty());
}
