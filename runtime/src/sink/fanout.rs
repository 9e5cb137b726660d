//! Combinators: several sinks as one, and no sink at all.

use super::{Sink, WriteError};
use crate::point::DataPoint;

/// Writes every point to each of its sinks, in order. One sink failing does not stop the others.
#[derive(Default)]
pub struct Fanout {
    sinks: Vec<Box<dyn Sink>>,
}

impl Fanout {
    /// A fan-out to no sink yet.
    pub fn new() -> Self {
        Fanout::default()
    }

    /// Adds a sink.
    #[must_use]
    pub fn with(mut self, sink: impl Sink + 'static) -> Self {
        self.sinks.push(Box::new(sink));
        self
    }

    /// How many sinks points go to.
    pub fn len(&self) -> usize {
        self.sinks.len()
    }

    /// Whether there is no sink.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

impl Sink for Fanout {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        let mut failure = None;
        for sink in &self.sinks {
            if let Err(error) = sink.write(point) {
                failure = Some(error);
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

/// Discards every point, successfully.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopSink;

impl Sink for NoopSink {
    fn write(&self, _point: &DataPoint<'_>) -> Result<(), WriteError> {
        Ok(())
    }
}
