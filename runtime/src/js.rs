//! The JavaScript boundary (wasm only): console calls and the object a point's fields become.

use crate::point::{DataPoint, FieldValue};
use crate::sink::WriteError;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

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
