//! KiloClaw's telemetry, ported to Rust: one layout, HTTP routes, Durable Object lifecycle and
//! reconcile events (`kiloclaw-telemetry.md`). The business logic is a stand-in: Fly.io is a
//! scriptable fake (see the README).

mod app;
pub mod events;
pub mod fly;
pub mod instance;
pub mod state;
pub mod telemetry;
