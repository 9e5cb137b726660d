//! The layout macro's output: schema, builder, and the exact arrays a point becomes.

use tallymark::sink::MemorySink;
use tallymark::{Blob, FieldValue, Layout, Scope, Slot};
use tallymark_tests::{ApiEvent, Channel, OutOfOrder, Sample};

fn emit_and_read(build: impl FnOnce()) -> tallymark::sink::RecordedPoint {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(build);
    assert_eq!(sink.len(), 1);
    sink.last().unwrap()
}

#[test]
fn the_arrays_follow_the_slots_not_the_declaration() {
    let point = emit_and_read(|| {
        OutOfOrder::point()
            .duration_ms(12.5)
            .event("order.placed")
            .customer("ann")
            .channel(Channel::Web)
            .total(99.5)
            .emit();
    });
    assert_eq!(point.blob_texts(), ["order.placed", "web", "", "ann"]);
    assert_eq!(point.doubles(), [99.5, 12.5]);
    assert_eq!(point.index(), Some("order.placed"));
    assert_eq!(point.dataset(), "orders");
}

#[test]
fn every_slot_lands_where_declared() {
    let point = emit_and_read(|| {
        ApiEvent::point()
            .event("users.get")
            .user("acme:ann")
            .route("r")
            .error("e")
            .channel(Channel::CronJob)
            .tenant("acme")
            .label("nightly")
            .duration_ms(3)
            .value(5_u32)
            .emit();
    });
    assert_eq!(
        point.blob_texts(),
        [
            "users.get",
            "acme:ann",
            "r",
            "e",
            "cron_job",
            "acme",
            "nightly"
        ]
    );
    assert_eq!(point.doubles(), [3.0, 5.0]);
    assert_eq!(point.text("tenant"), Some("acme"));
    assert_eq!(point.number("value"), Some(5.0));
    assert_eq!(point.text("channel"), Some("cron_job"));
    assert_eq!(point.get("nope"), None);
}

#[test]
fn a_builder_debugs_as_its_fields_in_declaration_order() {
    let mut point = OutOfOrder::point();
    point.event("order.placed").customer("ann").total(99.5);
    assert_eq!(
        format!("{point:?}"),
        r#"OutOfOrderPoint { duration_ms: 0.0, event: "order.placed", customer: "ann", channel: "", total: 99.5 }"#
    );
}

#[test]
fn schema_describes_every_field_in_declaration_order() {
    let schema = OutOfOrder::SCHEMA;
    assert_eq!(schema.dataset(), "orders");
    assert_eq!(schema.binding(), "ORDERS");
    assert_eq!(schema.layout(), "OutOfOrder");
    assert_eq!(
        schema.blob_count(),
        4,
        "up to the highest slot, gap included"
    );
    assert_eq!(schema.double_count(), 2);
    let names: Vec<&str> = schema.fields().iter().map(|field| field.name()).collect();
    assert_eq!(
        names,
        ["duration_ms", "event", "customer", "channel", "total"]
    );
    let event = schema.field("event").unwrap();
    assert!(event.is_index());
    assert_eq!(event.slot(), Some(Slot::Blob(1)));
    assert_eq!(event.doc(), "The event name.");
    assert_eq!(event.ty(), "String");
    let duration = schema.field("duration_ms").unwrap();
    assert_eq!(duration.slot(), Some(Slot::Double(2)));
    assert!(!duration.is_index());
    assert_eq!(duration.doc(), "Milliseconds the order took.");
    assert_eq!(duration.ty(), "f64");
    assert_eq!(schema.field("channel").unwrap().ty(), "Channel");
    assert_eq!(schema.index_field().unwrap().name(), "event");
    assert_eq!(Slot::Double(2).column(), "double2");
}

#[test]
fn setters_take_borrowed_owned_optional_and_enum_values() {
    let owned = String::from("owned");
    // What a typed event's `&'static str` field gives its setter.
    let fixed: &&str = &"fixed";
    let point = emit_and_read(|| {
        ApiEvent::point()
            .event(fixed)
            .user(&owned)
            .route(std::borrow::Cow::Borrowed("cow"))
            .error(None::<&str>)
            .label(Some("optional"))
            .channel(Some(Channel::WebSocket))
            .duration_ms(Some(1.5_f32))
            .value(None::<f64>)
            .emit();
    });
    assert_eq!(point.text("event"), Some("fixed"));
    assert_eq!(point.text("user"), Some("owned"));
    assert_eq!(point.text("route"), Some("cow"));
    assert_eq!(point.text("error"), Some(""));
    assert_eq!(point.text("label"), Some("optional"));
    assert_eq!(point.text("channel"), Some("ws"));
    assert_eq!(point.doubles(), [1.5, 0.0]);
}

#[test]
fn an_unset_index_that_is_also_a_blob_reads_empty_in_both() {
    let point = emit_and_read(|| Sample::point().user("u").emit());
    assert_eq!(point.index(), Some(""));
    assert_eq!(point.get("event"), Some(FieldValue::Text("")));
    assert_eq!(point.blob_texts(), ["", "u"]);
}

mod gaps {
    /// A layout with gaps, an index-only field, and a binary blob.
    #[tallymark::layout(dataset = "gappy", binding = "GAPPY")]
    pub struct Gappy {
        #[index]
        pub tenant: String,
        #[blob(1)]
        pub a: String,
        #[blob(2)]
        pub b: String,
        #[blob(5)]
        pub payload: Vec<u8>,
        #[double(3)]
        pub n: u32,
    }
}

#[test]
fn gaps_are_written_as_empty_and_zero_up_to_the_highest_slot() {
    let point = emit_and_read(|| {
        gaps::Gappy::point()
            .tenant("acme")
            .a("x")
            .payload(&[0xff, 0x00, 0x7f])
            .n(7_u32)
            .emit();
    });
    assert_eq!(point.index(), Some("acme"));
    assert_eq!(point.blobs().len(), 5);
    assert_eq!(point.blob_texts(), ["x", "", "", "", ""]);
    assert_eq!(point.blobs()[4], Blob::Bytes(vec![0xff, 0x00, 0x7f].into()));
    assert_eq!(
        point.get("payload"),
        Some(FieldValue::Bytes(&[0xff, 0x00, 0x7f]))
    );
    assert_eq!(point.doubles(), [0.0, 0.0, 7.0]);
    assert_eq!(point.text("tenant"), Some("acme"));
}

#[test]
fn a_builder_debugs_an_index_only_field_and_bytes_too() {
    let mut point = gaps::Gappy::point();
    point
        .tenant("acme")
        .a("x")
        .payload(&[0xff, 0x00, 0x7f])
        .n(7_u32);
    assert_eq!(
        format!("{point:?}"),
        r#"GappyPoint { tenant: "acme", a: "x", b: "", payload: [255, 0, 127], n: 7.0 }"#
    );
}

#[test]
fn fixed_text_uses_the_attribute_or_snake_case() {
    use tallymark::FixedText;
    assert_eq!(
        [
            Channel::Web,
            Channel::Queue,
            Channel::CronJob,
            Channel::WebSocket
        ]
        .map(|channel| channel.text()),
        ["web", "queue", "cron_job", "ws"]
    );
}
