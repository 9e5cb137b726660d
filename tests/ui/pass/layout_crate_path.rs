#![deny(warnings)]
//! A facade crate can re-export tallymark and point the macro at it with `crate = ...`.

mod facade {
    pub use ::tallymark as telemetry;
}

#[tallymark::layout(dataset = "d", binding = "B", crate = facade::telemetry)]
pub struct Event {
    #[index]
    event: String,
}

fn main() {
    Event::point().event("x").emit();
}
