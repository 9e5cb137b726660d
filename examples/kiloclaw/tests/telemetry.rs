//! KiloClaw's own scenario, natively: its reference point layout (`kiloclaw_events`, section 1),
//! the names and fields of its HTTP routes and its platform rule (sections 3.2 and 3.3), its
//! Durable Object lifecycle events (section 4) and its reconcile lines (section 5), byte-exact.
//!
//! The library's rules are tested in `tests/` with layouts of their own; this file tests what
//! KiloClaw chose, so that a change to the example changes only this file and the e2e suite.

use kiloclaw::events::{InstanceEvent, ReconcileEvent};
use kiloclaw::fly::FlyError;
use kiloclaw::state::{InstanceState, InstanceStatus};
use kiloclaw::telemetry::{
    http_fields, instance_id_from_sandbox_id, platform_rule, sandbox_id_from_instance_id, Delivery,
    KiloClawEvent, DO_LINE, RECONCILE_LINE,
};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tallymark::events::{Event, Nullable, Reconcile};
use tallymark::sink::{MemoryLines, MemorySink, RecordedPoint};
use tallymark::{clock, FixedText, HttpStatus, Layout, Scope, Slot};

/// How many blobs the layout writes: the reference's 13, and `org_id` and `instance_id`
/// appended later (§7.1).
const REFERENCE_BLOBS: usize = 15;

/// The blobs of a reference point with these 1-based slots set, every other one `''`.
fn blobs(set: &[(usize, &str)]) -> Vec<String> {
    let mut blobs = vec![String::new(); REFERENCE_BLOBS];
    for (slot, value) in set {
        blobs[slot - 1] = (*value).to_owned();
    }
    blobs
}

/// The output of a future that never waits (every handler here).
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the handler never waits"),
    }
}

// --- Section 1: the reference layout ------------------------------------------------------------

#[test]
fn reference_point_has_the_reference_array_order() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        KiloClawEvent::point()
            .event("kiloclaw.status.get")
            .user_id("user-1")
            .delivery(Delivery::Http)
            .route("GET /api/kiloclaw/status")
            .sandbox_id("dXNlci0x")
            .duration_ms(12.5)
            .emit();
    });
    assert_eq!(sink.len(), 1);
    let point = sink.last().unwrap();
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
            "",
            // org_id and instance_id, appended later: '' when not set.
            "",
            ""
        ]
    );
    assert_eq!(point.doubles(), [12.5, 0.0]);
    assert_eq!(point.index(), Some("kiloclaw.status.get"));
    assert_eq!(point.dataset(), "kiloclaw_events");
}

#[test]
fn every_reference_field_lands_in_its_reference_slot() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
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
            .org_id("o1")
            .instance_id("i1")
            .duration_ms(3)
            .value(5_u32)
            .emit();
    });
    let point = sink.last().unwrap();
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
            "repaired mount for volume v1",
            "o1",
            "i1"
        ]
    );
    assert_eq!(point.doubles(), [3.0, 5.0]);
}

#[test]
fn the_schema_is_the_references() {
    let schema = KiloClawEvent::SCHEMA;
    assert_eq!(schema.dataset(), "kiloclaw_events");
    assert_eq!(schema.binding(), "KILOCLAW_AE");
    assert_eq!(schema.layout(), "KiloClawEvent");
    assert_eq!(schema.blob_count(), 15);
    assert_eq!(schema.double_count(), 2);
    assert_eq!(schema.fields().len(), 17);
    // Appended after the first version, never reordered: blobs 1 to 13 keep their meaning.
    assert_eq!(schema.field("label").unwrap().slot(), Some(Slot::Blob(13)));
    assert_eq!(schema.field("org_id").unwrap().slot(), Some(Slot::Blob(14)));
    assert_eq!(
        schema.field("instance_id").unwrap().slot(),
        Some(Slot::Blob(15))
    );
    let event = schema.field("event").unwrap();
    assert!(event.is_index());
    assert_eq!(event.slot(), Some(Slot::Blob(1)));
    assert_eq!(event.doc(), "Event name.");
    let value = schema.field("value").unwrap();
    assert_eq!(value.slot(), Some(Slot::Double(2)));
    assert_eq!(value.doc(), "Generic number: uptime, stale age, threshold.");
    assert_eq!(schema.field("delivery").unwrap().ty(), "Delivery");
}

#[test]
fn deliveries_write_the_reference_texts() {
    assert_eq!(
        [
            Delivery::Http,
            Delivery::Do,
            Delivery::Reconcile,
            Delivery::Queue
        ]
        .map(|delivery| delivery.text()),
        ["http", "do", "reconcile", "queue"]
    );
}

// --- Sections 3.2 and 3.3: the routes -----------------------------------------------------------

/// A response with a status, as a handler returns.
#[derive(Debug, PartialEq)]
struct Response(u16);

impl HttpStatus for Response {
    fn http_status(&self) -> u16 {
        self.0
    }
}

/// A handler error with a message.
#[derive(Debug, PartialEq)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `handler` in a scope whose invocation started 50 ms ago (the timing middleware's start).
fn run<T>(handler: impl Future<Output = T>) -> (T, Vec<RecordedPoint>) {
    let sink = MemorySink::new();
    let started = clock::now() - Duration::from_millis(50);
    let output = ready(Scope::starting_at(sink.clone(), started).run(handler));
    (output, sink.points())
}

/// An HTTP point: these blobs, timed from the invocation's start, no value.
fn assert_http_point(point: &RecordedPoint, expected_blobs: &[(usize, &str)]) {
    assert_eq!(point.blob_texts(), blobs(expected_blobs));
    assert_eq!(point.index(), Some(expected_blobs[0].1));
    let duration = point.doubles()[0];
    assert!(
        duration >= 50.0,
        "timed from the invocation start: {duration}"
    );
    assert_eq!(point.doubles()[1], 0.0);
    assert_eq!(point.dataset(), "kiloclaw_events");
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/kiloclaw/status", enrich = http_fields, fields(user_id = user))]
async fn kiloclaw_status(user: Option<&'static str>) -> Result<Response, Error> {
    Ok(Response(200))
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/admin/storage", enrich = http_fields, fields(user_id = user))]
async fn admin_storage(user: &'static str) -> Result<Response, Error> {
    Ok(Response(410))
}

#[tallymark::instrumented(KiloClawEvent, route = "POST /api/admin/machine/restart", enrich = http_fields, fields(user_id = user))]
async fn admin_machine_restart(user: &'static str, message: String) -> Result<Response, Error> {
    Err(Error(message))
}

#[test]
fn a_wrapped_route_writes_the_reference_point() {
    let (response, points) = run(kiloclaw_status(Some("user-1")));
    assert_eq!(response, Ok(Response(200)));
    assert_eq!(points.len(), 1);
    assert_http_point(
        &points[0],
        &[
            (1, "kiloclaw.status.get"),
            (2, "user-1"),
            (3, "http"),
            (4, "GET /api/kiloclaw/status"),
            (8, "dXNlci0x"),
        ],
    );
}

#[test]
fn a_wrapped_route_without_a_user_still_writes() {
    let (_, points) = run(kiloclaw_status(None));
    assert_http_point(
        &points[0],
        &[
            (1, "kiloclaw.status.get"),
            (3, "http"),
            (4, "GET /api/kiloclaw/status"),
        ],
    );
}

#[test]
fn an_admin_route_answering_410_records_http_410() {
    let (response, points) = run(admin_storage("user-123"));
    assert_eq!(response, Ok(Response(410)));
    assert_http_point(
        &points[0],
        &[
            (1, "admin.storage.get"),
            (2, "user-123"),
            (3, "http"),
            (4, "GET /api/admin/storage"),
            (5, "HTTP 410"),
            (8, "dXNlci0xMjM"),
        ],
    );
}

#[test]
fn a_thrown_error_is_recorded_cut_to_200_utf16_units() {
    let message = "x".repeat(300);
    let (result, points) = run(admin_machine_restart("abc", message.clone()));
    assert_eq!(result, Err(Error(message)));
    assert_http_point(
        &points[0],
        &[
            (1, "admin.machine.restart.create"),
            (2, "abc"),
            (3, "http"),
            (4, "POST /api/admin/machine/restart"),
            (5, &"x".repeat(200)),
            (8, "YWJj"),
        ],
    );

    let (_, points) = run(admin_machine_restart("é", "é".repeat(250)));
    assert_eq!(points[0].text("error"), Some("é".repeat(200).as_str()));
    assert_eq!(points[0].text("sandbox_id"), Some("w6k"));

    // An emoji is two UTF-16 code units, as in JavaScript's `.slice(0, 200)`: 150 become 100.
    let (_, points) = run(admin_machine_restart("abc", "😀".repeat(150)));
    assert_eq!(points[0].text("error"), Some("😀".repeat(100).as_str()));
    // Where `.slice` would keep half an emoji (unit 200 is a high surrogate), the text ends
    // before it: 199 units.
    let (_, points) = run(admin_machine_restart(
        "abc",
        format!("a{}", "😀".repeat(150)),
    ));
    assert_eq!(
        points[0].text("error"),
        Some(format!("a{}", "😀".repeat(99)).as_str())
    );
}

#[test]
fn the_layout_states_its_error_unit() {
    assert_eq!(
        KiloClawEvent::SCHEMA.error_text(),
        tallymark::TextLimit::Utf16Units(200)
    );
}

#[test]
fn a_sandbox_id_derivation_failure_is_swallowed() {
    let long_user: &'static str = Box::leak("u".repeat(48).into_boxed_str());
    let (response, points) = run(kiloclaw_status(Some(long_user)));
    assert_eq!(response, Ok(Response(200)));
    assert_eq!(points[0].text("user_id"), Some(long_user));
    assert_eq!(points[0].text("sandbox_id"), Some(""));

    let at_limit: &'static str = Box::leak("u".repeat(47).into_boxed_str());
    let (_, points) = run(kiloclaw_status(Some(at_limit)));
    assert_eq!(points[0].text("sandbox_id").unwrap().len(), 63);
}

/// A platform route that validates the user id from its JSON body, as `parseBody` does.
#[tallymark::instrumented(KiloClawEvent, route = "POST /api/platform/provision", emit_if = platform_rule, enrich = http_fields)]
async fn platform_provision(body: &'static str) -> Result<Response, Error> {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(body) else {
        return Ok(Response(400)); // Malformed JSON body
    };
    let Some(user) = body["userId"].as_str().filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // Invalid request
    };
    tallymark::record!(user_id = user.to_owned());
    Ok(Response(201))
}

#[tallymark::instrumented(KiloClawEvent, route = "GET /api/platform/versions", emit_if = platform_rule, enrich = http_fields)]
async fn platform_versions(fail: bool) -> Result<Response, Error> {
    if fail {
        return Err(Error("versions unavailable".into()));
    }
    Ok(Response(200))
}

/// A GET route that validates `?userId=` as `setValidatedQueryUserId` does.
#[tallymark::instrumented(KiloClawEvent, route = "GET /api/platform/status", emit_if = platform_rule, enrich = http_fields)]
async fn platform_status(query_user: Option<&'static str>) -> Result<Response, Error> {
    let Some(user) = query_user.filter(|u| !u.is_empty()) else {
        return Ok(Response(400)); // userId query parameter is required
    };
    tallymark::record!(user_id = user);
    Ok(Response(200))
}

#[test]
fn the_platform_rule_writes_when_the_body_gave_a_user() {
    let (response, points) = run(platform_provision(r#"{"userId":"user-1"}"#));
    assert_eq!(response, Ok(Response(201)));
    assert_http_point(
        &points[0],
        &[
            (1, "platform.provision.create"),
            (2, "user-1"),
            (3, "http"),
            (4, "POST /api/platform/provision"),
            (8, "dXNlci0x"),
        ],
    );
}

#[test]
fn the_platform_rule_writes_errors_without_a_user() {
    let (_, points) = run(platform_provision("{not json"));
    assert_http_point(
        &points[0],
        &[
            (1, "platform.provision.create"),
            (3, "http"),
            (4, "POST /api/platform/provision"),
            (5, "HTTP 400"),
        ],
    );
    let (_, points) = run(platform_provision(r#"{"userId":""}"#));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("user_id"), Some(""));
}

#[test]
fn the_platform_rule_skips_successes_without_a_user() {
    let (response, points) = run(platform_versions(false));
    assert_eq!(response, Ok(Response(200)));
    assert!(points.is_empty());

    let (_, points) = run(platform_versions(true));
    assert_http_point(
        &points[0],
        &[
            (1, "platform.versions.get"),
            (3, "http"),
            (4, "GET /api/platform/versions"),
            (5, "versions unavailable"),
        ],
    );
}

#[test]
fn the_platform_rule_with_a_query_user() {
    let (_, points) = run(platform_status(Some("user-1")));
    assert_eq!(points[0].text("user_id"), Some("user-1"));
    assert_eq!(points[0].text("error"), Some(""));
    let (_, points) = run(platform_status(None));
    assert_eq!(points[0].text("error"), Some("HTTP 400"));
    assert_eq!(points[0].text("event"), Some("platform.status.get"));
}

#[test]
fn the_platform_middleware_names_the_concrete_path() {
    let sink = MemorySink::new();
    Scope::new(sink.clone()).run_sync(|| {
        let call = tallymark::Call::<KiloClawEvent>::http("PATCH", "/api/platform/kilocode-config")
            .emit_if(platform_rule)
            .enrich(http_fields);
        call.record(|point| {
            point.user_id("user-1");
        });
        call.finish_http::<Response, Error>(&Ok(Response(503)));
    });
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some("platform.kilocode-config.update"));
    assert_eq!(
        point.text("route"),
        Some("PATCH /api/platform/kilocode-config")
    );
    assert_eq!(point.text("error"), Some("HTTP 503"));
    assert_eq!(point.text("sandbox_id"), Some("dXNlci0x"));
}

// --- Sections 4 and 5: the Durable Object's events ----------------------------------------------

fn state() -> InstanceState {
    InstanceState {
        user_id: Some("user-1".into()),
        sandbox_id: Some("dXNlci0x".into()),
        fly_app_name: Some("kc-app".into()),
        fly_machine_id: Some("m-old".into()),
        status: Some(InstanceStatus::Starting),
        openclaw_version: Some("1.4.2".into()),
        tracked_image_tag: Some("img-7".into()),
        fly_region: Some("iad".into()),
        ..InstanceState::default()
    }
}

/// Runs `f` in a scope capturing points and console lines.
fn capture(f: impl FnOnce()) -> (Vec<RecordedPoint>, Vec<String>) {
    let (sink, lines) = (MemorySink::new(), MemoryLines::new());
    Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(f);
    (sink.points(), lines.lines())
}

/// The blobs with the state's dimensions and the given event, delivery, status and extras.
fn state_blobs(event: &str, delivery: &str, status: &str, extra: &[(usize, &str)]) -> Vec<String> {
    let mut set = vec![
        (1, event),
        (2, "user-1"),
        (3, delivery),
        (6, "kc-app"),
        (7, "m-old"),
        (8, "dXNlci0x"),
        (9, status),
        (10, "1.4.2"),
        (11, "img-7"),
        (12, "iad"),
    ];
    set.extend_from_slice(extra);
    blobs(&set)
}

#[test]
fn lifecycle_events_write_their_line_then_their_point_with_the_instances_dimensions() {
    let state = state();
    let (points, lines) = capture(|| {
        for event in [
            InstanceEvent::Provisioned {
                status: InstanceStatus::Provisioned,
                duration_ms: 12.5,
            },
            InstanceEvent::Started {
                status: InstanceStatus::Running,
                duration_ms: Some(3000.0),
            },
            // No `startingAt`: no `durationMs` in the line, 0 in the point.
            InstanceEvent::Started {
                status: InstanceStatus::Running,
                duration_ms: None,
            },
            InstanceEvent::Stopped {
                status: InstanceStatus::Stopped,
                value: 60_000.0,
            },
            InstanceEvent::DestroyStarted {
                status: InstanceStatus::Destroying,
                value: 0.0,
            },
        ] {
            tallymark::events::log(&DO_LINE, &event, &state);
        }
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"kiloclaw_do","message":"instance.provisioned","status":"provisioned","durationMs":12.5}"#,
            r#"{"tag":"kiloclaw_do","message":"instance.started","status":"running","durationMs":3000}"#,
            r#"{"tag":"kiloclaw_do","message":"instance.started","status":"running"}"#,
            r#"{"tag":"kiloclaw_do","message":"instance.stopped","status":"stopped","value":60000}"#,
            r#"{"tag":"kiloclaw_do","message":"instance.destroy_started","status":"destroying","value":0}"#,
        ]
    );
    let expected = [
        ("instance.provisioned", "provisioned", [12.5, 0.0]),
        ("instance.started", "running", [3000.0, 0.0]),
        ("instance.started", "running", [0.0, 0.0]),
        ("instance.stopped", "stopped", [0.0, 60_000.0]),
        ("instance.destroy_started", "destroying", [0.0, 0.0]),
    ];
    assert_eq!(points.len(), 5);
    for (point, (event, status, doubles)) in points.iter().zip(expected) {
        assert_eq!(
            point.blob_texts(),
            state_blobs(event, "do", status, &[]),
            "{event}"
        );
        assert_eq!(point.doubles(), doubles, "{event}");
        assert_eq!(point.index(), Some(event));
    }
}

#[test]
fn provisioning_failed_keeps_its_whole_error_where_reconcile_errors_are_cut() {
    let state = state();
    let long = "x".repeat(300);
    let (points, lines) = capture(|| {
        tallymark::events::log(
            &DO_LINE,
            &InstanceEvent::ProvisioningFailed {
                status: InstanceStatus::Stopped,
                label: "no_machine_created",
                error: Some(long.clone()),
            },
            &state,
        );
    });
    assert_eq!(
        lines,
        [format!(
            r#"{{"tag":"kiloclaw_do","message":"instance.provisioning_failed","status":"stopped","label":"no_machine_created","error":"{long}"}}"#
        )]
    );
    assert_eq!(
        points[0].blob_texts(),
        state_blobs(
            "instance.provisioning_failed",
            "do",
            "stopped",
            &[(5, &long), (13, "no_machine_created")]
        )
    );
}

#[test]
fn the_appended_blobs_come_from_the_instance() {
    let mut state = state();
    state.org_id = Some("org-9".into());
    state.instance_id = Some("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".into());
    let (points, _) = capture(|| {
        tallymark::events::log(
            &DO_LINE,
            &InstanceEvent::Stopped {
                status: InstanceStatus::Stopped,
                value: 0.0,
            },
            &state,
        );
    });
    assert_eq!(
        points[0].blob_texts(),
        state_blobs(
            "instance.stopped",
            "do",
            "stopped",
            &[(14, "org-9"), (15, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")]
        )
    );
}

#[test]
fn instance_ids_come_only_from_instance_keyed_sandbox_ids() {
    let id = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    let sandbox = sandbox_id_from_instance_id(id).unwrap();
    assert_eq!(sandbox, "ki_0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    assert_eq!(
        instance_id_from_sandbox_id(&sandbox).as_deref(),
        Some("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    );
    // A user-keyed sandbox id, or a malformed one, derives nothing (written '').
    for sandbox in [
        "dXNlci0x",
        "ki_",
        "ki_0f1e",
        "ki_zz1e2d3c4b5a69788796a5b4c3d2e1f0",
    ] {
        assert_eq!(instance_id_from_sandbox_id(sandbox), None, "{sandbox}");
    }
    assert_eq!(sandbox_id_from_instance_id("not-a-uuid"), None);
}

#[test]
fn a_lifecycle_event_of_an_empty_instance_has_empty_dimensions() {
    let state = InstanceState::default();
    let (points, lines) = capture(|| {
        tallymark::events::log(
            &DO_LINE,
            &InstanceEvent::Stopped {
                status: InstanceStatus::Stopped,
                value: 0.0,
            },
            &state,
        );
    });
    assert_eq!(
        lines,
        [r#"{"tag":"kiloclaw_do","message":"instance.stopped","status":"stopped","value":0}"#]
    );
    assert_eq!(
        points[0].blob_texts(),
        blobs(&[(1, "instance.stopped"), (3, "do"), (9, "stopped")])
    );
}

#[test]
fn sync_status_logs_the_line_then_the_point_with_the_old_status() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        let rctx = Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE);
        rctx.log(&ReconcileEvent::SyncStatus {
            old_state: InstanceStatus::Starting,
            new_state: "running",
            fly_state: "started",
        });
        // The call site logs before mutating, so the point holds the old status.
        state.borrow_mut().status = Some(InstanceStatus::Running);
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"alarm","action":"sync_status","old_state":"starting","new_state":"running","fly_state":"started"}"#
        ]
    );
    assert_eq!(
        points[0].blob_texts(),
        state_blobs("reconcile.sync_status", "reconcile", "starting", &[])
    );
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

#[test]
fn api_key_refreshed_maps_duration_and_label() {
    let mut s = state();
    s.status = Some(InstanceStatus::Running);
    let state = RefCell::new(s);
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE).log(
            &ReconcileEvent::ApiKeyRefreshed {
                user_id: Nullable(Some("user-1".into())),
                new_expires_at: 1_800_000_000_000.0,
                pushed: true,
                fly_config_updated: false,
                controller_version: Nullable(None),
                duration_ms: 84.25,
                label: "refreshed+pushed".into(),
            },
        );
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"alarm","action":"api_key_refreshed","user_id":"user-1","new_expires_at":1800000000000,"pushed":true,"flyConfigUpdated":false,"controller_version":null,"durationMs":84.25,"label":"refreshed+pushed"}"#
        ]
    );
    assert_eq!(
        points[0].blob_texts(),
        state_blobs(
            "reconcile.api_key_refreshed",
            "reconcile",
            "running",
            &[(13, "refreshed+pushed")]
        )
    );
    assert_eq!(points[0].doubles(), [84.25, 0.0]);
}

#[test]
fn stale_provision_and_mark_stopped_map_value() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        let rctx = Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE);
        rctx.log(&ReconcileEvent::AutoDestroyStaleProvision {
            user_id: Nullable(Some("user-1".into())),
            provisioned_at: Nullable(Some(1000.0)),
            age_hours: 9.0,
            value: 32_400_000.0,
        });
        rctx.log(&ReconcileEvent::MarkStopped {
            old_state: "running",
            new_state: "stopped",
            fly_state: "stopped".into(),
            fail_count: 5,
            value: 5.0,
        });
    });
    assert_eq!(
        lines[0],
        r#"{"tag":"reconcile","reason":"alarm","action":"auto_destroy_stale_provision","user_id":"user-1","provisioned_at":1000,"age_hours":9,"value":32400000}"#
    );
    assert_eq!(points[0].doubles(), [0.0, 32_400_000.0]);
    assert_eq!(points[1].doubles(), [0.0, 5.0]);
    assert_eq!(points[1].index(), Some("reconcile.mark_stopped"));
}

#[test]
fn restart_self_healed_without_a_restart_time_leaves_out_its_duration() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        Reconcile::new("restart", &state)
            .shaped(&RECONCILE_LINE)
            .log(&ReconcileEvent::RestartSelfHealed {
                machine_id: Nullable(Some("m-old".into())),
                previous_error: Nullable(None),
                had_restart_error: false,
                duration_ms: None,
                old_state: "restarting",
                new_state: "running",
            });
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"restart","action":"restart_self_healed","machine_id":"m-old","previous_error":null,"had_restart_error":false,"old_state":"restarting","new_state":"running"}"#
        ]
    );
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

#[test]
fn reconcile_errors_are_cut_to_200_utf16_units_in_the_point_only() {
    let state = RefCell::new(state());
    let long = "e".repeat(250);
    let (points, lines) = capture(|| {
        Reconcile::new("destroy", &state)
            .shaped(&RECONCILE_LINE)
            .log(&ReconcileEvent::DestroyMachineFailed {
                machine_id: "m-old".into(),
                error: FlyError::message(long.clone()),
            });
    });
    assert_eq!(
        lines[0],
        format!(
            r#"{{"tag":"reconcile","reason":"destroy","action":"destroy_machine_failed","machine_id":"m-old","error":"{long}"}}"#
        )
    );
    assert_eq!(
        points[0].blob_texts(),
        state_blobs(
            "reconcile.destroy_machine_failed",
            "reconcile",
            "starting",
            &[(5, &"e".repeat(200))]
        )
    );
}

#[test]
fn an_undefined_detail_is_left_out_of_the_line() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE).log(
            &ReconcileEvent::RestartingReconcileSuccess {
                machine_id: "m-old".into(),
                elapsed_ms: None,
            },
        );
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"alarm","action":"restarting_reconcile_success","machine_id":"m-old"}"#
        ]
    );
    assert_eq!(points[0].doubles(), [0.0, 0.0]);
}

#[test]
fn error_shapes_are_written_as_the_reference_writes_them() {
    let state = RefCell::new(state());
    let shapes = [
        (FlyError::Error("fly 503".into()), "fly 503", "{}"),
        (FlyError::Thrown(serde_json::Value::Null), "null", "null"),
        (FlyError::Thrown(42.into()), "42", "42"),
        (
            FlyError::Thrown(serde_json::json!({"code": 42})),
            r#"{"code":42}"#,
            r#"{"code":42}"#,
        ),
        (
            FlyError::Unserializable,
            "[unserializable error]",
            r#""[unserializable]""#,
        ),
    ];
    for (error, text, console) in shapes {
        let (points, lines) = capture(|| {
            Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE).log(
                &ReconcileEvent::VolumeCheckFailed {
                    volume_id: "vol1".into(),
                    error: error.clone(),
                },
            );
        });
        assert_eq!(
            lines,
            [format!(
                r#"{{"tag":"reconcile","reason":"alarm","action":"volume_check_failed","volume_id":"vol1","error":{console}}}"#
            )]
        );
        assert_eq!(points[0].text("error"), Some(text), "{error:?}");
    }
}

#[test]
fn console_only_actions_write_no_point() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        Reconcile::new("start_503_recovery", &state)
            .shaped(&RECONCILE_LINE)
            .log(&ReconcileEvent::ForkStrandedVolume {
                fly_app_name: "kc-app".into(),
                old_volume_id: "v1".into(),
                old_region: "iad".into(),
                new_volume_id: "v2".into(),
                new_region: "ord".into(),
            });
    });
    assert!(points.is_empty());
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"start_503_recovery","action":"fork_stranded_volume","fly_app_name":"kc-app","old_volume_id":"v1","old_region":"iad","new_volume_id":"v2","new_region":"ord"}"#
        ]
    );
}

#[test]
fn the_catalog_has_the_reference_names() {
    let with_point: Vec<&str> = ReconcileEvent::ALL
        .iter()
        .filter(|(_, p)| *p)
        .map(|(n, _)| *n)
        .collect();
    let console_only: Vec<&str> = ReconcileEvent::ALL
        .iter()
        .filter(|(_, p)| !*p)
        .map(|(n, _)| *n)
        .collect();
    let reference = [
        "auto_destroy_stale_provision",
        "api_key_expiry_approaching",
        "api_key_mint_error",
        "api_key_mint_failed",
        "api_key_fly_config_update_failed",
        "api_key_push_not_signaled",
        "api_key_push_error",
        "api_key_refresh_failed_all_paths",
        "api_key_refreshed",
        "starting_timeout",
        "starting_no_machine_yet",
        "starting_timeout_with_machine",
        "starting_machine_gone",
        "starting_timeout_transient_error",
        "starting_transient_error",
        "restarting_reconcile_success",
        "restarting_no_update_timeout_fallback",
        "restarting_timeout_transient",
        "restarting_machine_gone",
        "restarting_timeout_error",
        "restarting_transient_error",
        "replace_lost_volume",
        "volume_check_failed",
        "multiple_machines_found",
        "recover_volume_from_mount",
        "recovered_volume_missing",
        "recover_machine_from_metadata",
        "metadata_recovery_failed",
        "sync_status",
        "sync_status_failed",
        "mark_stopped",
        "restart_self_healed",
        "repair_mount",
        "clear_stale_machine",
        "recover_bound_machine_invalid_id",
        "recover_bound_machine_for_destroy",
        "recover_bound_machine_failed",
        "destroy_machine_ok",
        "destroy_machine_already_gone",
        "destroy_machine_failed",
        "destroy_volume_ok",
        "destroy_volume_already_gone",
        "destroy_volume_failed",
        "destroy_complete",
        // Added after the first version (§7.4).
        "sync_status_destroyed",
        "destroy_pending",
        "destroy_stuck",
    ]
    .map(|action| format!("reconcile.{action}"));
    assert_eq!(with_point.len(), 47);
    assert_eq!(with_point, reference);
    assert_eq!(
        console_only,
        [
            "reconcile.create_volume",
            "reconcile.destroy_stranded_machine",
            "reconcile.fork_stranded_volume",
            "reconcile.create_replacement_volume",
            "reconcile.delete_stranded_volume",
        ]
    );
    assert_eq!(
        InstanceEvent::ALL,
        [
            ("instance.provisioned", true),
            ("instance.started", true),
            ("instance.stopped", true),
            ("instance.destroy_started", true),
            // Added after the first version (§7.3).
            ("instance.restarting", true),
            ("instance.provisioning_failed", true),
            ("instance.start_capacity_recovery", true),
            ("instance.restore_enqueued", true),
            ("instance.restore_completed", true),
            ("instance.restore_failed", true),
        ]
    );
}
