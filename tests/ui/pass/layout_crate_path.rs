#![deny(warnings)]
//! A facade crate can re-export tallymark and point every macro at it with `crate = ...`; the
//! body's `record!` is then named through the facade.

mod facade {
    pub use ::tallymark as telemetry;
}

use facade::telemetry;
use std::cell::RefCell;

#[derive(Clone, Copy, telemetry::FixedText)]
#[tallymark(crate = facade::telemetry)]
pub enum Kind {
    Plain,
}

#[telemetry::layout(dataset = "d", binding = "B", crate = facade::telemetry)]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user: String,
    #[blob(3)]
    kind: Kind,
    #[blob(4)]
    error: String,
    #[blob(5)]
    label: String,
    #[double(1)]
    duration_ms: f64,
}

#[derive(Default, telemetry::events::Dimensions)]
#[tallymark(layout = Event, crate = facade::telemetry)]
pub struct State {
    #[tallymark(to = user)]
    user: Option<String>,
}

#[derive(telemetry::events::Event)]
#[tallymark(layout = Event, state = State, point_only, crate = facade::telemetry)]
pub enum Happened {
    Started {
        #[tallymark(to = label)]
        label: String,
    },
}

#[telemetry::instrumented(Event, event = "handled", crate = facade::telemetry)]
fn handler(user: &str) {
    facade::telemetry::record!(user = user.to_owned());
}

struct Machine {
    state: RefCell<State>,
}

impl Machine {
    #[telemetry::events::lifecycle_event(Event, event = "started", state = self.state.borrow(), crate = facade::telemetry)]
    fn start(&self) -> Result<(), String> {
        Ok(())
    }

    #[telemetry::events::reconcile_event(Event, action = "step", context = pass, crate = facade::telemetry)]
    fn step(&self, pass: &telemetry::events::Reconcile<'_, State>) {}
}

fn main() {
    Event::point().event("x").kind(Kind::Plain).emit();
    handler("u");
    let machine = Machine {
        state: RefCell::new(State::default()),
    };
    let _ = machine.start();
    machine.step(&telemetry::events::Reconcile::new("pass", &machine.state));
    telemetry::events::emit(&Happened::Started { label: "l".into() }, &State::default());
}
