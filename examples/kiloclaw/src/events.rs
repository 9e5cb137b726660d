//! KiloClaw's typed events: the Durable Object lifecycle (`kiloclaw-telemetry.md` §2.2, §4) and the
//! reconcile actions (§2.4, §2.5, §5). The names, detail keys and their order are the reference's.

use crate::fly::FlyError;
use crate::state::{InstanceState, InstanceStatus};
use crate::telemetry::{Delivery, KiloClawEvent};
use tallymark::events::Nullable;

/// Durable Object lifecycle events (`delivery = do`), each written with its `kiloclaw_do` console
/// line first ([`crate::telemetry::DO_LINE`]). The state supplies the instance's dimensions;
/// `status` is the event's own (the caller's value wins, as in the reference). A detail that is
/// `None` is left out of the line and written `''` or `0` in the point.
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "instance.", fields(delivery = Delivery::Do))]
pub enum InstanceEvent {
    /// End of `provision()`; duration of the whole call.
    Provisioned {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(key = "durationMs", to = duration_ms)]
        duration_ms: f64,
    },
    /// End of a successful `start()`; ms since `startingAt` (none without one).
    Started {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(key = "durationMs", to = duration_ms)]
        duration_ms: Option<f64>,
    },
    /// End of `stop()`; machine uptime in `value`.
    Stopped {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(to = value)]
        value: f64,
    },
    /// `destroy()` after persisting `destroying`; machine uptime in `value`.
    DestroyStarted {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(to = value)]
        value: f64,
    },
    /// After the `restarting` status is persisted; the label says why.
    Restarting {
        #[tallymark(to = status)]
        status: InstanceStatus,
        /// `upgrade-to-latest`, `pin-to-tag:<tag>` or `redeploy-same-image`.
        #[tallymark(to = label)]
        label: String,
    },
    /// A start that never got its instance running. The error is the failure's whole message:
    /// unlike the reconcile events' errors, it is not cut to 200 characters.
    ProvisioningFailed {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(to = label)]
        label: &'static str,
        #[tallymark(to = error)]
        error: Option<String>,
    },
    /// A start refused by Fly for lack of capacity; the label classifies the error. An empty
    /// error is `None`: the line has `error` only when it is non-empty (§7.4).
    StartCapacityRecovery {
        #[tallymark(to = status)]
        status: Option<InstanceStatus>,
        #[tallymark(to = label)]
        label: String,
        #[tallymark(to = error)]
        error: Option<String>,
    },
    /// A snapshot restore queued (label `admin_snapshot_restore`).
    RestoreEnqueued {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(to = label)]
        label: &'static str,
    },
    /// The restore done: ms since the restore began.
    RestoreCompleted {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(key = "durationMs", to = duration_ms)]
        duration_ms: f64,
    },
    /// A restore still running 30 minutes after it began (label `alarm_timeout`).
    RestoreFailed {
        #[tallymark(to = status)]
        status: InstanceStatus,
        #[tallymark(to = label)]
        label: &'static str,
        #[tallymark(key = "durationMs", to = duration_ms)]
        duration_ms: f64,
    },
}

/// A Fly region given up after a capacity failure (`delivery = do`, with its `kiloclaw_do`
/// line). Logged before the instance moves, so its region (from the state) is the one that
/// failed.
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "region.", fields(delivery = Delivery::Do))]
pub enum RegionEvent {
    /// Label `evicted` (moved to the next region) or `reverted_to_meta` (no region left: back to
    /// the app's primary region).
    CapacityEviction {
        #[tallymark(to = label)]
        label: &'static str,
    },
}

/// Events the restore queue's consumer writes (`delivery = queue`, the user only).
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, prefix = "instance.", fields(delivery = Delivery::Queue, status = InstanceStatus::Restoring), point_only)]
pub enum RestoreQueueEvent {
    /// A delivery of the restore message; `value` is its attempt number.
    RestoreStarted {
        #[tallymark(to = user_id)]
        user_id: String,
        #[tallymark(to = label)]
        label: String,
        #[tallymark(to = value)]
        attempt: u32,
    },
    /// The restore failed and the message goes back to the queue. The label is the raw error
    /// message, not cut to 200 characters.
    RestoreRetryScheduled {
        #[tallymark(to = user_id)]
        user_id: String,
        #[tallymark(to = label)]
        error: String,
        #[tallymark(to = value)]
        attempts: u32,
    },
    /// The last attempt failed (label `queue_retries_exhausted`), with its whole error: callers
    /// cut only HTTP thrown errors and reconcile errors (`kiloclaw-telemetry.md` §1).
    RestoreFailed {
        #[tallymark(to = user_id)]
        user_id: String,
        #[tallymark(to = label)]
        label: &'static str,
        #[tallymark(to = error)]
        error: String,
        #[tallymark(to = value)]
        attempts: u32,
    },
}

/// The reconcile actions: 44 that write a console line and a data point, 3 added later (§7.4),
/// and 5 console-only ones (§2.5). Event names are `reconcile.<action>`, delivery `reconcile`.
#[derive(Debug, Clone, tallymark::events::Event)]
#[tallymark(layout = KiloClawEvent, state = InstanceState, prefix = "reconcile.", fields(delivery = Delivery::Reconcile))]
pub enum ReconcileEvent {
    /// #1
    AutoDestroyStaleProvision {
        user_id: Nullable<String>,
        provisioned_at: Nullable<f64>,
        age_hours: f64,
        #[tallymark(to = value)]
        value: f64,
    },
    /// #2
    ApiKeyExpiryApproaching {
        user_id: Nullable<String>,
        expires_at: Nullable<f64>,
        hours_remaining: f64,
        controller_version: Nullable<String>,
    },
    /// #3
    ApiKeyMintError {
        user_id: Nullable<String>,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #4
    ApiKeyMintFailed { user_id: Nullable<String> },
    /// #5
    ApiKeyFlyConfigUpdateFailed {
        user_id: Nullable<String>,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #6
    ApiKeyPushNotSignaled {
        user_id: Nullable<String>,
        result: String,
    },
    /// #7
    ApiKeyPushError {
        user_id: Nullable<String>,
        #[tallymark(error_text)]
        error: FlyError,
        controller_version: Nullable<String>,
    },
    /// #8
    ApiKeyRefreshFailedAllPaths { user_id: Nullable<String> },
    /// #9
    ApiKeyRefreshed {
        user_id: Nullable<String>,
        new_expires_at: f64,
        pushed: bool,
        #[tallymark(key = "flyConfigUpdated")]
        fly_config_updated: bool,
        controller_version: Nullable<String>,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// #10
    StartingTimeout {
        user_id: Nullable<String>,
        starting_at: Nullable<f64>,
        elapsed_ms: f64,
        old_state: &'static str,
        new_state: &'static str,
        last_start_error: Nullable<String>,
    },
    /// #11: fires on every alarm while waiting.
    StartingNoMachineYet { user_id: Nullable<String> },
    /// #12
    StartingTimeoutWithMachine {
        machine_id: String,
        fly_state: String,
        elapsed_ms: f64,
        old_state: &'static str,
        new_state: &'static str,
        last_start_error: Nullable<String>,
    },
    /// #13
    StartingMachineGone {
        machine_id: String,
        old_state: &'static str,
        new_state: &'static str,
    },
    /// #14
    StartingTimeoutTransientError {
        machine_id: String,
        #[tallymark(error_text)]
        error: FlyError,
        elapsed_ms: Option<f64>,
        old_state: &'static str,
        new_state: &'static str,
    },
    /// #15
    StartingTransientError {
        machine_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #16: always followed by #32. No `elapsed_ms` without a `restartingAt`.
    RestartingReconcileSuccess {
        machine_id: String,
        elapsed_ms: Option<f64>,
    },
    /// #17
    RestartingNoUpdateTimeoutFallback {
        machine_id: String,
        last_restart_error: Nullable<String>,
        elapsed_ms: Option<f64>,
        old_state: &'static str,
        new_state: &'static str,
    },
    /// #18
    RestartingTimeoutTransient {
        machine_id: String,
        fly_state: String,
        elapsed_ms: Option<f64>,
        last_restart_error: Nullable<String>,
    },
    /// #19
    RestartingMachineGone {
        machine_id: String,
        old_state: &'static str,
        new_state: &'static str,
    },
    /// #20
    RestartingTimeoutError {
        machine_id: String,
        #[tallymark(error_text)]
        error: FlyError,
        elapsed_ms: Option<f64>,
    },
    /// #21
    RestartingTransientError {
        machine_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #22
    ReplaceLostVolume {
        data_loss: bool,
        old_volume_id: String,
        new_volume_id: Nullable<String>,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// #23
    VolumeCheckFailed {
        volume_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #24
    MultipleMachinesFound {
        user_id: Nullable<String>,
        count: usize,
        machine_ids: Vec<String>,
    },
    /// #25
    RecoverVolumeFromMount {
        volume_id: String,
        machine_id: String,
    },
    /// #26
    RecoveredVolumeMissing { volume_id: String },
    /// #27
    RecoverMachineFromMetadata {
        machine_id: String,
        fly_state: String,
        region: String,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// #28
    MetadataRecoveryFailed {
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #29: logged before the status changes.
    SyncStatus {
        old_state: InstanceStatus,
        new_state: &'static str,
        fly_state: &'static str,
    },
    /// #30
    SyncStatusFailed {
        old_state: InstanceStatus,
        new_state: &'static str,
        fly_state: &'static str,
    },
    /// #31
    MarkStopped {
        old_state: &'static str,
        new_state: &'static str,
        fly_state: String,
        fail_count: u32,
        #[tallymark(to = value)]
        value: f64,
    },
    /// #32: `durationMs` is `Date.now() - restartingAt`, absent without one.
    RestartSelfHealed {
        machine_id: Nullable<String>,
        previous_error: Nullable<String>,
        had_restart_error: bool,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: Option<f64>,
        old_state: &'static str,
        new_state: &'static str,
    },
    /// #33: logged only after stop, update and wait all succeed.
    RepairMount {
        machine_id: String,
        volume_id: String,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// #34: logged before the machine id is cleared.
    ClearStaleMachine {
        old_state: InstanceStatus,
        new_state: &'static str,
        machine_id: String,
    },
    /// #35
    RecoverBoundMachineInvalidId {
        volume_id: String,
        attached_machine_id: String,
    },
    /// #36
    RecoverBoundMachineForDestroy {
        volume_id: String,
        machine_id: String,
        #[tallymark(key = "durationMs")]
        #[tallymark(to = duration_ms)]
        duration_ms: f64,
        #[tallymark(to = label)]
        label: String,
    },
    /// #37
    RecoverBoundMachineFailed {
        volume_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #38: logged before the machine id is cleared.
    DestroyMachineOk { machine_id: String },
    /// #39
    DestroyMachineAlreadyGone { machine_id: String },
    /// #40
    DestroyMachineFailed {
        machine_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #41
    DestroyVolumeOk { volume_id: String },
    /// #42
    DestroyVolumeAlreadyGone { volume_id: String },
    /// #43
    DestroyVolumeFailed {
        volume_id: String,
        #[tallymark(error_text)]
        error: FlyError,
    },
    /// #44: logged before the state is wiped.
    DestroyComplete {
        user_id: Nullable<String>,
        sandbox_id: Nullable<String>,
    },
    /// Fly reports the machine `destroyed`: logged before the machine id is cleared and the
    /// status becomes `stopped` (added after the reference's first version).
    SyncStatusDestroyed {
        old_state: InstanceStatus,
        new_state: &'static str,
        fly_state: &'static str,
        machine_id: String,
    },
    /// An alarm left the destroy unfinished: what is still to delete (added later).
    DestroyPending {
        machine_id: Nullable<String>,
        volume_id: Nullable<String>,
    },
    /// As `destroy_pending`, once the destroy began over an hour ago; `value` is its age in ms
    /// (added later).
    DestroyStuck {
        machine_id: Nullable<String>,
        volume_id: Nullable<String>,
        elapsed_ms: f64,
        #[tallymark(to = value)]
        value: f64,
    },
    /// §2.5, console only.
    #[tallymark(line_only)]
    CreateVolume {
        fly_app_name: String,
        volume_id: String,
        region: String,
    },
    /// §2.5, console only.
    #[tallymark(line_only)]
    DestroyStrandedMachine {
        fly_app_name: String,
        machine_id: String,
    },
    /// §2.5, console only.
    #[tallymark(line_only)]
    ForkStrandedVolume {
        fly_app_name: String,
        old_volume_id: String,
        old_region: String,
        new_volume_id: String,
        new_region: String,
    },
    /// §2.5, console only.
    #[tallymark(line_only)]
    CreateReplacementVolume {
        fly_app_name: String,
        old_volume_id: String,
        old_region: String,
        new_volume_id: String,
        new_region: String,
    },
    /// §2.5, console only.
    #[tallymark(line_only)]
    DeleteStrandedVolume {
        fly_app_name: String,
        volume_id: String,
    },
}
