//! The JavaScript boundary (wasm only): console calls, the object a point's fields become, and the
//! call that writes a point to an Analytics Engine binding.

use crate::point::{DataPoint, FieldValue};
use crate::sink::WriteError;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    pub(crate) fn console_log_2(summary: &str, fields: &JsValue);
    #[cfg(any(feature = "events", feature = "dev-print"))]
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    pub(crate) fn console_log(line: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn console_warn(message: &str);
}

#[wasm_bindgen(inline_js = r#"
// Views of the module's memory, kept between calls; made again when the memory is another (the
// module was instantiated again) or its buffer was detached (the memory grew).
let memory = null;
let u8 = null;
let u32 = null;
let f64 = null;
// ignoreBOM: a text starting with U+FEFF keeps it, as Rust wrote it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
// The texts of the last point, by position: a wire::SAME value is read from here.
const kept = [];

// Short ASCII text is read byte by byte, which costs less than a call to the decoder.
const SHORT = 64;
function decode(at, length) {
  if (length <= SHORT) {
    let text = '';
    for (let i = at; i < at + length; i++) {
      const byte = u8[i];
      if (byte >= 0x80) return decoder.decode(u8.subarray(at, at + length));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(u8.subarray(at, at + length));
}

export function tallymarkWriteDataPoint(dataset, wasmMemory, text, textLength, kinds, ends, count, bytes, doubles, doublesCount) {
  if (typeof dataset?.writeDataPoint !== 'function') {
    throw new TypeError(`the binding is not an Analytics Engine dataset (${typeof dataset}, no writeDataPoint method)`);
  }
  if (memory !== wasmMemory || u8.byteLength === 0) {
    memory = wasmMemory;
    u8 = new Uint8Array(memory.buffer);
    u32 = new Uint32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
  }
  const decoded = decode(text, textLength);
  const blobs = new Array(count - 1);
  let index = '';
  let textStart = 0;
  let bytesStart = bytes;
  for (let i = 0; i < count; i++) {
    const kind = u8[kinds + i];
    const end = u32[(ends >>> 2) + i];
    let value;
    if (kind === 0) { // wire::TEXT
      value = decoded.slice(textStart, end);
      textStart = end;
      kept[i] = value;
    } else if (kind === 2) { // wire::SAME
      value = kept[i];
    } else { // wire::BYTES
      value = u8.slice(bytesStart, bytes + end);
      bytesStart = bytes + end;
    }
    if (i === 0) index = value;
    else blobs[i - 1] = value;
  }
  const values = new Array(doublesCount);
  for (let i = 0; i < doublesCount; i++) values[i] = f64[(doubles >>> 3) + i];
  dataset.writeDataPoint({ indexes: [index], blobs, doubles: values });
}
"#)]
extern "C" {
    /// Writes one point laid out by `sink::analytics_engine::wire` (its rules say how to read
    /// it): `text`, `kinds`, `ends`, `bytes` and `doubles` are the addresses of its buffers in
    /// `memory`, the module's memory, read through views kept between calls. Decodes the texts,
    /// slices the values back out (a `SAME` text from those it kept of the last point, each
    /// decoded text kept at its position; byte values copied into `Uint8Array`s of their own),
    /// and calls `dataset.writeDataPoint`. An exception it throws is the error.
    #[wasm_bindgen(catch, js_name = tallymarkWriteDataPoint)]
    fn write_data_point(
        dataset: &JsValue,
        memory: &JsValue,
        text: u32,
        text_length: u32,
        kinds: u32,
        ends: u32,
        count: u32,
        bytes: u32,
        doubles: u32,
        doubles_count: u32,
    ) -> Result<(), JsValue>;
}

/// One point's buffers, as [`write_point`] passes them: slices of the module's memory.
pub(crate) struct PointBuffers<'a> {
    /// The texts to decode, one after another.
    pub text: &'a str,
    /// Each value's kind.
    pub kinds: &'a [u8],
    /// Each value's end in its buffer.
    pub ends: &'a [u32],
    /// The byte values, one after another.
    pub bytes: &'a [u8],
    /// The point's doubles.
    pub doubles: &'a [f64],
}

thread_local! {
    /// The module's memory, which the JavaScript side reads the buffers from.
    static MEMORY: JsValue = wasm_bindgen::memory();
}

/// Writes the point in `buffers` to `dataset` with `writeDataPoint`. The buffers are borrowed for
/// the call, so they stay where they are while the JavaScript side reads them.
pub(crate) fn write_point(dataset: &JsValue, buffers: &PointBuffers<'_>) -> Result<(), JsValue> {
    MEMORY.with(|memory| {
        write_data_point(
            dataset,
            memory,
            address(buffers.text.as_bytes()),
            length(buffers.text.len()),
            address(buffers.kinds),
            address(buffers.ends),
            length(buffers.kinds.len()),
            address(buffers.bytes),
            address(buffers.doubles),
            length(buffers.doubles.len()),
        )
    })
}

/// Where `slice` starts in the module's memory (wasm32 addresses are 32 bits).
fn address<T>(slice: &[T]) -> u32 {
    length(slice.as_ptr().addr())
}

/// A length or address as the `u32` it is on wasm32, where `usize` is 32 bits (so the fallback
/// never applies).
fn length(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A plain JS object with the point's fields by name, in declaration order: text as strings,
/// doubles as numbers, binary blobs as `Uint8Array`.
pub(crate) fn fields_object(point: &DataPoint<'_>) -> Result<JsValue, WriteError> {
    let object = Object::new();
    for (field, value) in point.fields() {
        let value = match value {
            FieldValue::Text(text) => JsValue::from_str(text),
            FieldValue::Bytes(bytes) => Uint8Array::from(bytes).into(),
            FieldValue::Number(n) => JsValue::from_f64(n),
        };
        Reflect::set(&object, &JsValue::from_str(field.name), &value)
            .map_err(|_| WriteError::new("could not build the console object"))?;
    }
    Ok(object.into())
}

/// What a thrown JavaScript value says: an `Error`'s message, a string as it is, anything else
/// as its debug form.
pub(crate) fn error_message(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}
