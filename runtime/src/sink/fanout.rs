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

    /// Only when every sink keeps them: one point goes to all.
    fn keeps_redacted(&self) -> bool {
        self.sinks.iter().all(|sink| sink.keeps_redacted())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;
    use crate::test_layout::probe;

    struct Failing;

    impl Sink for Failing {
        fn write(&self, _: &DataPoint<'_>) -> Result<(), WriteError> {
            Err(WriteError::new("refused"))
        }
    }

    #[test]
    fn every_sink_gets_the_point_even_after_one_fails() {
        let (first, last) = (MemorySink::new(), MemorySink::new());
        let fanout = Fanout::new()
            .with(first.clone())
            .with(Failing)
            .with(last.clone());
        assert_eq!(fanout.len(), 3);
        let result = fanout.write(&probe("probe.fanned", "n").seal());
        assert!(result.is_err(), "a failure is reported");
        assert_eq!((first.len(), last.len()), (1, 1));
        assert_eq!(last.last().unwrap().text("note"), Some("n"));
    }

    #[test]
    fn no_sink_and_the_noop_sink_succeed() {
        assert!(Fanout::new().is_empty());
        assert!(Fanout::new().write(&probe("e", "").seal()).is_ok());
        assert!(NoopSink.write(&probe("e", "").seal()).is_ok());
    }
}
