//! The Workers Analytics Engine sink: the single place that writes to the binding. It compiles on
//! every target, but a `worker::Env` exists only inside a Worker (wasm).

mod datasets;
mod dev_print;
mod wire;

use super::{Sink, WriteError};
use crate::limits;
use crate::point::DataPoint;
use crate::scope::Scope;
use std::borrow::Cow;
use std::cell::RefCell;
use wire::Wire;
use worker::{AnalyticsEngineDataset, Env};

/// Writes each point with `writeDataPoint` to the binding its layout names
/// ([`crate::Schema::binding`]), found in the invocation's `Env`. The isolate remembers a binding
/// it found, by env object and name, for the next invocations with the same `env` (a Worker's
/// is the same object each time): a binding replaced on that object afterwards is not seen.
///
/// A point whose binding is missing from `Env` is not written: it is counted in the scope's
/// [`crate::Stats::dropped_without_binding`], and the first one of each binding is announced on
/// the console. A `writeDataPoint` that throws is counted in [`crate::Stats::failed`], and the
/// first failure of each binding is announced on the console with what it threw. Nothing is
/// retried and nothing panics.
///
/// A point crosses into JavaScript in one call that passes where its buffers are, its new texts
/// decoded at once and a text equal to the last point's at its position not decoded again (see
/// `wire`), not through workers-rs's `AnalyticsEngineDataPointBuilder`, which copies each blob
/// into a new `String` and crosses once per value. A point written from inside `writeDataPoint`
/// (a binding calling back into the module) is dropped and counted in [`crate::Stats::failed`].
pub struct AnalyticsEngineSink {
    env: Env,
    bindings: RefCell<Vec<Binding>>,
}

thread_local! {
    /// The last point laid out, shared by every sink of the isolate (the JavaScript side keeps
    /// the texts of the last point it wrote, whichever invocation wrote it).
    static WIRE: RefCell<Wire> = RefCell::new(Wire::default());
}

/// A binding this sink has looked up in `Env`.
struct Binding {
    name: &'static str,
    /// `None` when `Env` has no binding of that name.
    dataset: Option<AnalyticsEngineDataset>,
    /// Whether a failed write to it has been announced.
    failure_announced: bool,
}

impl std::fmt::Debug for AnalyticsEngineSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyticsEngineSink")
            .finish_non_exhaustive()
    }
}

impl AnalyticsEngineSink {
    /// A sink writing to the bindings of `env`.
    pub fn new(env: &Env) -> Self {
        AnalyticsEngineSink {
            env: env.clone(),
            bindings: RefCell::new(Vec::new()),
        }
    }

    /// The binding named `name` among `bindings`, found the first time through the isolate's
    /// remembered datasets or `Env` (a missing one is announced then).
    fn binding<'b>(&self, bindings: &'b mut Vec<Binding>, name: &'static str) -> &'b mut Binding {
        let index = match bindings.iter().position(|binding| binding.name == name) {
            Some(index) => index,
            None => {
                let dataset = datasets::dataset(&self.env, name);
                if dataset.is_none() {
                    crate::platform::console_warn(&format!(
                        "tallymark: no Analytics Engine binding `{name}` in this Worker's env; its \
                         points are dropped and counted (add it under \
                         [[analytics_engine_datasets]] in wrangler.toml)"
                    ));
                }
                bindings.push(Binding {
                    name,
                    dataset,
                    failure_announced: false,
                });
                bindings.len() - 1
            }
        };
        &mut bindings[index]
    }
}

/// The failure of a point written while this sink, or another of the isolate, is inside
/// `writeDataPoint` (a binding, or an env getter, calling back into the module).
fn written_from_inside() -> WriteError {
    WriteError::new("a point was written from inside writeDataPoint")
}

/// The console line of a binding's first failed write.
fn failure_notice(binding: &str, error: &WriteError) -> String {
    format!(
        "tallymark: {error} (binding `{binding}`); the point is dropped, and this and later \
         failures are counted in Stats::failed"
    )
}

impl Sink for AnalyticsEngineSink {
    /// Both borrows are held across the calls into JavaScript (the env's getter, the binding's
    /// `writeDataPoint`); the dataset is used where it is kept (cloning it would cost two more
    /// calls). A write made while they are held fails, never panics.
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        let name = point.schema().binding();
        let Ok(mut bindings) = self.bindings.try_borrow_mut() else {
            return Err(written_from_inside());
        };
        let binding = self.binding(&mut bindings, name);
        let Some(dataset) = &binding.dataset else {
            return Err(WriteError::no_destination("no Analytics Engine binding"));
        };
        let written = WIRE.with(|wire| {
            let Ok(mut wire) = wire.try_borrow_mut() else {
                return Err(written_from_inside());
            };
            wire.fill(&index_text(point.index().as_bytes()), point.blobs());
            let written = write_data_point(dataset, &wire, point.doubles());
            if written.is_err() {
                wire.forget();
            }
            written
        });
        if let Err(error) = &written {
            if !binding.failure_announced {
                binding.failure_announced = true;
                crate::platform::console_warn(&failure_notice(name, error));
            }
        }
        written
    }
}

/// Calls the binding's `writeDataPoint` with the point laid out in `wire`.
#[cfg(target_arch = "wasm32")]
fn write_data_point(
    dataset: &AnalyticsEngineDataset,
    wire: &Wire,
    doubles: &[f64],
) -> Result<(), WriteError> {
    let buffers = crate::js::PointBuffers {
        text: &wire.text,
        kinds: &wire.kinds,
        ends: &wire.ends,
        bytes: &wire.bytes,
        doubles,
    };
    crate::js::write_point(dataset.as_ref(), &buffers).map_err(|error| {
        WriteError::new(format!(
            "writeDataPoint failed: {}",
            crate::js::error_message(&error)
        ))
    })
}

/// Outside wasm there is no binding to call (an `Env` exists only inside a Worker).
#[cfg(not(target_arch = "wasm32"))]
fn write_data_point(
    _dataset: &AnalyticsEngineDataset,
    _wire: &Wire,
    _doubles: &[f64],
) -> Result<(), WriteError> {
    Err(WriteError::new(
        "writeDataPoint exists only inside a Worker (wasm32)",
    ))
}

/// The index as the text `writeDataPoint` takes: bytes that are not UTF-8 are replaced (each by
/// U+FFFD, three bytes), then cut again to the index limit on a character boundary, so a byte
/// index within the limit cannot grow past it on the way.
fn index_text(index: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(index) {
        Cow::Borrowed(text) => Cow::Borrowed(text),
        Cow::Owned(text) => {
            Cow::Owned(limits::truncate_str(&text, limits::MAX_INDEX_BYTES).to_owned())
        }
    }
}

impl Scope {
    /// The scope of a Worker invocation: points go to the Analytics Engine bindings of `env`, each
    /// layout to the binding it names. Call it first thing in `#[event(fetch)]` (or a Durable
    /// Object's `fetch`/`alarm`): its start time is the one instrumented handlers measure from.
    ///
    /// The keys of `#[hashed]` fields are the Worker secrets the layouts name (`hash_key`).
    ///
    /// With the feature `dev-print` and the variable `TALLYMARK_DEV_PRINT` set to `1` (say in
    /// `.dev.vars`, which `wrangler dev` reads and `wrangler deploy` does not upload), each point
    /// is also printed on the console as one line, `tallymark <dataset> <fields as JSON>`
    /// (redacted fields empty): under `wrangler dev`, whose Analytics Engine binding discards
    /// points, that is where they show. Without the feature, the variable is read at the
    /// isolate's first scope only, and gets a notice saying so then.
    pub fn from_env(env: &Env) -> Self {
        let secrets = env.clone();
        dev_print::scope(env, AnalyticsEngineSink::new(env)).with_key_source(Box::new(
            move |name| {
                secrets
                    .secret(name)
                    .ok()
                    .map(|key| key.to_string().into_bytes())
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{failure_notice, index_text};
    use crate::limits::MAX_INDEX_BYTES;
    use crate::sink::WriteError;

    #[test]
    fn a_byte_index_stays_within_the_limit_once_made_text() {
        let bytes = [0xFFu8; MAX_INDEX_BYTES];
        let text = index_text(&bytes);
        assert_eq!(text.len(), 96, "32 replacement characters of 3 bytes");
        assert!(text.chars().all(|c| c == char::REPLACEMENT_CHARACTER));
        assert_eq!(index_text(b"status.get"), "status.get");
    }

    #[test]
    fn a_failed_write_is_announced_with_what_it_threw() {
        let error = WriteError::new("writeDataPoint failed: write limit exceeded");
        assert_eq!(
            failure_notice("EVENTS", &error),
            "tallymark: writeDataPoint failed: write limit exceeded (binding `EVENTS`); the point \
             is dropped, and this and later failures are counted in Stats::failed"
        );
    }
}
