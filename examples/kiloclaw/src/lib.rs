//! KiloClaw's telemetry, ported to Rust: HTTP routes, Durable Object lifecycle and reconcile
//! events, a queue consumer, and a second dataset for the controller's check-ins
//! (`kiloclaw-telemetry.md`, with its later evolution in §7). The business logic is a stand-in: Fly.io is a
//! scriptable fake (see the README).

mod app;
pub mod controller;
pub mod events;
pub mod fly;
pub mod instance;
mod queue;
pub mod state;
pub mod telemetry;
