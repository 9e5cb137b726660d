//! tallymark's helper attribute beside `worker::event`, a layout field named like an option, a
//! `use` in an instrumented body that shadows the return type's name, and a layout named like a
//! type of the expansion's (`Detail`) whose event has details.
#![deny(warnings)]

use worker::*;

#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Telemetry {
    #[index]
    #[blob(1)]
    event: String,
    /// Named like `#[instrumented]`'s option: set through `fields(...)`.
    #[blob(2)]
    route: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Telemetry, prefix = "job.", point_only)]
pub enum Job {
    Done {
        #[tallymark(to = route)]
        queue: String,
    },
}

/// Named as the runtime's detail wrapper is.
#[tallymark::layout(dataset = "details", binding = "DETAILS")]
pub struct Detail {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    label: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Detail, prefix = "detail.")]
pub enum Noted {
    Seen {
        #[tallymark(to = label)]
        label: String,
        count: u32,
    },
}

pub struct Output;

#[tallymark::instrumented(Telemetry, event = "work", fields(route = String::from("queue")))]
pub async fn work() -> Output {
    #[allow(unused_imports)]
    use std::fmt::Result as Output;
    crate::Output
}

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    let _ = work().await;
    tallymark::events::emit(&Job::Done { queue: "q".into() }, &());
    let state = std::cell::RefCell::new(());
    tallymark::events::Reconcile::new("alarm", &state).log(&Noted::Seen {
        label: "l".into(),
        count: 1,
    });
    Response::ok("ok")
}

fn main() {}
