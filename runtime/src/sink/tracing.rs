//! A `tracing` event per point.

use super::{Sink, WriteError};
use crate::point::DataPoint;

/// Emits each point as one `tracing` event at `INFO` level with target `tallymark`, the layout's
/// field names as the event's fields (text as strings, doubles as `f64`) and `dataset` beside them.
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingSink;

impl Sink for TracingSink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        (point.schema().trace)(point);
        Ok(())
    }
}
