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
    #[cfg(feature = "events")]
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    pub(crate) fn console_log(line: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn console_warn(message: &str);
}

#[wasm_bindgen(inline_js = r#"
export function tallymarkWriteDataPoint(dataset, text, kinds, ends, bytes, doubles) {
  if (typeof dataset?.writeDataPoint !== 'function') {
    throw new TypeError(`the binding is not an Analytics Engine dataset (${typeof dataset}, no writeDataPoint method)`);
  }
  const blobs = new Array(kinds.length - 1);
  let index = '';
  let textStart = 0;
  let bytesStart = 0;
  for (let i = 0; i < kinds.length; i++) {
    const end = ends[i];
    let value;
    if (kinds[i] === 0) { // wire::TEXT; anything else is wire::BYTES
      value = text.slice(textStart, end);
      textStart = end;
    } else {
      value = bytes.slice(bytesStart, end);
      bytesStart = end;
    }
    if (i === 0) index = value;
    else blobs[i - 1] = value;
  }
  dataset.writeDataPoint({ indexes: [index], blobs, doubles: Array.from(doubles) });
}
"#)]
extern "C" {
    /// Writes one point laid out by `sink::analytics_engine::wire` (its rules say how to read
    /// `text`, `kinds`, `ends` and `bytes`): slices the index and blobs back out, byte values into
    /// `Uint8Array`s of their own, and calls `dataset.writeDataPoint`. An exception it throws is
    /// the error.
    #[wasm_bindgen(catch, js_name = tallymarkWriteDataPoint)]
    pub(crate) fn write_data_point(
        dataset: &JsValue,
        text: &str,
        kinds: &[u8],
        ends: &[u32],
        bytes: &[u8],
        doubles: &[f64],
    ) -> Result<(), JsValue>;
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
