//! Every sink, with exact output.

use std::sync::{Arc, Mutex};
use tallymark::sink::{ConsoleSink, Fanout, MemorySink, NoopSink, Sink, TracingSink, WriteError};
use tallymark::{DataPoint, Scope};
use tallymark_tests::{Captured, Channel, OutOfOrder, OutOfOrderPoint};

/// A point of a layout declared out of slot order: fields by name follow the declaration.
fn sample() -> OutOfOrderPoint<'static> {
    let mut point = OutOfOrder::point();
    point
        .event("order.placed")
        .customer("ann")
        .channel(Channel::Web)
        .duration_ms(12.5);
    point
}

#[test]
fn console_sink_writes_one_json_line_by_field_name_in_declaration_order() {
    let buffer = Captured::default();
    Scope::new(ConsoleSink::to_writer(buffer.clone())).run_sync(|| {
        sample().emit();
        sample().customer("bob").total(3).emit();
    });
    assert_eq!(
        buffer.text(),
        concat!(
            r#"{"duration_ms":12.5,"event":"order.placed","customer":"ann","channel":"web","total":0}"#,
            "\n",
            r#"{"duration_ms":12.5,"event":"order.placed","customer":"bob","channel":"web","total":3}"#,
            "\n"
        )
    );
}

/// The fields of one `tracing` event, as `(name, "type:value")`.
type EventFields = Vec<(String, String)>;

/// Collects the fields of every `tracing` event.
#[derive(Clone, Default)]
struct Collected(Arc<Mutex<Vec<EventFields>>>);

struct Visitor<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Visitor<'_> {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.0.push((field.name().into(), format!("f64:{value}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().into(), format!("str:{value}")));
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().into(), format!("debug:{value:?}")));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Collected {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        assert_eq!(event.metadata().target(), "tallymark");
        assert_eq!(*event.metadata().level(), tracing::Level::INFO);
        let mut fields = Vec::new();
        event.record(&mut Visitor(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

#[test]
fn tracing_sink_emits_one_event_with_fields_by_name_in_declaration_order() {
    use tracing_subscriber::layer::SubscriberExt;
    let collected = Collected::default();
    let subscriber = tracing_subscriber::registry().with(collected.clone());
    tracing::subscriber::with_default(subscriber, || {
        Scope::new(TracingSink).run_sync(|| sample().emit());
    });
    let events = collected.0.lock().unwrap();
    assert_eq!(events.len(), 1);
    let fields: Vec<(&str, &str)> = events[0]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("tallymark.dataset", "str:orders"),
            ("duration_ms", "f64:12.5"),
            ("event", "str:order.placed"),
            ("customer", "str:ann"),
            ("channel", "str:web"),
            ("total", "f64:0"),
        ]
    );
}

/// A layout of 32 fields: more than `tracing`'s own macros let one event carry.
#[tallymark::layout(dataset = "wide", binding = "WIDE")]
pub struct Wide {
    #[index]
    pub tenant: String,
    #[blob(1)]
    pub b1: String,
    #[blob(2)]
    pub b2: String,
    #[blob(3)]
    pub b3: String,
    #[blob(4)]
    pub b4: String,
    #[blob(5)]
    pub b5: String,
    #[blob(6)]
    pub b6: String,
    #[blob(7)]
    pub b7: String,
    #[blob(8)]
    pub b8: String,
    #[blob(9)]
    pub b9: String,
    #[blob(10)]
    pub b10: String,
    #[blob(11)]
    pub b11: String,
    #[blob(12)]
    pub b12: String,
    #[blob(13)]
    pub b13: String,
    #[blob(14)]
    pub b14: String,
    #[blob(15)]
    pub b15: String,
    #[blob(16)]
    pub b16: String,
    #[blob(17)]
    pub b17: String,
    #[blob(18)]
    pub b18: String,
    #[blob(19)]
    pub b19: String,
    #[blob(20)]
    pub b20: String,
    #[double(1)]
    pub d1: f64,
    #[double(2)]
    pub d2: f64,
    #[double(3)]
    pub d3: f64,
    #[double(4)]
    pub d4: f64,
    #[double(5)]
    pub d5: f64,
    #[double(6)]
    pub d6: f64,
    #[double(7)]
    pub d7: f64,
    #[double(8)]
    pub d8: f64,
    #[double(9)]
    pub d9: f64,
    #[double(10)]
    pub d10: f64,
    #[double(11)]
    pub d11: f64,
}

#[test]
fn tracing_sink_writes_every_field_of_a_layout_of_more_than_32_fields_by_name() {
    use tracing_subscriber::layer::SubscriberExt;
    let collected = Collected::default();
    let subscriber = tracing_subscriber::registry().with(collected.clone());
    tracing::subscriber::with_default(subscriber, || {
        Scope::new(TracingSink).run_sync(|| {
            Wide::point()
                .tenant("acme")
                .b1("x")
                .b20("y")
                .d1(1.5)
                .d11(2.0)
                .emit();
        });
    });
    let events = collected.0.lock().unwrap();
    assert_eq!(events.len(), 1);
    // `count` fields `<prefix>1..`, each `<kind>:<default>` but those in `set`.
    let numbered =
        |prefix: &str, count: usize, kind: &str, default: &str, set: &[(usize, &str)]| {
            (1..=count)
                .map(|n| {
                    let value = set
                        .iter()
                        .find(|(at, _)| *at == n)
                        .map_or(default, |(_, v)| *v);
                    (format!("{prefix}{n}"), format!("{kind}:{value}"))
                })
                .collect::<Vec<_>>()
        };
    let mut expected = vec![
        ("tallymark.dataset".to_owned(), "str:wide".to_owned()),
        ("tenant".to_owned(), "str:acme".to_owned()),
    ];
    expected.extend(numbered("b", 20, "str", "", &[(1, "x"), (20, "y")]));
    expected.extend(numbered("d", 11, "f64", "0", &[(1, "1.5"), (11, "2")]));
    assert_eq!(events[0], expected);
}

/// A sink that always fails.
struct Failing;

impl Sink for Failing {
    fn write(&self, _: &DataPoint<'_>) -> Result<(), WriteError> {
        Err(WriteError::new("binding threw"))
    }
}

#[test]
fn fanout_writes_to_every_sink_and_a_failure_is_counted_not_propagated() {
    let first = MemorySink::new();
    let second = MemorySink::new();
    let fanout = Fanout::new()
        .with(first.clone())
        .with(Failing)
        .with(second.clone());
    assert_eq!(fanout.len(), 3);
    let scope = Scope::new(fanout);
    scope.run_sync(|| sample().emit());
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1);
    assert_eq!(scope.stats().failed, 1);
    assert_eq!(scope.stats().written, 0);
}

#[test]
fn noop_sink_accepts_everything() {
    let scope = Scope::new(NoopSink);
    scope.run_sync(|| sample().emit());
    assert_eq!(scope.stats().written, 1);
}

#[test]
fn memory_sink_answers_by_name_and_by_slot_and_can_be_drained() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        sample().emit();
        sample().customer("bob").emit();
    });
    let points = sink.points();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].text("customer"), Some("bob"));
    assert_eq!(points[1].blob_texts()[3], "bob", "customer is blob4");
    assert_eq!(points[0].number("duration_ms"), Some(12.5));
    assert_eq!(points[0].text("duration_ms"), None);
    assert_eq!(sink.take().len(), 2);
    assert!(sink.is_empty());
}

#[test]
fn a_recorded_point_can_be_replayed_into_another_sink() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| sample().emit());
    let recorded = sink.last().unwrap();
    assert_eq!(
        tallymark::sink::json_line(&recorded.view()),
        tallymark::sink::json_line(&sample().seal())
    );
}
