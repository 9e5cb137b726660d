//! With the `off` feature, emitting compiles to nothing: no sink sees a point.
//! Run with `cargo test -p tallymark --features off --test off`.
#![cfg(feature = "off")]

use tallymark::sink::MemorySink;
use tallymark::Scope;

#[tallymark::layout(dataset = "d", binding = "B")]
struct Event {
    #[index]
    event: String,
    #[double(1)]
    n: f64,
}

#[test]
fn emitting_writes_nothing() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    scope.run_sync(|| Event::point().event("e").n(1).emit());
    assert!(sink.is_empty());
    assert_eq!(scope.stats(), tallymark::Stats::default());
}

#[tallymark::instrumented(Event, route = "GET /api/things", fields(n = 2))]
fn handler(id: u32) -> Result<u32, String> {
    tallymark::record!(event = id.to_string());
    if id == 0 {
        return Err("zero".into());
    }
    Ok(id)
}

#[test]
fn instrumented_functions_run_unchanged_and_write_nothing() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        assert_eq!(handler(3), Ok(3));
        assert_eq!(handler(0), Err("zero".into()));
    });
    assert!(sink.is_empty());
}

#[test]
fn the_schema_is_still_there() {
    use tallymark::Layout;
    assert_eq!(Event::SCHEMA.dataset(), "d");
    assert_eq!(Event::SCHEMA.fields().len(), 2);
}
