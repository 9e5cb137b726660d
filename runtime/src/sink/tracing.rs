//! A `tracing` event per point, with the layout's fields as the event's fields.
//!
//! `tracing` names an event's fields in static metadata. A layout's field names are static too
//! (they live in its [`crate::Schema`]), so this sink registers one callsite per layout the first
//! time it sees one, and every later point of that layout is dispatched through it.

use super::{Sink, WriteError};
use crate::point::{DataPoint, FieldValue};
use crate::schema::Schema;
use std::borrow::Cow;
use std::sync::{Mutex, OnceLock, PoisonError};
use tracing::callsite::{Callsite, Identifier};
use tracing::field::{Field, FieldSet, Value};
use tracing::level_filters::LevelFilter;
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

/// Emits each point as one `tracing` event at `INFO` level with target `tallymark`:
/// `tallymark.dataset`,
/// then the layout's fields by name (text as strings, bytes shown lossily, doubles as `f64`).
/// Needs the `tracing` feature.
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingSink;

/// The event's name in its metadata.
const EVENT_NAME: &str = "tallymark data point";
/// Most fields an event of this sink carries: `dataset`, the index and 20 blobs and 20 doubles.
const MAX_FIELDS: usize = 42;

impl Sink for TracingSink {
    fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
        if Level::INFO > LevelFilter::current() {
            return Ok(());
        }
        let metadata = callsite_of(point.schema()).metadata();
        if !tracing::dispatcher::get_default(|dispatch| dispatch.enabled(metadata)) {
            return Ok(());
        }
        let texts: Vec<Cow<'_, str>> = point
            .fields()
            .map(|(_, value)| match value {
                FieldValue::Text(text) => Cow::Borrowed(text),
                FieldValue::Bytes(bytes) => String::from_utf8_lossy(bytes),
                FieldValue::Number(_) => Cow::Borrowed(""),
            })
            .collect();
        let texts: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
        let numbers: Vec<f64> = point
            .fields()
            .map(|(_, value)| match value {
                FieldValue::Number(n) => n,
                _ => 0.0,
            })
            .collect();
        let dataset = point.dataset();
        let fields = metadata.fields();
        let mut names = fields.iter();
        let Some(first) = names.next() else {
            return Ok(());
        };
        let mut values: [(Field, Option<&dyn Value>); MAX_FIELDS] =
            std::array::from_fn(|_| (first.clone(), None));
        values[0].1 = Some(&dataset);
        for (i, ((field, kind), name)) in point.fields().zip(names).enumerate() {
            let value: &dyn Value = match kind {
                FieldValue::Number(_) => &numbers[i],
                _ => &texts[i],
            };
            debug_assert_eq!(name.name(), field.name());
            values[i + 1] = (name, Some(value));
        }
        let values: [(&Field, Option<&dyn Value>); MAX_FIELDS] =
            std::array::from_fn(|i| (&values[i].0, values[i].1));
        tracing::Event::dispatch(metadata, &fields.value_set(&values));
        Ok(())
    }
}

/// The callsite of one layout: its metadata names `dataset` and every field of the layout.
struct LayoutCallsite {
    metadata: OnceLock<Metadata<'static>>,
}

impl Callsite for LayoutCallsite {
    fn set_interest(&self, _: Interest) {}

    fn metadata(&self) -> &Metadata<'_> {
        // Set before the callsite is registered or handed out.
        self.metadata.get().unwrap_or(&PLACEHOLDER)
    }
}

static PLACEHOLDER_CALLSITE: LayoutCallsite = LayoutCallsite {
    metadata: OnceLock::new(),
};
static PLACEHOLDER: Metadata<'static> = metadata(&[], &PLACEHOLDER_CALLSITE);

/// The metadata of this sink's events with these field names, at this callsite.
const fn metadata(
    names: &'static [&'static str],
    callsite: &'static LayoutCallsite,
) -> Metadata<'static> {
    Metadata::new(
        EVENT_NAME,
        "tallymark",
        Level::INFO,
        None,
        None,
        None,
        FieldSet::new(names, Identifier(callsite)),
        Kind::EVENT,
    )
}

/// The callsites made so far, by layout. One per layout for the life of the process, so the
/// list stays as short as the number of layouts.
static CALLSITES: Mutex<Vec<(&'static Schema, &'static LayoutCallsite)>> = Mutex::new(Vec::new());

fn callsite_of(schema: &'static Schema) -> &'static LayoutCallsite {
    let mut callsites = CALLSITES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, callsite)) = callsites.iter().find(|(s, _)| std::ptr::eq(*s, schema)) {
        return callsite;
    }
    let names: Vec<&'static str> = std::iter::once("tallymark.dataset")
        .chain(schema.fields().iter().map(|field| field.name()))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let callsite: &'static LayoutCallsite = Box::leak(Box::new(LayoutCallsite {
        metadata: OnceLock::new(),
    }));
    let _ = callsite.metadata.set(metadata(names, callsite));
    tracing::callsite::register(callsite);
    callsites.push((schema, callsite));
    callsite
}
