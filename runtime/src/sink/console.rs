//! Console output shaped for Workers Logs.
//!
//! On wasm each point becomes `console.log(summary, fields)`: the summary is the index (the event
//! name in a typical layout) and `fields` a real JS object keyed by the layout's field names, so
//! Workers Logs indexes every field and numbers stay numbers. Natively each point is one JSON line.

use super::{Sink, WriteError};
use crate::point::{DataPoint, FieldValue};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Writes points to the console (wasm) or as JSON lines to a writer (native).
pub struct ConsoleSink {
    #[cfg(not(target_arch = "wasm32"))]
    writer: std::sync::Mutex<Box<dyn std::io::Write + Send>>,
}

impl std::fmt::Debug for ConsoleSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsoleSink")
    }
}

impl Default for ConsoleSink {
    fn default() -> Self {
        ConsoleSink::new()
    }
}

impl ConsoleSink {
    /// The console: `console.log` on wasm, standard output natively.
    pub fn new() -> Self {
        ConsoleSink {
            #[cfg(not(target_arch = "wasm32"))]
            writer: std::sync::Mutex::new(Box::new(std::io::stdout())),
        }
    }

    /// One JSON line per point to `writer` (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_writer(writer: impl std::io::Write + Send + 'static) -> Self {
        ConsoleSink {
            writer: std::sync::Mutex::new(Box::new(writer)),
        }
    }
}

/// The JSON line a point becomes: its fields by name, in declaration order. A point is protected
/// before any sink is handed it (a memory sink's [`crate::sink::RecordedPoint::view`] too).
pub fn json_line(point: &DataPoint<'_>) -> String {
    crate::json::to_js_json(&Fields(point))
}

/// Serializes a point's fields as a JSON object in declaration order.
struct Fields<'a, 'p>(&'a DataPoint<'p>);

impl Serialize for Fields<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.schema().fields().len()))?;
        for (field, value) in self.0.fields() {
            match value {
                FieldValue::Text(text) => map.serialize_entry(field.name, text)?,
                FieldValue::Bytes(bytes) => map.serialize_entry(field.name, bytes)?,
                FieldValue::Number(n) => map.serialize_entry(field.name, &n)?,
            }
        }
        map.end()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Sink for ConsoleSink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        use std::io::Write;
        let mut line = json_line(point);
        line.push('\n');
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer
            .write_all(line.as_bytes())
            .and_then(|()| writer.flush())
            .map_err(|e| WriteError::new(format!("console write failed: {e}")))
    }
}

#[cfg(target_arch = "wasm32")]
impl Sink for ConsoleSink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        let object = crate::js::fields_object(point)?;
        crate::js::console_log_2(point.summary(), &object);
        Ok(())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::test_layout::probe;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes the test reads back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn natively_each_point_is_one_json_line_of_its_fields_by_name() {
        let captured = Captured::default();
        let sink = ConsoleSink::to_writer(captured.clone());
        let mut point = probe("probe.logged", "a \"quoted\" note");
        point.duration_ms(2.0);
        sink.write(&point.seal()).unwrap();
        sink.write(&probe("probe.second", "").seal()).unwrap();
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "{\"event\":\"probe.logged\",\"note\":\"a \\\"quoted\\\" note\",\"error\":\"\",\"duration_ms\":2}\n\
             {\"event\":\"probe.second\",\"note\":\"\",\"error\":\"\",\"duration_ms\":0}\n"
        );
    }
}
