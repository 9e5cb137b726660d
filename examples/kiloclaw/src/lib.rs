//! KiloClaw's telemetry, ported to Rust: one layout, HTTP routes, Durable Object lifecycle and
//! reconcile events (`kiloclaw-telemetry.md`).

pub mod events;
pub mod state;
pub mod telemetry;
