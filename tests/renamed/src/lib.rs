//! Every macro of tallymark, pointed with `crate = ::telemetry` at a dependency renamed in
//! Cargo.toml. This crate compiles only if each of them honours `crate = path`; its test checks
//! that what they expand to still works.

use std::cell::RefCell;
use telemetry::events::Reconcile;

/// A fixed text under the renamed crate.
#[derive(Clone, Copy, telemetry::FixedText)]
#[tallymark(crate = ::telemetry)]
pub enum Kind {
    /// The only kind.
    Plain,
}

/// A layout under the renamed crate.
#[telemetry::layout(dataset = "renamed", binding = "RENAMED", crate = ::telemetry)]
pub struct Event {
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Who.
    #[blob(2)]
    pub user: String,
    /// What kind.
    #[blob(3)]
    pub kind: Kind,
    /// The error text.
    #[blob(4)]
    pub error: String,
    /// A label.
    #[blob(5)]
    pub label: String,
    /// How long.
    #[double(1)]
    pub duration_ms: f64,
}

/// A state under the renamed crate.
#[derive(Default, telemetry::events::Dimensions)]
#[tallymark(layout = Event, crate = ::telemetry)]
pub struct State {
    /// The user every event carries.
    #[tallymark(to = user)]
    pub user: Option<String>,
}

/// Events under the renamed crate.
#[derive(telemetry::events::Event)]
#[tallymark(layout = Event, state = State, point_only, crate = ::telemetry)]
pub enum Happened {
    /// Something started.
    Started {
        /// Its label.
        #[tallymark(to = label)]
        label: String,
    },
}

/// An instrumented function whose body records through the renamed crate.
#[telemetry::instrumented(Event, event = "handled", crate = ::telemetry, fields(kind = Kind::Plain))]
pub fn handler(user: &str) {
    telemetry::record!(user = user.to_owned());
}

/// A Durable Object-like owner of the state.
pub struct Machine {
    /// Its state.
    pub state: RefCell<State>,
}

impl Machine {
    /// A lifecycle method.
    #[telemetry::events::lifecycle_event(Event, event = "started", state = self.state.borrow(), crate = ::telemetry)]
    pub fn start(&self) -> Result<(), String> {
        Ok(())
    }

    /// A reconcile step.
    #[telemetry::events::reconcile_event(Event, action = "step", context = pass, crate = ::telemetry)]
    pub fn step(&self, pass: &Reconcile<'_, State>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use telemetry::events;
    use telemetry::sink::{MemoryLines, MemorySink};

    #[test]
    fn every_macro_expands_to_working_code_under_the_renamed_crate() {
        let machine = Machine {
            state: RefCell::new(State {
                user: Some("u1".into()),
            }),
        };
        let (sink, lines) = (MemorySink::new(), MemoryLines::new());
        telemetry::Scope::new(sink.clone())
            .with_lines(lines.clone())
            .run_sync(|| {
                handler("u2");
                machine.start().unwrap();
                machine.step(&Reconcile::new("pass", &machine.state));
                events::emit(
                    &Happened::Started { label: "l".into() },
                    &machine.state.borrow(),
                );
            });
        let names: Vec<(String, String)> = sink
            .points()
            .iter()
            .map(|p| {
                (
                    p.index().unwrap().to_owned(),
                    p.text("user").unwrap().to_owned(),
                )
            })
            .collect();
        let expected = [
            ("handled", "u2"),
            ("started", "u1"),
            ("reconcile.step", "u1"),
            ("started", "u1"),
        ];
        assert_eq!(
            names,
            expected.map(|(event, user)| (event.to_owned(), user.to_owned()))
        );
        assert_eq!(sink.points()[0].text("kind"), Some("plain"));
        assert_eq!(lines.lines().len(), 1);
    }
}
