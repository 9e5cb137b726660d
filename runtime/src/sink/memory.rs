//! An in-memory sink for tests: keeps every point, and answers by field name or by slot.

use super::{Sink, WriteError};
use crate::point::{read_field, slot_index, DataPoint, FieldValue};
use crate::schema::{Privacy, Schema, Slot};
use crate::value::Blob;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Keeps the points written to it. Clones share the same storage, so a test can hand one clone to
/// a [`crate::Scope`] and read the points from another. Give each test its own sink (and its own
/// scope): parallel tests then never see each other's points.
///
/// ```
/// # use tallymark::{sink::MemorySink, Scope};
/// let sink = MemorySink::new();
/// Scope::new(sink.clone()).run_sync(|| { /* code that emits */ });
/// assert!(sink.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    points: Arc<Mutex<Vec<RecordedPoint>>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        MemorySink::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<RecordedPoint>> {
        self.points.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of every point written so far, oldest first.
    pub fn points(&self) -> Vec<RecordedPoint> {
        self.lock().clone()
    }

    /// The most recent point.
    pub fn last(&self) -> Option<RecordedPoint> {
        self.lock().last().cloned()
    }

    /// Takes every point written so far, leaving the sink empty.
    pub fn take(&self) -> Vec<RecordedPoint> {
        std::mem::take(&mut *self.lock())
    }

    /// How many points were written.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no point was written.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl Sink for MemorySink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        self.lock().push(RecordedPoint::from(point));
        Ok(())
    }

    /// A test sink sees what was recorded, redacted fields included.
    fn keeps_redacted(&self) -> bool {
        true
    }
}

/// An owned copy of a written point.
#[derive(Debug, Clone)]
pub struct RecordedPoint {
    schema: &'static Schema,
    index: Blob<'static>,
    blobs: Vec<Blob<'static>>,
    doubles: Vec<f64>,
    /// The point as every other sink is handed it, when the layout has `#[redacted]` fields:
    /// those written empty ([`RecordedPoint::view`]).
    redacted: Option<Box<Redacted>>,
}

/// A recorded point's index, blobs and doubles with its `#[redacted]` fields written empty.
#[derive(Debug, Clone)]
struct Redacted {
    index: Blob<'static>,
    blobs: Vec<Blob<'static>>,
    doubles: Vec<f64>,
}

impl From<&DataPoint<'_>> for RecordedPoint {
    fn from(point: &DataPoint<'_>) -> Self {
        let mut recorded = RecordedPoint {
            schema: point.schema(),
            index: point.index().clone().into_owned(),
            blobs: point
                .blobs()
                .iter()
                .map(|b| b.clone().into_owned())
                .collect(),
            doubles: point.doubles().to_vec(),
            redacted: None,
        };
        recorded.redacted = Redacted::of(&recorded).map(Box::new);
        recorded
    }
}

impl Redacted {
    /// `point` with its `#[redacted]` fields written empty; `None` when its layout has none.
    fn of(point: &RecordedPoint) -> Option<Redacted> {
        let mut fields = point
            .schema
            .fields()
            .iter()
            .filter(|field| field.privacy() == Privacy::Redacted)
            .peekable();
        fields.peek()?;
        let mut redacted = Redacted {
            index: point.index.clone(),
            blobs: point.blobs.clone(),
            doubles: point.doubles.clone(),
        };
        for field in fields {
            if field.is_index() {
                redacted.index = Blob::Unset;
            }
            match field.slot() {
                Some(Slot::Blob(n)) => {
                    if let Some(blob) = slot_index(n).and_then(|i| redacted.blobs.get_mut(i)) {
                        *blob = Blob::Unset;
                    }
                }
                Some(Slot::Double(n)) => {
                    if let Some(double) = slot_index(n).and_then(|i| redacted.doubles.get_mut(i)) {
                        *double = 0.0;
                    }
                }
                None => {}
            }
        }
        Some(redacted)
    }
}

impl RecordedPoint {
    /// The layout the point was written with.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// The dataset the point was written to.
    pub fn dataset(&self) -> &'static str {
        self.schema.dataset()
    }

    /// The value of the field named `name`.
    pub fn get(&self, name: &str) -> Option<FieldValue<'_>> {
        let field = self.schema.field(name)?;
        Some(read_field(field, &self.index, &self.blobs, &self.doubles))
    }

    /// The text of the blob (or index) field `name`; `None` if there is no such text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            FieldValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value of the double field `name`; `None` if there is no such double field.
    pub fn number(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            FieldValue::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The index as text (`None` for non-UTF-8 bytes).
    pub fn index(&self) -> Option<&str> {
        self.index.as_str()
    }

    /// All blobs, `blob1` first.
    pub fn blobs(&self) -> &[Blob<'static>] {
        &self.blobs
    }

    /// All blobs as text, `blob1` first, as Analytics Engine's `blobs` array reads
    /// (non-UTF-8 blobs read `""`; use [`RecordedPoint::blobs`] for bytes).
    pub fn blob_texts(&self) -> Vec<&str> {
        self.blobs
            .iter()
            .map(|b| b.as_str().unwrap_or(""))
            .collect()
    }

    /// All doubles, `double1` first.
    pub fn doubles(&self) -> &[f64] {
        &self.doubles
    }

    /// This point as a [`DataPoint`], to hand to another sink: as every sink but a memory sink
    /// is handed it, its `#[redacted]` fields written empty (this point's getters still read
    /// them).
    pub fn view(&self) -> DataPoint<'_> {
        match &self.redacted {
            Some(redacted) => DataPoint::from_parts(
                self.schema,
                &redacted.index,
                &redacted.blobs,
                &redacted.doubles,
            ),
            None => DataPoint::from_parts(self.schema, &self.index, &self.blobs, &self.doubles),
        }
    }
}

/// Points are equal when they belong to the same layout and hold the same values.
impl PartialEq for RecordedPoint {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.schema, other.schema)
            && self.index == other.index
            && self.blobs == other.blobs
            && self.doubles == other.doubles
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_layout::probe;

    #[test]
    fn a_recorded_point_answers_by_field_name_and_by_slot() {
        let sink = MemorySink::new();
        let mut point = probe("probe.kept", "n");
        point.duration_ms(1.5);
        sink.write(&point.seal()).unwrap();
        let recorded = sink.last().unwrap();
        assert_eq!(recorded.dataset(), "probes");
        assert_eq!(recorded.index(), Some("probe.kept"));
        assert_eq!(recorded.text("note"), Some("n"));
        assert_eq!(recorded.text("duration_ms"), None, "a number is not a text");
        assert_eq!(recorded.blob_texts(), ["probe.kept", "n", "", ""]);
        assert_eq!(recorded.doubles(), [1.5]);
    }

    #[test]
    fn clones_share_the_points_and_take_empties_them() {
        let sink = MemorySink::new();
        let writer = sink.clone();
        writer.write(&probe("a", "").seal()).unwrap();
        writer.write(&probe("b", "").seal()).unwrap();
        let taken: Vec<String> = sink
            .take()
            .iter()
            .map(|p| p.index().unwrap().to_owned())
            .collect();
        assert_eq!(taken, ["a", "b"]);
        assert!(writer.is_empty());
    }
}
