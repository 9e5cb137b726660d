//! The `KiloClawInstance` Durable Object: provision, start, stop, destroy, and the alarm-driven
//! reconcile against (a fake of) Fly.io, with the reference's telemetry (§2.2, §2.4, §4, §5).
//!
//! Internal paths, reached from the worker: `POST /provision` (`{"userId"}`), `/start`, `/stop`,
//! `/destroy`, `/reconcile` (the alarm's work, on demand), `/fly` (replace the fake's script; `GET`
//! reads what is left of it), `/state` (merge a JSON patch into the state; `GET` reads it).

use crate::events::{InstanceEvent, ReconcileEvent, RegionEvent};
use crate::fly::{FlyApiError, FlyError, ListedMachine, Machine, Outcome, Script};
use crate::state::{InstanceState, InstanceStatus};
use crate::telemetry::{
    instance_id_from_sandbox_id, sandbox_id_from_instance_id, sandbox_id_from_user_id, DO_LINE,
    RECONCILE_LINE,
};
use std::cell::RefCell;
use tallymark::clock::{self, unix_ms};
use tallymark::events::{self, Nullable, Reconcile};
use tallymark::Scope;
use worker::{durable_object, DurableObject, Env, Method, Request, Response, Result, State};

const STALE_PROVISION_THRESHOLD_MS: f64 = 8.0 * 3_600_000.0;
const STARTING_TIMEOUT_MS: f64 = 5.0 * 60_000.0;
const RESTARTING_TIMEOUT_MS: f64 = 5.0 * 60_000.0;
/// Metadata recovery runs at most once per idle alarm interval.
const METADATA_RECOVERY_COOLDOWN_MS: f64 = 30.0 * 60_000.0;
/// A destroy whose volume is bound to no machine looks again after this long.
const BOUND_MACHINE_RECOVERY_COOLDOWN_MS: f64 = 5.0 * 60_000.0;
const SELF_HEAL_THRESHOLD: u32 = 5;
const API_KEY_REFRESH_THRESHOLD_MS: f64 = 72.0 * 3_600_000.0;
const API_KEY_LIFETIME_MS: f64 = 30.0 * 24.0 * 3_600_000.0;
/// A restore still running this long after it began has failed.
const RESTORE_TIMEOUT_MS: f64 = 30.0 * 60_000.0;
/// A destroy still pending this long after it began is stuck.
const DESTROY_STUCK_MS: f64 = 3_600_000.0;
/// The regions a start moves through when Fly has no capacity; the first is the app's primary.
const REGIONS: &[&str] = &["iad", "ord", "sjc"];

type Rctx<'a> = Reconcile<'a, InstanceState>;

/// A reconcile pass for `reason` over `state`, writing the reference's console line.
fn rctx<'a>(reason: &'static str, state: &'a RefCell<InstanceState>) -> Rctx<'a> {
    Reconcile::new(reason, state).shaped(&RECONCILE_LINE)
}

/// One user's instance.
#[durable_object]
pub struct KiloClawInstance {
    storage_state: State,
    env: Env,
    s: RefCell<InstanceState>,
    fly: RefCell<Script>,
}

impl DurableObject for KiloClawInstance {
    fn new(state: State, env: Env) -> Self {
        KiloClawInstance {
            storage_state: state,
            env,
            s: RefCell::new(InstanceState::default()),
            fly: RefCell::new(Script::default()),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        // The scope first: its start is the call's, before the state is loaded, which is where
        // the reference starts timing `provision()` (§2.2).
        let telemetry = Scope::from_env(&self.env);
        self.load().await?;
        telemetry.run(self.route(req)).await
    }

    async fn alarm(&self) -> Result<Response> {
        self.load().await?;
        Scope::from_env(&self.env)
            .run(async {
                let reconciled = self.reconcile_with_fly().await;
                self.save().await?;
                reconciled?;
                Response::ok("reconciled")
            })
            .await
    }
}

impl KiloClawInstance {
    async fn load(&self) -> Result<()> {
        let storage = self.storage_state.storage();
        let state = storage
            .get::<InstanceState>("state")
            .await?
            .unwrap_or_default();
        // Stored as JSON text: a script holds arbitrary JSON values (a thrown `null`, objects).
        let script = match storage.get::<String>("fly").await? {
            Some(text) => serde_json::from_str(&text)?,
            None => Script::default(),
        };
        *self.s.borrow_mut() = state;
        *self.fly.borrow_mut() = script;
        Ok(())
    }

    async fn save(&self) -> Result<()> {
        let storage = self.storage_state.storage();
        let state = self.s.borrow().clone();
        let script = serde_json::to_string(&*self.fly.borrow())?;
        storage.put("state", state).await?;
        storage.put("fly", script).await
    }

    async fn route(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        let result = match (req.method(), path.as_str()) {
            (Method::Post, "/provision") => {
                let body: serde_json::Value = req.json().await?;
                let text = |key: &str| {
                    body[key]
                        .as_str()
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                };
                let user = text("userId").unwrap_or_default();
                self.provision(user, text("orgId"), text("instanceId"))
                    .await
            }
            (Method::Post, "/start") => {
                let started = self.start().await;
                self.save().await?;
                return match started {
                    Ok(started) => {
                        let mut response = Response::from_json(&*self.s.borrow())?;
                        response
                            .headers_mut()
                            .set(STARTED_HEADER, if started { "true" } else { "false" })?;
                        Ok(response)
                    }
                    Err(error) => Response::error(error.to_string(), 409),
                };
            }
            (Method::Post, "/restart") => {
                let body: serde_json::Value = req.json().await?;
                self.restart(
                    body["imageTag"].as_str(),
                    body["latest"].as_bool() == Some(true),
                )
                .await
            }
            (Method::Post, "/restore") => self.enqueue_restore().await,
            (Method::Post, "/restore/run") => {
                let attempt = self.run_restore();
                self.save().await?;
                return Response::from_json(&attempt);
            }
            (Method::Post, "/stop") => self.stop().await,
            (Method::Post, "/destroy") => self.destroy().await,
            (Method::Post, "/reconcile") => self.reconcile_with_fly().await,
            (Method::Post, "/fly") => {
                *self.fly.borrow_mut() = req.json().await?;
                Ok(())
            }
            (Method::Post, "/state") => {
                let patch: serde_json::Value = req.json().await?;
                self.patch_state(patch)
            }
            (Method::Get, "/state") => return Response::from_json(&*self.s.borrow()),
            (Method::Get, "/fly") => return Response::from_json(&*self.fly.borrow()),
            _ => return Response::error("Not Found", 404),
        };
        // Saved whatever the result: the reference persists each step as it goes, so what an
        // alarm changed before it failed stays changed.
        self.save().await?;
        match result {
            Ok(()) => Response::from_json(&*self.s.borrow()),
            Err(error) => Response::error(error.to_string(), 409),
        }
    }

    fn patch_state(&self, patch: serde_json::Value) -> Result<()> {
        let mut current = serde_json::to_value(&*self.s.borrow())?;
        if let (Some(current), serde_json::Value::Object(patch)) = (current.as_object_mut(), patch)
        {
            current.extend(patch);
        }
        *self.s.borrow_mut() = serde_json::from_value(current)?;
        Ok(())
    }

    // --- lifecycle (§2.2, §4) ---------------------------------------------------------------

    /// Writes a lifecycle event: its `kiloclaw_do` line, then its point, with the state's
    /// dimensions as they are now.
    fn lifecycle(&self, event: &InstanceEvent) {
        events::log(&DO_LINE, event, &*self.s.borrow());
    }

    /// Provisions the instance (new or existing). For a new one this includes `startAsync`: the
    /// status becomes `starting` while the event still says `provisioned`, as in the reference.
    /// An instance with an id of its own (a UUID) gets an instance-keyed sandbox id.
    async fn provision(
        &self,
        user_id: String,
        org_id: Option<String>,
        instance_id: Option<String>,
    ) -> Result<()> {
        // Timed from the call's start, before the state was loaded (`fetch`), as the reference.
        let started = Scope::current().map_or_else(clock::now, |scope| scope.started());
        if user_id.is_empty() {
            return Err("userId is required".into());
        }
        if self.s.borrow().status.is_none() {
            // An id that is not a UUID keys nothing: the user's sandbox id, as without one.
            let sandbox = instance_id
                .as_deref()
                .and_then(sandbox_id_from_instance_id)
                .or_else(|| sandbox_id_from_user_id(&user_id));
            let now = unix_ms();
            let instance = sandbox.as_deref().and_then(instance_id_from_sandbox_id);
            let app = sandbox
                .as_deref()
                .map(|s| format!("kc-{}", s.to_lowercase()));
            *self.s.borrow_mut() = InstanceState {
                user_id: Some(user_id),
                sandbox_id: sandbox,
                fly_app_name: app,
                fly_region: Some(REGIONS[0].into()),
                org_id,
                instance_id: instance,
                fly_volume_id: Some("vol1".into()),
                openclaw_version: Some("2026.11.1".into()),
                tracked_image_tag: Some("kiloclaw-2026.11.1".into()),
                status: Some(InstanceStatus::Starting),
                provisioned_at: Some(now),
                starting_at: Some(now),
                api_key_expires_at: Some(now + API_KEY_LIFETIME_MS),
                ..InstanceState::default()
            };
        }
        self.save().await?;
        self.lifecycle(&InstanceEvent::Provisioned {
            status: InstanceStatus::Provisioned,
            duration_ms: clock::elapsed_ms(started),
        });
        Ok(())
    }

    /// Starts the machine; `Ok(true)` when it started. No event on the "already running, mount
    /// verified" path. A new machine Fly fails to create leaves a `starting` instance `stopped`
    /// (`instance.provisioning_failed`, label `no_machine_created`); an existing machine Fly fails
    /// to start is a capacity recovery (`instance.start_capacity_recovery`, and the region given
    /// up when Fly has no capacity there).
    async fn start(&self) -> Result<bool> {
        let status = self.s.borrow().status;
        match status {
            None => return Err("Instance not provisioned".into()),
            Some(InstanceStatus::Destroying) => return Err("Instance is being destroyed".into()),
            Some(InstanceStatus::Running) if self.s.borrow().fly_machine_id.is_some() => {
                // One Fly read, then the mount check on it (reason `start`).
                let machine = self.fly.borrow_mut().get_machine();
                let Outcome::Ok(machine) = machine else {
                    return Ok(false);
                };
                return match self.reconcile_machine_mount(&rctx("start", &self.s), &machine) {
                    Outcome::Ok(()) => Ok(false),
                    Outcome::NotFound => Err(FlyError::not_found().to_string().into()),
                    Outcome::Failed(error) => Err(error.to_string().into()),
                };
            }
            Some(_) => {}
        }
        let has_machine = self.s.borrow().fly_machine_id.is_some();
        if has_machine {
            if let Err(error) = self.fly.borrow_mut().start_machine() {
                self.recover_start_capacity(&error);
                return Err(error.message.into());
            }
        } else if let Err(error) = self.fly.borrow_mut().create_machine() {
            self.s.borrow_mut().last_start_error = Some(error.message.clone());
            if status == Some(InstanceStatus::Starting) {
                self.fall_back_to_stopped();
                self.provisioning_failed("no_machine_created", Some(error.message.clone()));
            }
            return Err(error.message.into());
        }
        let now = unix_ms();
        let starting_at = {
            let mut s = self.s.borrow_mut();
            if s.fly_machine_id.is_none() {
                s.fly_machine_id = Some(machine_id_for(s.sandbox_id.as_deref()));
            }
            let starting_at = s.starting_at.take();
            s.status = Some(InstanceStatus::Running);
            s.last_started_at = Some(now);
            s.last_start_error = None;
            starting_at
        };
        self.save().await?;
        self.lifecycle(&InstanceEvent::Started {
            status: InstanceStatus::Running,
            duration_ms: starting_at.filter(|t| *t != 0.0).map(|t| unix_ms() - t),
        });
        Ok(true)
    }

    /// `instance.start_capacity_recovery` for a start Fly refused, then, when Fly said it has no
    /// capacity in the instance's region, `region.capacity_eviction` and the move to the next
    /// region (back to the primary one when none is left).
    fn recover_start_capacity(&self, error: &FlyApiError) {
        let status = self.s.borrow().status;
        let label = error.capacity_label();
        self.lifecycle(&InstanceEvent::StartCapacityRecovery {
            status,
            label: label.clone(),
            error: Some(error.message.clone()).filter(|message| !message.is_empty()),
        });
        if !error.is_capacity_shortage() {
            return;
        }
        let region = self.s.borrow().fly_region.clone().unwrap_or_default();
        let next = REGIONS
            .iter()
            .position(|r| *r == region)
            .and_then(|i| REGIONS.get(i + 1));
        // Logged before the move: the point names the region that failed.
        events::log(
            &DO_LINE,
            &RegionEvent::CapacityEviction {
                label: if next.is_some() {
                    "evicted"
                } else {
                    "reverted_to_meta"
                },
            },
            &*self.s.borrow(),
        );
        self.s.borrow_mut().fly_region = Some(next.unwrap_or(&REGIONS[0]).to_string());
    }

    /// `instance.provisioning_failed`: the instance is `stopped`, with the failure's whole
    /// message.
    fn provisioning_failed(&self, label: &'static str, error: Option<String>) {
        self.lifecycle(&InstanceEvent::ProvisioningFailed {
            status: InstanceStatus::Stopped,
            label,
            error,
        });
    }

    /// Restarts the machine on another image (`latest`), a pinned tag, or the same image.
    async fn restart(&self, image_tag: Option<&str>, latest: bool) -> Result<()> {
        let status = self.s.borrow().status;
        match status {
            None => return Err("Instance not provisioned".into()),
            Some(InstanceStatus::Running | InstanceStatus::Stopped) => {}
            Some(other) => return Err(format!("Instance cannot restart while {other:?}").into()),
        }
        let label = match (image_tag, latest) {
            (_, true) => "upgrade-to-latest".to_owned(),
            (Some(tag), false) => format!("pin-to-tag:{tag}"),
            (None, false) => "redeploy-same-image".to_owned(),
        };
        {
            let mut s = self.s.borrow_mut();
            if let Some(tag) = image_tag {
                s.tracked_image_tag = Some(tag.to_owned());
            }
            s.status = Some(InstanceStatus::Restarting);
            s.restarting_at = Some(unix_ms());
            s.restart_update_sent = true;
        }
        self.save().await?;
        self.lifecycle(&InstanceEvent::Restarting {
            status: InstanceStatus::Restarting,
            label,
        });
        Ok(())
    }

    /// Queues a snapshot restore: the instance is `restoring` until the queue's consumer runs it.
    async fn enqueue_restore(&self) -> Result<()> {
        match self.s.borrow().status {
            None => return Err("Instance not provisioned".into()),
            Some(InstanceStatus::Destroying | InstanceStatus::Restoring) => {
                return Err("Instance cannot restore now".into())
            }
            Some(_) => {}
        }
        {
            let mut s = self.s.borrow_mut();
            s.status = Some(InstanceStatus::Restoring);
            s.restore_started_at = Some(iso_now());
            s.restore_attempts = 0;
        }
        self.save().await?;
        self.lifecycle(&InstanceEvent::RestoreEnqueued {
            status: InstanceStatus::Restoring,
            label: "admin_snapshot_restore",
        });
        Ok(())
    }

    /// One attempt of the queued restore (the consumer's call): counts the attempt, asks Fly, and
    /// on success makes the instance `stopped` (`instance.restore_completed`).
    fn run_restore(&self) -> RestoreAttempt {
        let attempt = {
            let mut s = self.s.borrow_mut();
            s.restore_attempts += 1;
            s.restore_attempts
        };
        if self.s.borrow().status != Some(InstanceStatus::Restoring) {
            return RestoreAttempt {
                attempt,
                error: Some("Instance is not restoring".into()),
            };
        }
        if let Err(error) = self.fly.borrow_mut().restore_snapshot() {
            return RestoreAttempt {
                attempt,
                error: Some(error.message),
            };
        }
        let began = {
            let mut s = self.s.borrow_mut();
            s.status = Some(InstanceStatus::Stopped);
            s.restore_started_at.take()
        };
        self.lifecycle(&InstanceEvent::RestoreCompleted {
            status: InstanceStatus::Stopped,
            duration_ms: began.as_deref().map_or(0.0, |at| unix_ms() - iso_ms(at)),
        });
        RestoreAttempt {
            attempt,
            error: None,
        }
    }

    /// A restore that has run for over 30 minutes failed: `instance.restore_failed` (label
    /// `alarm_timeout`), and the instance is `stopped`.
    fn reconcile_restoring(&self) {
        let Some(began) = self.s.borrow().restore_started_at.as_deref().map(iso_ms) else {
            return;
        };
        let elapsed = unix_ms() - began;
        // "Over 30 minutes", compared as the reference compares: a start time that does not
        // parse (NaN) is never over it.
        let timed_out = elapsed > RESTORE_TIMEOUT_MS;
        if !timed_out {
            return;
        }
        self.lifecycle(&InstanceEvent::RestoreFailed {
            status: InstanceStatus::Restoring,
            label: "alarm_timeout",
            duration_ms: elapsed,
        });
        let mut s = self.s.borrow_mut();
        s.status = Some(InstanceStatus::Stopped);
        s.restore_started_at = None;
    }

    /// Stops the machine. Only a running instance stops; every other status returns early.
    async fn stop(&self) -> Result<()> {
        let status = self.s.borrow().status;
        match status {
            None => return Err("Instance not provisioned".into()),
            Some(InstanceStatus::Running) => {}
            Some(_) => return Ok(()),
        }
        let uptime = self.uptime_ms();
        let stopped = self.fly.borrow_mut().stop_machine();
        if let Outcome::Failed(error) = stopped {
            return Err(error.to_string().into());
        }
        self.s.borrow_mut().status = Some(InstanceStatus::Stopped);
        self.save().await?;
        self.lifecycle(&InstanceEvent::Stopped {
            status: InstanceStatus::Stopped,
            value: uptime,
        });
        Ok(())
    }

    /// Destroys the instance: the event first, then the Fly deletes with reason `destroy`.
    async fn destroy(&self) -> Result<()> {
        if self.s.borrow().status.is_none() {
            return Err("Instance not provisioned".into());
        }
        let uptime = self.uptime_ms();
        {
            let mut s = self.s.borrow_mut();
            s.status = Some(InstanceStatus::Destroying);
            s.pending_destroy_machine_id = s.fly_machine_id.clone();
            s.pending_destroy_volume_id = s.fly_volume_id.clone();
            s.destroying_at = Some(unix_ms());
        }
        self.save().await?;
        self.lifecycle(&InstanceEvent::DestroyStarted {
            status: InstanceStatus::Destroying,
            value: uptime,
        });
        self.finish_destroy(&rctx("destroy", &self.s)).await
    }

    fn uptime_ms(&self) -> f64 {
        self.s
            .borrow()
            .last_started_at
            .filter(|t| *t != 0.0)
            .map_or(0.0, |t| unix_ms() - t)
    }

    async fn finish_destroy(&self, rctx: &Rctx<'_>) -> Result<()> {
        self.try_delete_machine(rctx);
        self.try_delete_volume(rctx);
        self.finalize_destroy_if_complete(rctx).await
    }

    fn try_delete_machine(&self, rctx: &Rctx<'_>) {
        let Some(machine_id) = self.s.borrow().pending_destroy_machine_id.clone() else {
            return;
        };
        let outcome = self.fly.borrow_mut().delete_machine();
        match outcome {
            Outcome::Ok(()) => rctx.log(&ReconcileEvent::DestroyMachineOk { machine_id }),
            Outcome::NotFound => {
                rctx.log(&ReconcileEvent::DestroyMachineAlreadyGone { machine_id })
            }
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::DestroyMachineFailed { machine_id, error });
                return;
            }
        }
        // Cleared after the log: the point still carries the machine id.
        let mut s = self.s.borrow_mut();
        s.pending_destroy_machine_id = None;
        s.fly_machine_id = None;
    }

    fn try_delete_volume(&self, rctx: &Rctx<'_>) {
        let Some(volume_id) = self.s.borrow().pending_destroy_volume_id.clone() else {
            return;
        };
        let outcome = self.fly.borrow_mut().delete_volume();
        match outcome {
            Outcome::Ok(()) => rctx.log(&ReconcileEvent::DestroyVolumeOk { volume_id }),
            Outcome::NotFound => rctx.log(&ReconcileEvent::DestroyVolumeAlreadyGone { volume_id }),
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::DestroyVolumeFailed { volume_id, error });
                return;
            }
        }
        let mut s = self.s.borrow_mut();
        s.pending_destroy_volume_id = None;
        s.fly_volume_id = None;
    }

    async fn finalize_destroy_if_complete(&self, rctx: &Rctx<'_>) -> Result<()> {
        let (user_id, sandbox_id) = {
            let s = self.s.borrow();
            if s.pending_destroy_machine_id.is_some() || s.pending_destroy_volume_id.is_some() {
                return Ok(());
            }
            match (s.user_id.clone(), s.sandbox_id.clone()) {
                (Some(user), Some(sandbox)) => (user, sandbox),
                _ => return Ok(()),
            }
        };
        // Logged before the wipe: the event reads its dimensions from the state.
        rctx.log(&ReconcileEvent::DestroyComplete {
            user_id: Nullable(Some(user_id)),
            sandbox_id: Nullable(Some(sandbox_id)),
        });
        self.storage_state.storage().delete_all().await?;
        *self.s.borrow_mut() = InstanceState::default();
        *self.fly.borrow_mut() = Script::default();
        Ok(())
    }

    // --- reconcile (§2.4, §5) ------------------------------------------------------------------
    //
    // The alarm takes the reference's steps in the reference's order. Per status:
    //
    // - `destroying`: recover a machine bound to the pending volume (#35-#37), delete the machine
    //   (#38-#40), delete the volume (#41-#43), finalize (#44).
    // - `starting`: no machine yet (#10, #11); otherwise one Fly read, the status sync (#29, #30),
    //   the volume check (#22, #23), then the timeout (#12); a failed read gives #13-#15.
    // - `restarting`: one Fly read; started with the update sent gives #16 then #32, then the
    //   volume check; started without it, #17 on timeout, then the volume check; not started, the
    //   status sync, the volume check, then #18 on timeout; a failed read gives #19-#21.
    // - any other status: the machine (no machine: metadata recovery #24-#28; otherwise one Fly
    //   read, the status sync #29-#31 and the mount check #33 on that same read; a 404, #34),
    //   then the stale provision (#1, which destroys with reason `destroy`), the volume check
    //   (#22, #23), and the API key (#2-#9).

    /// The alarm's work: bring the instance in line with what Fly reports.
    async fn reconcile_with_fly(&self) -> Result<()> {
        let rctx = rctx("alarm", &self.s);
        let status = self.s.borrow().status;
        match status {
            None => Ok(()),
            Some(InstanceStatus::Destroying) => self.retry_pending_destroy(&rctx).await,
            Some(InstanceStatus::Starting) => {
                self.reconcile_starting(&rctx);
                Ok(())
            }
            Some(InstanceStatus::Restarting) => {
                self.reconcile_restarting(&rctx);
                Ok(())
            }
            Some(InstanceStatus::Restoring) => {
                self.reconcile_restoring();
                Ok(())
            }
            Some(_) => {
                let reconciled = self.reconcile_machine(&rctx);
                if reconciled {
                    if let Some(age) = self.stale_provision_age() {
                        self.log_stale_provision(&rctx, age);
                        return self.destroy().await;
                    }
                }
                // A volume that cannot be replaced fails the alarm, as the reference's throw does.
                match self.reconcile_volume(&rctx) {
                    Outcome::Ok(()) => {}
                    Outcome::NotFound => return Err(FlyError::not_found().to_string().into()),
                    Outcome::Failed(error) => return Err(error.to_string().into()),
                }
                self.reconcile_api_key_expiry(&rctx);
                Ok(())
            }
        }
    }

    /// The age of a stale abandoned provision: provisioned, no machine, never started, and
    /// provisioned more than 8 hours ago.
    fn stale_provision_age(&self) -> Option<f64> {
        let s = self.s.borrow();
        let never_ran = s.fly_machine_id.is_none() && s.last_started_at.is_none_or(|t| t == 0.0);
        let provisioned_at = s.provisioned_at.filter(|t| *t != 0.0)?;
        let age = unix_ms() - provisioned_at;
        (s.status == Some(InstanceStatus::Provisioned)
            && never_ran
            && age > STALE_PROVISION_THRESHOLD_MS)
            .then_some(age)
    }

    /// #1: the stale age in `value`.
    fn log_stale_provision(&self, rctx: &Rctx<'_>, age: f64) {
        let (user_id, provisioned_at) = {
            let s = self.s.borrow();
            (s.user_id.clone(), s.provisioned_at)
        };
        rctx.log(&ReconcileEvent::AutoDestroyStaleProvision {
            user_id: Nullable(user_id),
            provisioned_at: Nullable(provisioned_at),
            age_hours: (age / 3_600_000.0).round(),
            value: age,
        });
    }

    /// The instance gives up starting (or restarting) and is `stopped`.
    fn fall_back_to_stopped(&self) {
        let mut s = self.s.borrow_mut();
        s.status = Some(InstanceStatus::Stopped);
        s.starting_at = None;
        s.health_check_fail_count = 0;
    }

    /// #10 to #15: a `starting` instance, waiting for its machine or giving up after 5 minutes.
    fn reconcile_starting(&self, rctx: &Rctx<'_>) {
        let (user_id, starting_at, machine_id, last_error) = {
            let s = self.s.borrow();
            (
                s.user_id.clone(),
                s.starting_at,
                s.fly_machine_id.clone(),
                s.last_start_error.clone(),
            )
        };
        let timed_out = starting_at.is_some_and(|t| unix_ms() - t > STARTING_TIMEOUT_MS);
        let Some(machine_id) = machine_id else {
            if let (true, Some(at)) = (timed_out, starting_at) {
                // Logged before the transition: the point still says `starting`.
                rctx.log(&ReconcileEvent::StartingTimeout {
                    user_id: Nullable(user_id),
                    starting_at: Nullable(starting_at),
                    elapsed_ms: unix_ms() - at,
                    old_state: "starting",
                    new_state: "stopped",
                    last_start_error: Nullable(last_error.clone()),
                });
                self.fall_back_to_stopped();
                self.provisioning_failed("starting_timeout", last_error);
            } else {
                rctx.log(&ReconcileEvent::StartingNoMachineYet {
                    user_id: Nullable(user_id),
                });
            }
            return;
        };
        // The machine exists: check Fly even after the timeout, it may have started since.
        let machine = self.fly.borrow_mut().get_machine();
        let checked = match machine {
            Outcome::Ok(machine) => {
                self.sync_status_with_fly(rctx, &machine.state);
                let volume = self.reconcile_volume(rctx);
                let still_starting = self.s.borrow().status == Some(InstanceStatus::Starting);
                if let (Outcome::Ok(()), true, true, Some(at)) =
                    (&volume, timed_out, still_starting, starting_at)
                {
                    let last_error = self.s.borrow().last_start_error.clone();
                    rctx.log(&ReconcileEvent::StartingTimeoutWithMachine {
                        machine_id: machine_id.clone(),
                        fly_state: machine.state,
                        elapsed_ms: unix_ms() - at,
                        old_state: "starting",
                        new_state: "stopped",
                        last_start_error: Nullable(last_error.clone()),
                    });
                    self.fall_back_to_stopped();
                    self.provisioning_failed("starting_timeout_with_machine", last_error);
                }
                volume
            }
            failed => failed.without_value(),
        };
        match checked {
            Outcome::Ok(()) => {}
            Outcome::NotFound => {
                rctx.log(&ReconcileEvent::StartingMachineGone {
                    machine_id,
                    old_state: "starting",
                    new_state: "stopped",
                });
                self.s.borrow_mut().fly_machine_id = None;
                self.fall_back_to_stopped();
                self.provisioning_failed(
                    "starting_machine_gone",
                    Some("machine gone during start".into()),
                );
            }
            Outcome::Failed(error) if timed_out => {
                let message = error.to_string();
                rctx.log(&ReconcileEvent::StartingTimeoutTransientError {
                    machine_id,
                    error,
                    elapsed_ms: starting_at.map(|t| unix_ms() - t),
                    old_state: "starting",
                    new_state: "stopped",
                });
                self.fall_back_to_stopped();
                self.provisioning_failed("starting_timeout_transient_error", Some(message));
            }
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::StartingTransientError { machine_id, error });
            }
        }
    }

    /// #16 to #21, and #32 through `mark_restart_successful`.
    fn reconcile_restarting(&self, rctx: &Rctx<'_>) {
        let (machine_id, restarting_at, update_sent) = {
            let s = self.s.borrow();
            (
                s.fly_machine_id.clone(),
                s.restarting_at,
                s.restart_update_sent,
            )
        };
        let Some(machine_id) = machine_id else {
            return;
        };
        let timed_out = restarting_at.is_some_and(|t| unix_ms() - t > RESTARTING_TIMEOUT_MS);
        let elapsed_ms = || restarting_at.map(|t| unix_ms() - t);
        let last_restart_error = || Nullable(self.s.borrow().last_restart_error.clone());
        let machine = self.fly.borrow_mut().get_machine();
        let checked = match machine {
            Outcome::Ok(machine) if machine.state == "started" && update_sent => {
                // The update was sent: started means the new config is live.
                rctx.log(&ReconcileEvent::RestartingReconcileSuccess {
                    machine_id: machine_id.clone(),
                    elapsed_ms: elapsed_ms(),
                });
                self.mark_restart_successful(rctx);
                self.reconcile_volume(rctx)
            }
            Outcome::Ok(machine) if machine.state == "started" => {
                // Started, but the update never ran: after the timeout, fall back to running.
                if timed_out {
                    rctx.log(&ReconcileEvent::RestartingNoUpdateTimeoutFallback {
                        machine_id: machine_id.clone(),
                        last_restart_error: last_restart_error(),
                        elapsed_ms: elapsed_ms(),
                        old_state: "restarting",
                        new_state: "running",
                    });
                    let mut s = self.s.borrow_mut();
                    s.status = Some(InstanceStatus::Running);
                    s.restarting_at = None;
                    s.restart_update_sent = false;
                    s.health_check_fail_count = 0;
                }
                self.reconcile_volume(rctx)
            }
            Outcome::Ok(machine) => {
                self.sync_status_with_fly(rctx, &machine.state);
                let volume = self.reconcile_volume(rctx);
                if volume == Outcome::Ok(()) {
                    let stopped = self.s.borrow().status == Some(InstanceStatus::Stopped);
                    if stopped {
                        self.s.borrow_mut().restarting_at = None;
                    } else if timed_out {
                        rctx.log(&ReconcileEvent::RestartingTimeoutTransient {
                            machine_id: machine_id.clone(),
                            fly_state: machine.state.clone(),
                            elapsed_ms: elapsed_ms(),
                            last_restart_error: last_restart_error(),
                        });
                        let mut s = self.s.borrow_mut();
                        s.last_restart_error = Some(format!(
                            "Restart is taking longer than expected; still reconciling while the machine remains {}",
                            machine.state
                        ));
                        if TERMINAL_STOPPED_STATES.contains(&machine.state.as_str()) {
                            s.status = Some(InstanceStatus::Stopped);
                            s.restarting_at = None;
                            s.health_check_fail_count = 0;
                        }
                    }
                }
                volume
            }
            failed => failed.without_value(),
        };
        match checked {
            Outcome::Ok(()) => {}
            Outcome::NotFound => {
                rctx.log(&ReconcileEvent::RestartingMachineGone {
                    machine_id,
                    old_state: "restarting",
                    new_state: "stopped",
                });
                let mut s = self.s.borrow_mut();
                s.status = Some(InstanceStatus::Stopped);
                s.fly_machine_id = None;
                s.restarting_at = None;
                s.health_check_fail_count = 0;
            }
            Outcome::Failed(error) if timed_out => {
                let message = error.to_string();
                rctx.log(&ReconcileEvent::RestartingTimeoutError {
                    machine_id,
                    error,
                    elapsed_ms: elapsed_ms(),
                });
                // A fresh timeout window for the next alarm.
                let mut s = self.s.borrow_mut();
                s.last_restart_error = Some(message);
                s.restarting_at = Some(unix_ms());
            }
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::RestartingTransientError { machine_id, error });
            }
        }
    }

    /// #32: `durationMs` is `Date.now() - restartingAt` (absent without one).
    fn mark_restart_successful(&self, rctx: &Rctx<'_>) {
        let (machine_id, previous_error, restarting_at) = {
            let s = self.s.borrow();
            (
                s.fly_machine_id.clone(),
                s.last_restart_error.clone(),
                s.restarting_at,
            )
        };
        rctx.log(&ReconcileEvent::RestartSelfHealed {
            machine_id: Nullable(machine_id),
            had_restart_error: previous_error.is_some(),
            previous_error: Nullable(previous_error),
            duration_ms: restarting_at.filter(|t| *t != 0.0).map(|t| unix_ms() - t),
            old_state: "restarting",
            new_state: "running",
        });
        let mut s = self.s.borrow_mut();
        s.status = Some(InstanceStatus::Running);
        s.starting_at = None;
        s.restarting_at = None;
        s.restart_update_sent = false;
        if s.last_started_at.is_none() {
            s.last_started_at = Some(unix_ms());
        }
        s.health_check_fail_count = 0;
        s.last_restart_error = None;
    }

    /// The machine of an instance that is neither starting, restarting nor being destroyed: one
    /// Fly read for the status sync and the mount check. Whether its state is now known.
    fn reconcile_machine(&self, rctx: &Rctx<'_>) -> bool {
        if self.s.borrow().fly_machine_id.is_none() {
            return self.attempt_metadata_recovery(rctx);
        }
        let machine = self.fly.borrow_mut().get_machine();
        let checked = match machine {
            Outcome::Ok(machine) => {
                self.sync_status_with_fly(rctx, &machine.state);
                self.reconcile_machine_mount(rctx, &machine)
            }
            failed => failed.without_value(),
        };
        match checked {
            Outcome::Ok(()) => true,
            Outcome::NotFound => {
                self.clear_stale_machine(rctx);
                true
            }
            Outcome::Failed(_) => false,
        }
    }

    /// #34: logged before the machine id is cleared.
    fn clear_stale_machine(&self, rctx: &Rctx<'_>) {
        let (status, machine_id) = {
            let s = self.s.borrow();
            (s.status, s.fly_machine_id.clone())
        };
        if let (Some(old_state), Some(machine_id)) = (status, machine_id) {
            rctx.log(&ReconcileEvent::ClearStaleMachine {
                old_state,
                new_state: "stopped",
                machine_id,
            });
        }
        let mut s = self.s.borrow_mut();
        s.fly_machine_id = None;
        s.status = Some(InstanceStatus::Stopped);
        s.health_check_fail_count = 0;
    }

    /// #24 to #28: adopting the user's machine from Fly's metadata listing. Whether the listing
    /// answered (a cooldown or a failure leaves the machine unknown).
    fn attempt_metadata_recovery(&self, rctx: &Rctx<'_>) -> bool {
        let (user_id, last_attempt) = {
            let s = self.s.borrow();
            (s.user_id.clone(), s.last_metadata_recovery_at)
        };
        let Some(user_id) = user_id else {
            return false;
        };
        let now = unix_ms();
        if last_attempt.is_some_and(|t| t != 0.0 && now - t < METADATA_RECOVERY_COOLDOWN_MS) {
            return false;
        }
        self.s.borrow_mut().last_metadata_recovery_at = Some(now);
        let started = clock::now();
        let listed = self.fly.borrow_mut().list_machines();
        let machines = match listed.not_found_as_failure() {
            Ok(machines) => machines,
            Err(error) => {
                rctx.log(&ReconcileEvent::MetadataRecoveryFailed { error });
                return false;
            }
        };
        if machines.len() > 1 {
            rctx.log(&ReconcileEvent::MultipleMachinesFound {
                user_id: Nullable(Some(user_id)),
                count: machines.len(),
                machine_ids: machines.iter().map(|m| m.id.clone()).collect(),
            });
        }
        let Some(candidate) = select_recovery_candidate(&machines) else {
            return true;
        };
        let needs_volume = {
            let mut s = self.s.borrow_mut();
            s.fly_machine_id = Some(candidate.id.clone());
            s.fly_region = Some(candidate.region.clone());
            match candidate.state.as_str() {
                "started" => s.status = Some(InstanceStatus::Running),
                "stopped" | "created" | "failed" => s.status = Some(InstanceStatus::Stopped),
                _ => {}
            }
            s.fly_volume_id.is_none()
        };
        if let (true, Some(volume_id)) = (needs_volume, candidate.volume.clone()) {
            let volume = self.fly.borrow_mut().get_volume();
            match volume {
                Outcome::Ok(_) => {
                    self.s.borrow_mut().fly_volume_id = Some(volume_id.clone());
                    rctx.log(&ReconcileEvent::RecoverVolumeFromMount {
                        volume_id,
                        machine_id: candidate.id.clone(),
                    });
                }
                Outcome::NotFound => {
                    rctx.log(&ReconcileEvent::RecoveredVolumeMissing { volume_id });
                }
                // Any other failure is left for the next alarm, without a line.
                Outcome::Failed(_) => {}
            }
        }
        // Logged after adopting the machine: the point carries the recovered id and region.
        rctx.log(&ReconcileEvent::RecoverMachineFromMetadata {
            machine_id: candidate.id.clone(),
            fly_state: candidate.state.clone(),
            region: candidate.region.clone(),
            duration_ms: clock::elapsed_ms(started),
            label: format!(
                "recovered machine {} (fly: {})",
                candidate.id, candidate.state
            ),
        });
        true
    }

    /// #29, #30, #31: each logged before the state changes. A machine Fly reports stopped while
    /// the instance runs counts one failed health check per alarm; the fifth marks it stopped.
    fn sync_status_with_fly(&self, rctx: &Rctx<'_>, fly_state: &str) {
        let Some(status) = self.s.borrow().status else {
            return;
        };
        match fly_state {
            "started" if status != InstanceStatus::Running => {
                rctx.log(&ReconcileEvent::SyncStatus {
                    old_state: status,
                    new_state: "running",
                    fly_state: "started",
                });
                let mut s = self.s.borrow_mut();
                s.status = Some(InstanceStatus::Running);
                s.starting_at = None;
                s.health_check_fail_count = 0;
                if s.last_started_at.is_none() {
                    s.last_started_at = Some(unix_ms());
                }
            }
            "started" => self.s.borrow_mut().health_check_fail_count = 0,
            "failed" if status != InstanceStatus::Stopped => {
                rctx.log(&ReconcileEvent::SyncStatusFailed {
                    old_state: status,
                    new_state: "stopped",
                    fly_state: "failed",
                });
                {
                    let mut s = self.s.borrow_mut();
                    s.status = Some(InstanceStatus::Stopped);
                    s.starting_at = None;
                    s.health_check_fail_count = 0;
                }
                if status == InstanceStatus::Starting {
                    self.provisioning_failed(
                        "fly_failed_state",
                        Some("fly machine entered failed state".into()),
                    );
                }
            }
            "destroyed" => {
                let machine_id = self.s.borrow().fly_machine_id.clone().unwrap_or_default();
                // Logged before the machine id is cleared: the point still carries it.
                rctx.log(&ReconcileEvent::SyncStatusDestroyed {
                    old_state: status,
                    new_state: "stopped",
                    fly_state: "destroyed",
                    machine_id,
                });
                let mut s = self.s.borrow_mut();
                s.fly_machine_id = None;
                s.status = Some(InstanceStatus::Stopped);
                s.starting_at = None;
                s.health_check_fail_count = 0;
            }
            "stopped" | "created" if status == InstanceStatus::Running => {
                let fail_count = {
                    let mut s = self.s.borrow_mut();
                    s.health_check_fail_count += 1;
                    s.health_check_fail_count
                };
                if fail_count >= SELF_HEAL_THRESHOLD {
                    rctx.log(&ReconcileEvent::MarkStopped {
                        old_state: "running",
                        new_state: "stopped",
                        fly_state: fly_state.to_owned(),
                        fail_count,
                        value: f64::from(SELF_HEAL_THRESHOLD),
                    });
                    let mut s = self.s.borrow_mut();
                    s.status = Some(InstanceStatus::Stopped);
                    s.health_check_fail_count = 0;
                }
            }
            _ => {}
        }
    }

    /// #33: a started machine without its volume mount is stopped, updated and started again;
    /// logged only when all three succeed. A failure of any is the caller's to handle.
    fn reconcile_machine_mount(&self, rctx: &Rctx<'_>, machine: &Machine) -> Outcome<()> {
        let (machine_id, volume_id) = {
            let s = self.s.borrow();
            (s.fly_machine_id.clone(), s.fly_volume_id.clone())
        };
        let (Some(machine_id), Some(volume_id)) = (machine_id, volume_id) else {
            return Outcome::Ok(());
        };
        if machine.state != "started" || machine.mounted {
            return Outcome::Ok(());
        }
        let started = clock::now();
        let repaired = {
            let mut fly = self.fly.borrow_mut();
            [
                Script::stop_machine,
                Script::update_machine,
                Script::wait_for_state,
            ]
            .into_iter()
            .map(|step| step(&mut fly))
            .find(|outcome| *outcome != Outcome::Ok(()))
            .unwrap_or(Outcome::Ok(()))
        };
        if repaired == Outcome::Ok(()) {
            rctx.log(&ReconcileEvent::RepairMount {
                machine_id,
                label: format!("repaired mount for volume {volume_id}"),
                volume_id,
                duration_ms: clock::elapsed_ms(started),
            });
        }
        repaired
    }

    /// #22, #23: the instance's volume still exists; a lost one is replaced. A failure to create
    /// the replacement is the caller's to handle.
    fn reconcile_volume(&self, rctx: &Rctx<'_>) -> Outcome<()> {
        let Some(volume_id) = self.s.borrow().fly_volume_id.clone() else {
            return self.ensure_volume(rctx);
        };
        let volume = self.fly.borrow_mut().get_volume();
        match volume {
            Outcome::Ok(_) => Outcome::Ok(()),
            Outcome::NotFound => {
                let started = clock::now();
                self.s.borrow_mut().fly_volume_id = None;
                let created = self.ensure_volume(rctx);
                if created != Outcome::Ok(()) {
                    return created;
                }
                let new_volume_id = self.s.borrow().fly_volume_id.clone();
                // Logged after the replacement exists: the point may carry its region.
                rctx.log(&ReconcileEvent::ReplaceLostVolume {
                    data_loss: true,
                    label: format!(
                        "replaced lost volume {volume_id} \u{2192} {}",
                        new_volume_id.as_deref().unwrap_or("null")
                    ),
                    old_volume_id: volume_id,
                    new_volume_id: Nullable(new_volume_id),
                    duration_ms: clock::elapsed_ms(started),
                });
                Outcome::Ok(())
            }
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::VolumeCheckFailed { volume_id, error });
                Outcome::Ok(())
            }
        }
    }

    /// Creates the instance's volume when it has none (§2.5 `create_volume`, a line only).
    fn ensure_volume(&self, rctx: &Rctx<'_>) -> Outcome<()> {
        let app = {
            let s = self.s.borrow();
            if s.fly_volume_id.is_some() || s.sandbox_id.is_none() {
                return Outcome::Ok(());
            }
            s.fly_app_name.clone().unwrap_or_default()
        };
        let created = self.fly.borrow_mut().create_volume();
        let volume = match created {
            Outcome::Ok(volume) => volume,
            failed => return failed.without_value(),
        };
        {
            let mut s = self.s.borrow_mut();
            s.fly_volume_id = Some(volume.id.clone());
            s.fly_region = Some(volume.region.clone());
        }
        rctx.log(&ReconcileEvent::CreateVolume {
            fly_app_name: app,
            volume_id: volume.id,
            region: volume.region,
        });
        Outcome::Ok(())
    }

    /// #2 to #9: refreshing an API key that expires within 72 hours. The Fly config update is
    /// always attempted, then the push; the refresh fails only when both did.
    fn reconcile_api_key_expiry(&self, rctx: &Rctx<'_>) {
        let (user_id, expires_at) = {
            let s = self.s.borrow();
            let running = s.status == Some(InstanceStatus::Running) && s.fly_machine_id.is_some();
            (s.user_id.clone().filter(|_| running), s.api_key_expires_at)
        };
        let (Some(user_id), Some(expires_at)) = (user_id, expires_at) else {
            return;
        };
        let remaining = expires_at - unix_ms();
        if remaining > API_KEY_REFRESH_THRESHOLD_MS {
            return;
        }
        let started = clock::now();
        let user = || Nullable(Some(user_id.clone()));
        rctx.log(&ReconcileEvent::ApiKeyExpiryApproaching {
            user_id: user(),
            expires_at: Nullable(Some(expires_at)),
            hours_remaining: (remaining / 3_600_000.0).round(),
            controller_version: Nullable(None),
        });
        let minted = self.fly.borrow_mut().mint_key();
        match minted.not_found_as_failure() {
            Ok(true) => {}
            Ok(false) => return rctx.log(&ReconcileEvent::ApiKeyMintFailed { user_id: user() }),
            Err(error) => {
                return rctx.log(&ReconcileEvent::ApiKeyMintError {
                    user_id: user(),
                    error,
                })
            }
        }
        let updated = self.fly.borrow_mut().update_config();
        let fly_config_updated = match updated.not_found_as_failure() {
            Ok(()) => true,
            Err(error) => {
                rctx.log(&ReconcileEvent::ApiKeyFlyConfigUpdateFailed {
                    user_id: user(),
                    error,
                });
                false
            }
        };
        let pushed = self.fly.borrow_mut().push_key();
        let pushed = match pushed {
            Outcome::Ok(true) => true,
            Outcome::Ok(false) => {
                rctx.log(&ReconcileEvent::ApiKeyPushNotSignaled {
                    user_id: user(),
                    result: "ok=true signaled=false".into(),
                });
                false
            }
            Outcome::NotFound => {
                rctx.log(&ReconcileEvent::ApiKeyPushNotSignaled {
                    user_id: user(),
                    result: "null".into(),
                });
                false
            }
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::ApiKeyPushError {
                    user_id: user(),
                    error,
                    controller_version: Nullable(None),
                });
                false
            }
        };
        if !pushed && !fly_config_updated {
            return rctx.log(&ReconcileEvent::ApiKeyRefreshFailedAllPaths { user_id: user() });
        }
        let new_expires_at = unix_ms() + API_KEY_LIFETIME_MS;
        self.s.borrow_mut().api_key_expires_at = Some(new_expires_at);
        let label = if pushed {
            "refreshed+pushed"
        } else {
            "refreshed+fly-config"
        };
        rctx.log(&ReconcileEvent::ApiKeyRefreshed {
            user_id: user(),
            new_expires_at,
            pushed,
            fly_config_updated,
            controller_version: Nullable(None),
            duration_ms: clock::elapsed_ms(started),
            label: label.into(),
        });
    }

    /// The alarm of a `destroying` instance: the pending deletes, retried.
    async fn retry_pending_destroy(&self, rctx: &Rctx<'_>) -> Result<()> {
        self.recover_bound_machine_for_destroy(rctx);
        self.finish_destroy(rctx).await?;
        self.log_destroy_still_pending(rctx);
        Ok(())
    }

    /// After an alarm's destroy pass: what is still to delete (`destroy_pending`), or, once the
    /// destroy began over an hour ago, `destroy_stuck` with its age. Nothing when it finished.
    fn log_destroy_still_pending(&self, rctx: &Rctx<'_>) {
        let (machine_id, volume_id, destroying_at) = {
            let s = self.s.borrow();
            if s.status != Some(InstanceStatus::Destroying) {
                return;
            }
            (
                s.pending_destroy_machine_id.clone(),
                s.pending_destroy_volume_id.clone(),
                s.destroying_at,
            )
        };
        if machine_id.is_none() && volume_id.is_none() {
            return;
        }
        let age = destroying_at.map_or(0.0, |t| unix_ms() - t);
        if age > DESTROY_STUCK_MS {
            rctx.log(&ReconcileEvent::DestroyStuck {
                machine_id: Nullable(machine_id),
                volume_id: Nullable(volume_id),
                elapsed_ms: age,
                value: age,
            });
        } else {
            rctx.log(&ReconcileEvent::DestroyPending {
                machine_id: Nullable(machine_id),
                volume_id: Nullable(volume_id),
            });
        }
    }

    /// #35 to #37: a pending volume without a pending machine may still be attached to one,
    /// which must go first.
    fn recover_bound_machine_for_destroy(&self, rctx: &Rctx<'_>) {
        let (pending_machine, pending_volume, last_attempt) = {
            let s = self.s.borrow();
            (
                s.pending_destroy_machine_id.clone(),
                s.pending_destroy_volume_id.clone(),
                s.last_bound_machine_recovery_at,
            )
        };
        let (None, Some(volume_id)) = (pending_machine, pending_volume) else {
            return;
        };
        let now = unix_ms();
        if last_attempt.is_some_and(|t| t != 0.0 && now - t < BOUND_MACHINE_RECOVERY_COOLDOWN_MS) {
            return;
        }
        let started = clock::now();
        let volume = self.fly.borrow_mut().get_volume();
        match volume {
            Outcome::Ok(volume) => match volume.attached_machine_id.filter(|m| !m.is_empty()) {
                Some(machine_id) if is_machine_id(&machine_id) => {
                    {
                        let mut s = self.s.borrow_mut();
                        s.pending_destroy_machine_id = Some(machine_id.clone());
                        s.fly_machine_id = Some(machine_id.clone());
                        s.last_bound_machine_recovery_at = None;
                    }
                    // Logged after adopting the machine: the point carries its id.
                    rctx.log(&ReconcileEvent::RecoverBoundMachineForDestroy {
                        label: format!("recovered machine {machine_id} from volume {volume_id}"),
                        volume_id,
                        machine_id,
                        duration_ms: clock::elapsed_ms(started),
                    });
                }
                attached => {
                    if let Some(attached_machine_id) = attached {
                        rctx.log(&ReconcileEvent::RecoverBoundMachineInvalidId {
                            volume_id,
                            attached_machine_id,
                        });
                    }
                    self.s.borrow_mut().last_bound_machine_recovery_at = Some(now);
                }
            },
            Outcome::NotFound => {}
            Outcome::Failed(error) => {
                rctx.log(&ReconcileEvent::RecoverBoundMachineFailed { volume_id, error });
            }
        }
    }
}

/// Fly states in which a machine is stopped for good (until started again).
const TERMINAL_STOPPED_STATES: &[&str] =
    &["stopped", "created", "destroyed", "suspended", "failed"];

/// The machine metadata recovery adopts: dead ones ignored, then by state (`started` first), then
/// the most recently updated.
fn select_recovery_candidate(machines: &[ListedMachine]) -> Option<&ListedMachine> {
    const PRIORITY: &[&str] = &[
        "started",
        "starting",
        "stopped",
        "created",
        "stopping",
        "replacing",
        "updating",
        "suspended",
        "failed",
    ];
    let rank = |m: &ListedMachine| {
        PRIORITY
            .iter()
            .position(|state| *state == m.state)
            .unwrap_or(99)
    };
    let mut live: Vec<&ListedMachine> = machines
        .iter()
        .filter(|m| m.state != "destroyed" && m.state != "destroying")
        .collect();
    live.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.updated_at.cmp(&a.updated_at))
    });
    live.first().copied()
}

/// A Fly machine id: `[a-z0-9]+`.
fn is_machine_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A Fly-style machine id (`[a-z0-9]+`) for a sandbox.
fn machine_id_for(sandbox: Option<&str>) -> String {
    let tail: String = sandbox
        .unwrap_or("0")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(12)
        .collect();
    format!("m{tail}")
}

/// What one restore attempt came to, as the queue's consumer reads it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RestoreAttempt {
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// Why it failed; `None` when the restore completed.
    pub error: Option<String>,
}

/// The header with which `/start` says whether the instance started.
pub const STARTED_HEADER: &str = "x-kiloclaw-started";

/// Now as an ISO 8601 string (`2026-11-30T12:00:00.000Z`), as JavaScript's `toISOString` writes
/// it.
fn iso_now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// The Unix milliseconds of an ISO 8601 string (`NaN` when it is not one).
fn iso_ms(iso: &str) -> f64 {
    js_sys::Date::parse(iso)
}
