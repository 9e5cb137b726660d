//! The layout macro's output: schema, builder, and the exact arrays a point becomes.

use kiloclaw::telemetry::{Delivery, KiloClawEvent};
use tallymark::sink::MemorySink;
use tallymark::{Blob, FieldValue, Layout, Scope, Slot};

fn emit_and_read(build: impl FnOnce()) -> tallymark::sink::RecordedPoint {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(build);
    assert_eq!(sink.len(), 1);
    sink.last().unwrap()
}

#[test]
fn reference_point_has_the_reference_array_order() {
    let point = emit_and_read(|| {
        KiloClawEvent::point()
            .event("kiloclaw.status.get")
            .user_id("user-1")
            .delivery(Delivery::Http)
            .route("GET /api/kiloclaw/status")
            .sandbox_id("dXNlci0x")
            .duration_ms(12.5)
            .emit();
    });
    assert_eq!(
        point.blob_texts(),
        [
            "kiloclaw.status.get",
            "user-1",
            "http",
            "GET /api/kiloclaw/status",
            "",
            "",
            "",
            "dXNlci0x",
            "",
            "",
            "",
            "",
            ""
        ]
    );
    assert_eq!(point.doubles(), [12.5, 0.0]);
    assert_eq!(point.index(), Some("kiloclaw.status.get"));
    assert_eq!(point.dataset(), "kiloclaw_events");
}

#[test]
fn every_slot_lands_where_declared() {
    let point = emit_and_read(|| {
        KiloClawEvent::point()
            .event("reconcile.repair_mount")
            .user_id("u")
            .delivery(Delivery::Reconcile)
            .route("r")
            .error("e")
            .fly_app_name("app")
            .fly_machine_id("m1")
            .sandbox_id("s")
            .status("running")
            .openclaw_version("1.2.3")
            .image_tag("tag")
            .fly_region("iad")
            .label("repaired mount for volume v1")
            .duration_ms(3)
            .value(5_u32)
            .emit();
    });
    assert_eq!(
        point.blob_texts(),
        [
            "reconcile.repair_mount",
            "u",
            "reconcile",
            "r",
            "e",
            "app",
            "m1",
            "s",
            "running",
            "1.2.3",
            "tag",
            "iad",
            "repaired mount for volume v1"
        ]
    );
    assert_eq!(point.doubles(), [3.0, 5.0]);
    assert_eq!(point.text("fly_region"), Some("iad"));
    assert_eq!(point.number("value"), Some(5.0));
    assert_eq!(point.text("delivery"), Some("reconcile"));
    assert_eq!(point.get("nope"), None);
}

#[test]
fn schema_describes_every_field() {
    let schema = KiloClawEvent::SCHEMA;
    assert_eq!(schema.dataset(), "kiloclaw_events");
    assert_eq!(schema.binding(), "KILOCLAW_AE");
    assert_eq!(schema.layout(), "KiloClawEvent");
    assert_eq!(schema.blob_count(), 13);
    assert_eq!(schema.double_count(), 2);
    assert_eq!(schema.fields().len(), 15);
    let event = schema.field("event").unwrap();
    assert!(event.is_index());
    assert_eq!(event.slot(), Some(Slot::Blob(1)));
    assert_eq!(event.doc(), "Event name.");
    assert_eq!(event.ty(), "String");
    let value = schema.field("value").unwrap();
    assert_eq!(value.slot(), Some(Slot::Double(2)));
    assert!(!value.is_index());
    assert_eq!(value.doc(), "Generic number: uptime, stale age, threshold.");
    assert_eq!(schema.field("delivery").unwrap().ty(), "Delivery");
    assert_eq!(schema.index_field().unwrap().name(), "event");
    assert_eq!(Slot::Double(2).column(), "double2");
}

#[test]
fn setters_take_borrowed_owned_optional_and_enum_values() {
    let owned = String::from("owned");
    let point = emit_and_read(|| {
        KiloClawEvent::point()
            .event(String::from("e"))
            .user_id(&owned)
            .route(std::borrow::Cow::Borrowed("cow"))
            .error(None::<&str>)
            .status(Some("running"))
            .delivery(Some(Delivery::Do))
            .duration_ms(Some(1.5_f32))
            .value(None::<f64>)
            .emit();
    });
    assert_eq!(point.text("user_id"), Some("owned"));
    assert_eq!(point.text("route"), Some("cow"));
    assert_eq!(point.text("error"), Some(""));
    assert_eq!(point.text("status"), Some("running"));
    assert_eq!(point.text("delivery"), Some("do"));
    assert_eq!(point.doubles(), [1.5, 0.0]);
}

#[test]
fn the_unset_index_reads_empty() {
    let point = emit_and_read(|| KiloClawEvent::point().user_id("u").emit());
    assert_eq!(point.index(), Some(""));
    assert_eq!(point.get("event"), Some(FieldValue::Text("")));
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

#[derive(Clone, Copy, tallymark::FixedText)]
enum Renamed {
    #[tallymark(text = "GET")]
    Get,
    RestartSelfHealed,
}

#[test]
fn fixed_text_uses_the_attribute_or_snake_case() {
    use tallymark::FixedText;
    assert_eq!(Renamed::Get.text(), "GET");
    assert_eq!(Renamed::RestartSelfHealed.text(), "restart_self_healed");
    assert_eq!(Delivery::Reconcile.text(), "reconcile");
}
