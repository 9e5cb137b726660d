//! The worker's telemetry: one layout, and the one typed event of its own.

use tallymark::events::LineShape;

/// One row per request (written by the axum layer, or by the `#[instrumented]` stats handler),
/// and one per refused URL (`abuse.blocked`).
#[tallymark::layout(dataset = "links_events", binding = "LINKS_AE")]
pub struct Links {
    /// The event name, by the default `path_method` rule from the route pattern axum matched:
    /// `links.post`, `go.get`, `links.delete`, `links.stats.get`; or `abuse.blocked`.
    #[index]
    #[blob(1)]
    event: String,
    /// The route pattern with its method: `GET /go/{code}`.
    #[blob(2)]
    route: String,
    /// `HTTP <status>` for a response of 400 or more.
    #[blob(3)]
    error: String,
    /// `ok`, `error` or `cancelled`.
    #[blob(4)]
    outcome: String,
    /// The short code, recorded by the handler once it knows it.
    #[blob(5)]
    code: String,
    /// The client's `user-agent`, from the request's head.
    #[blob(6)]
    agent: String,
    /// Why a URL was refused (`abuse.blocked`).
    #[blob(7)]
    reason: String,
    /// The refused URL's host (`abuse.blocked`).
    #[blob(8)]
    host: String,
    /// Milliseconds from the invocation's start to the response.
    #[double(1)]
    duration_ms: f64,
    /// A link's hits, recorded by the stats handler.
    #[double(2)]
    hits: f64,
}

/// Abuse the worker refuses, logged as a console line and a point.
#[derive(tallymark::events::Event)]
#[tallymark(layout = Links, prefix = "abuse.")]
pub enum Abuse {
    /// A URL refused at creation: `abuse.blocked`.
    Blocked {
        #[tallymark(to = reason)]
        reason: String,
        #[tallymark(to = host)]
        host: String,
    },
}

/// The console line of the worker's events: `{"worker":"links","event":"abuse.blocked",...}`.
pub const LINE: LineShape = LineShape::DEFAULT.tagged("worker", "links");
