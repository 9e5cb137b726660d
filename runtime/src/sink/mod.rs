//! Where points go. Every sink implements one small trait, [`Sink`]; console lines (of typed
//! events) go to a [`LineSink`].
//!
//! Sinks are best effort: a sink reports a failed write as a [`WriteError`], the emitter counts it
//! (see [`crate::Stats`]) and carries on. Nothing a sink does can fail or change the instrumented code.

#[cfg(feature = "worker")]
mod analytics_engine;
mod console;
mod fanout;
mod lines;
mod memory;
#[cfg(feature = "tracing")]
mod tracing;

#[cfg(feature = "worker")]
pub use analytics_engine::AnalyticsEngineSink;
pub use console::{json_line, ConsoleSink};
pub use fanout::{Fanout, NoopSink};
pub use lines::{LineSink, MemoryLines};
pub use memory::{MemorySink, RecordedPoint};
#[cfg(feature = "tracing")]
pub use tracing::TracingSink;

use crate::point::DataPoint;
use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// A destination for data points.
///
/// `write` receives a point that is already within every Analytics Engine limit. It must not panic;
/// a write that fails returns an error, which is counted and otherwise ignored.
pub trait Sink {
    /// Writes one point.
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError>;

    /// Whether this sink may see `#[redacted]` fields (in-memory test sinks only): every other
    /// sink receives them empty.
    fn keeps_redacted(&self) -> bool {
        false
    }
}

/// Why a sink could not write a point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    message: Cow<'static, str>,
    no_destination: bool,
}

impl WriteError {
    /// A failed write with this message (counted in [`crate::Stats::failed`]).
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        WriteError {
            message: message.into(),
            no_destination: false,
        }
    }

    /// The sink has nowhere to write the point, such as a binding missing from `env` (counted
    /// in [`crate::Stats::dropped_without_binding`]).
    pub fn no_destination(message: impl Into<Cow<'static, str>>) -> Self {
        WriteError {
            message: message.into(),
            no_destination: true,
        }
    }

    /// Whether the sink had nowhere to write the point.
    pub fn is_no_destination(&self) -> bool {
        self.no_destination
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WriteError {}

/// A sink behind a pointer is that sink.
macro_rules! forward_sink {
    ($($pointer:ty),*) => {$(
        impl<S: Sink + ?Sized> Sink for $pointer {
            fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
                (**self).write(point)
            }

            fn keeps_redacted(&self) -> bool {
                (**self).keeps_redacted()
            }
        }
    )*};
}

forward_sink!(&S, Box<S>, Rc<S>, Arc<S>);
