//! Typed events against the in-memory sink: the Durable Object lifecycle (reference §4), reconcile
//! logging (§5) and its guarantees (§6). Console lines byte-exact, points exact.

use kiloclaw::events::{InstanceEvent, ReconcileEvent};
use kiloclaw::state::{InstanceState, InstanceStatus};
use kiloclaw::telemetry::{Delivery, KiloClawEvent, RECONCILE_LINE};
use std::cell::RefCell;
use tallymark::events::{Event, Json, Nullable, Reconcile};
use tallymark::sink::{MemoryLines, MemorySink, RecordedPoint};
use tallymark::Scope;
use tallymark_tests::reference_blobs;

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

/// The 13 blobs with the state's dimensions and the given event, delivery, status and extras.
fn blobs(event: &str, delivery: &str, status: &str, extra: &[(usize, &str)]) -> Vec<String> {
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
    reference_blobs(&set)
}

// --- §4 Durable Object lifecycle ---------------------------------------------------------------

#[test]
fn lifecycle_events_take_dimensions_from_state_and_their_own_status() {
    let state = state();
    let (points, lines) = capture(|| {
        tallymark::events::emit(
            &InstanceEvent::Provisioned {
                status: InstanceStatus::Provisioned,
                duration_ms: 12.5,
            },
            &state,
        );
        tallymark::events::emit(
            &InstanceEvent::Started {
                status: InstanceStatus::Running,
                duration_ms: 3000.0,
            },
            &state,
        );
        tallymark::events::emit(
            &InstanceEvent::Stopped {
                status: InstanceStatus::Stopped,
                value: 60_000.0,
            },
            &state,
        );
        tallymark::events::emit(
            &InstanceEvent::DestroyStarted {
                status: InstanceStatus::Destroying,
                value: 0.0,
            },
            &state,
        );
    });
    assert!(
        lines.is_empty(),
        "lifecycle events write no console line at the PR merge"
    );
    let expected = [
        ("instance.provisioned", "provisioned", [12.5, 0.0]),
        ("instance.started", "running", [3000.0, 0.0]),
        ("instance.stopped", "stopped", [0.0, 60_000.0]),
        ("instance.destroy_started", "destroying", [0.0, 0.0]),
    ];
    assert_eq!(points.len(), 4);
    for (point, (event, status, doubles)) in points.iter().zip(expected) {
        assert_eq!(
            point.blob_texts(),
            blobs(event, "do", status, &[]),
            "{event}"
        );
        assert_eq!(point.doubles(), doubles, "{event}");
        assert_eq!(point.index(), Some(event));
    }
}

#[test]
fn absent_state_fields_are_written_empty() {
    let state = InstanceState::default();
    let (points, _) = capture(|| {
        tallymark::events::emit(
            &InstanceEvent::Stopped {
                status: InstanceStatus::Stopped,
                value: 0.0,
            },
            &state,
        );
    });
    assert_eq!(
        points[0].blob_texts(),
        [
            "instance.stopped",
            "",
            "do",
            "",
            "",
            "",
            "",
            "",
            "stopped",
            "",
            "",
            "",
            ""
        ]
    );
}

struct Instance {
    state: RefCell<InstanceState>,
}

impl Instance {
    /// `provision()`: timed as a whole, its event written only when it succeeds.
    #[tallymark::events::lifecycle_event(KiloClawEvent, event = "instance.provisioned", state = self.state.borrow(), fields(status = InstanceStatus::Provisioned, delivery = Delivery::Do))]
    fn provision(&self, fail: bool) -> Result<(), String> {
        if fail {
            return Err("Instance not provisioned".into());
        }
        self.state.borrow_mut().status = Some(InstanceStatus::Starting);
        Ok(())
    }
}

#[test]
fn a_lifecycle_method_writes_its_event_on_success_only() {
    let instance = Instance {
        state: RefCell::new(state()),
    };
    let started = std::time::Instant::now();
    let (points, _) = capture(|| {
        assert_eq!(
            instance.provision(true),
            Err("Instance not provisioned".into())
        );
        assert_eq!(instance.provision(false), Ok(()));
    });
    let around_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(points.len(), 1, "no event on the throw path");
    assert_eq!(
        points[0].blob_texts(),
        blobs("instance.provisioned", "do", "provisioned", &[])
    );
    // The measured duration (in ms, within the time around the call), and no value.
    let [duration_ms, value] = points[0].doubles() else {
        panic!("two doubles: {:?}", points[0].doubles())
    };
    assert!((0.0..=around_ms).contains(duration_ms), "{duration_ms} ms");
    assert_eq!(*value, 0.0);
}

// --- §5 Reconcile ----------------------------------------------------------------------------

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
        blobs("reconcile.sync_status", "reconcile", "starting", &[])
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
        blobs(
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
fn an_absent_duration_is_left_out_of_the_line_and_written_as_zero() {
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
fn errors_are_cut_to_200_characters_in_the_point_only() {
    let state = RefCell::new(state());
    let long = "e".repeat(250);
    let (points, lines) = capture(|| {
        Reconcile::new("destroy", &state)
            .shaped(&RECONCILE_LINE)
            .log(&ReconcileEvent::DestroyMachineFailed {
                machine_id: "m-old".into(),
                error: long.clone(),
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
        blobs(
            "reconcile.destroy_machine_failed",
            "reconcile",
            "starting",
            &[(5, &"e".repeat(200))]
        )
    );
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
    ]
    .map(|action| format!("reconcile.{action}"));
    assert_eq!(with_point.len(), 44);
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
        ]
    );
}

// --- §5 error serialization, every case ----------------------------------------------------------

/// A reconcile event whose error detail has any type.
#[derive(tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "reconcile.", name = "probe",
        fields(delivery = Delivery::Reconcile))]
struct Probe<T: tallymark::events::ErrorDetail> {
    #[tallymark(error_text)]
    error: T,
}

/// A value whose serialization fails (a circular structure or a BigInt in the reference).
struct Unserializable;

impl serde::Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("circular"))
    }
}

fn probe<T: tallymark::events::ErrorDetail>(error: T) -> (String, String) {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&RECONCILE_LINE)
            .log(&Probe { error })
    });
    (
        points[0].text("error").unwrap().to_owned(),
        lines[0].clone(),
    )
}

#[test]
fn every_error_serialization_case() {
    let prefix = r#"{"tag":"reconcile","reason":"alarm","action":"probe""#;
    let cases: Vec<((String, String), &str, &str)> = vec![
        (probe(None::<String>), "", ""),
        (probe("boom"), "boom", r#","error":"boom""#),
        (probe(serde_json::Value::Null), "null", r#","error":null"#),
        (probe(42_i64), "42", r#","error":42"#),
        (probe(true), "true", r#","error":true"#),
        (
            probe(serde_json::json!({"code": 42})),
            r#"{"code":42}"#,
            r#","error":{"code":42}"#,
        ),
        (
            probe(serde_json::json!([1, "a"])),
            r#"[1,"a"]"#,
            r#","error":[1,"a"]"#,
        ),
        (
            probe(tallymark::events::ErrorMessage(std::io::Error::other("x"))),
            "x",
            r#","error":{}"#,
        ),
        (
            probe(Json(Unserializable)),
            "[unserializable error]",
            r#","error":"[unserializable]""#,
        ),
        (
            probe(Json(serde_json::json!("as is"))),
            "as is",
            r#","error":"as is""#,
        ),
    ];
    for ((text, line), want_text, want_detail) in cases {
        assert_eq!(text, want_text);
        assert_eq!(line, format!("{prefix}{want_detail}}}"));
    }
    let (text, _) = probe("é".repeat(300));
    assert_eq!(text, "é".repeat(200));
}

// --- §6 guarantees, hardened --------------------------------------------------------------------

/// A detail that cannot be serialized, outside the error field.
#[derive(tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "reconcile.", name = "odd",
        fields(delivery = Delivery::Reconcile))]
struct Odd {
    payload: Unserializable,
    #[tallymark(to = label)]
    label: String,
}

#[test]
fn an_unserializable_detail_still_writes_the_line_and_the_same_point() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&RECONCILE_LINE)
            .log(&Odd {
                payload: Unserializable,
                label: "l".into(),
            });
    });
    assert_eq!(
        lines,
        [
            r#"{"tag":"reconcile","reason":"alarm","action":"odd","payload":"[unserializable]","label":"l"}"#
        ]
    );
    assert_eq!(
        points[0].blob_texts(),
        blobs("reconcile.odd", "reconcile", "starting", &[(13, "l")])
    );
}

/// Details named like the fixed keys replace their values in place.
#[derive(tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, prefix = "reconcile.", name = "shadow")]
struct Shadow {
    reason: &'static str,
    extra: u8,
}

#[test]
fn a_detail_named_reason_replaces_it_in_place() {
    let state = RefCell::new(());
    let (_, lines) = capture(|| {
        Reconcile::new("alarm", &state)
            .shaped(&RECONCILE_LINE)
            .log(&Shadow {
                reason: "mine",
                extra: 1,
            })
    });
    assert_eq!(
        lines,
        [r#"{"tag":"reconcile","reason":"mine","action":"shadow","extra":1}"#]
    );
}

#[test]
fn a_mutably_borrowed_state_does_not_panic() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        let _writer = state.borrow_mut();
        Reconcile::new("alarm", &state).shaped(&RECONCILE_LINE).log(
            &ReconcileEvent::DestroyVolumeOk {
                volume_id: "v1".into(),
            },
        );
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(
        points[0].text("user_id"),
        Some(""),
        "no dimensions, but the point is written"
    );
}

// --- #[reconcile_event] ---------------------------------------------------------------------------

struct Reconciler;

impl Reconciler {
    #[tallymark::events::reconcile_event(KiloClawEvent, action = "repair_mount", context = rctx, fields(delivery = Delivery::Reconcile))]
    async fn repair_mount(
        &self,
        rctx: &Reconcile<'_, InstanceState>,
        fail: bool,
    ) -> Result<u8, String> {
        if fail {
            return Err("machine did not stop".into());
        }
        Ok(1)
    }
}

#[test]
fn a_reconcile_step_is_timed_and_its_error_captured() {
    let state = RefCell::new(state());
    let (points, lines) = capture(|| {
        let rctx = Reconcile::new("start", &state).shaped(&RECONCILE_LINE);
        let result = futures_executor::block_on(Reconciler.repair_mount(&rctx, true));
        assert_eq!(result, Err("machine did not stop".into()));
        let result = futures_executor::block_on(Reconciler.repair_mount(&rctx, false));
        assert_eq!(result, Ok(1));
    });
    assert_eq!(points.len(), 2);
    assert_eq!(
        points[0].blob_texts(),
        blobs(
            "reconcile.repair_mount",
            "reconcile",
            "starting",
            &[(5, "machine did not stop")]
        )
    );
    assert_eq!(points[1].text("error"), Some(""));
    // Only the measured duration varies: take it from each line, then compare the whole line.
    // The number is taken as written: a JSON round trip could print it differently.
    // It must be the duration the step's point carries.
    let duration = |line: &str, point: &RecordedPoint| {
        let (_, rest) = line.split_once(r#""durationMs":"#).unwrap();
        let written = &rest[..rest.find([',', '}']).unwrap()];
        assert_eq!(written.parse::<f64>().unwrap(), point.doubles()[0]);
        assert!(point.doubles()[0] >= 0.0);
        written.to_owned()
    };
    assert_eq!(
        lines[0],
        format!(
            r#"{{"tag":"reconcile","reason":"start","action":"repair_mount","durationMs":{},"error":"machine did not stop"}}"#,
            duration(&lines[0], &points[0])
        )
    );
    assert_eq!(
        lines[1],
        format!(
            r#"{{"tag":"reconcile","reason":"start","action":"repair_mount","durationMs":{}}}"#,
            duration(&lines[1], &points[1])
        )
    );
}
