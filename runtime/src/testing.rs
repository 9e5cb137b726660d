//! Testing a real workers-rs handler in wasm (with `wasm-bindgen-test`, in Node or a browser): a
//! `worker::Env` whose Analytics Engine bindings capture every point into a [`MemorySink`].
//!
//! The points take the path they take in a Worker: [`Scope::from_env`](crate::Scope::from_env),
//! the Analytics Engine sink, `writeDataPoint` with the exact object Analytics Engine receives.
//! The test binding reads that object back into a [`RecordedPoint`] by the layout's field names.
//!
//! ```no_run
//! use tallymark::testing::TestEnv;
//! use worker::{Method, Request, Response, Result, RouteContext, Router};
//!
//! #[tallymark::layout(dataset = "hello", binding = "HELLO")]
//! pub struct Event {
//!     #[index] #[blob(1)] event: String,
//!     #[blob(2)] name: String,
//! }
//!
//! #[tallymark::instrumented(Event, route = "GET /hello/:name")]
//! async fn hello(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
//!     let name = ctx.param("name").cloned().unwrap_or_default();
//!     tallymark::record!(name = name.clone());
//!     Response::ok(format!("hello, {name}"))
//! }
//!
//! // #[wasm_bindgen_test::wasm_bindgen_test]
//! async fn hello_writes_its_point() {
//!     let test = TestEnv::new().with_dataset::<Event>();
//!     let req = Request::new("https://example.com/hello/world", Method::Get).unwrap();
//!     let router = Router::new().get_async("/hello/:name", hello);
//!     let response = tallymark::Scope::from_env(&test.env()).run(router.run(req, test.env())).await;
//!     assert_eq!(response.unwrap().status_code(), 200);
//!     assert_eq!(test.points()[0].blob_texts(), ["hello.get", "world"]);
//! }
//! ```

use crate::layout::Layout;
use crate::point::DataPoint;
use crate::schema::Schema;
use crate::sink::{MemorySink, RecordedPoint, Sink};
use crate::value::Blob;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::borrow::Cow;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// A `worker::Env` for tests whose Analytics Engine bindings capture points into memory.
///
/// Keep it alive while the `Env` is used: a binding written after its `TestEnv` was dropped
/// throws, which the sink counts as a failed write.
pub struct TestEnv {
    env: Object,
    sink: MemorySink,
    bindings: Vec<Closure<dyn Fn(JsValue)>>,
}

impl Default for TestEnv {
    fn default() -> Self {
        TestEnv::new()
    }
}

impl std::fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestEnv")
            .field("points", &self.sink.len())
            .finish_non_exhaustive()
    }
}

impl TestEnv {
    /// An `Env` with no bindings: every point is dropped as having no binding, and counted.
    pub fn new() -> Self {
        TestEnv {
            env: Object::new(),
            sink: MemorySink::new(),
            bindings: Vec::new(),
        }
    }

    /// Adds the Analytics Engine binding of layout `L` (named by its `binding`): each
    /// `writeDataPoint` on it is captured as a point of `L`.
    #[must_use]
    pub fn with_dataset<L: Layout>(mut self) -> Self {
        let schema = L::SCHEMA;
        let sink = self.sink.clone();
        let write = Closure::<dyn Fn(JsValue)>::new(move |point: JsValue| {
            capture(schema, &point, &sink);
        });
        let binding = Object::new();
        set(&binding, "writeDataPoint", write.as_ref());
        set(&self.env, schema.binding(), &binding);
        self.bindings.push(write);
        self
    }

    /// Adds a secret (what `wrangler secret put` sets), e.g. the key of a layout's hashed fields.
    #[must_use]
    pub fn with_secret(self, name: &str, value: &str) -> Self {
        set(&self.env, name, &JsValue::from_str(value));
        self
    }

    /// The `Env` to hand to the handler, or to [`Scope::from_env`](crate::Scope::from_env).
    pub fn env(&self) -> worker::Env {
        self.env.clone().unchecked_into()
    }

    /// Every point written so far, in order.
    pub fn points(&self) -> Vec<RecordedPoint> {
        self.sink.points()
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property of a plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Reads the object `writeDataPoint` received (`{indexes, blobs, doubles}`) back into `sink`.
fn capture(schema: &'static Schema, point: &JsValue, sink: &MemorySink) {
    let array = |key: &str| -> Vec<JsValue> {
        get(point, key)
            .dyn_into::<Array>()
            .map(|array| array.iter().collect())
            .unwrap_or_default()
    };
    let index = array("indexes").first().map_or(Blob::Unset, blob_of);
    let blobs: Vec<Blob<'static>> = array("blobs").iter().map(blob_of).collect();
    let doubles: Vec<f64> = array("doubles")
        .iter()
        .map(|double| double.as_f64().unwrap_or(f64::NAN))
        .collect();
    // The memory sink takes every point; a failure here would be the test's own.
    let _ = sink.write(&DataPoint::from_parts(schema, &index, &blobs, &doubles));
}

/// A blob as `writeDataPoint` received it: a string, or bytes.
fn blob_of(value: &JsValue) -> Blob<'static> {
    match value.as_string() {
        Some(text) => Blob::Text(Cow::Owned(text)),
        None if value.is_null() || value.is_undefined() => Blob::Unset,
        None => Blob::Bytes(Cow::Owned(Uint8Array::new(value).to_vec())),
    }
}
