//! A scriptable fake of the Fly.io API, so tests can drive every reconcile path.
//!
//! Each operation answers from a queue of scripted replies, then from its default. A script is
//! JSON, stored with the instance (see `POST /__fake/fly` in the example's README):
//!
//! ```json
//! { "getMachine": [{ "state": "stopped" }, { "notFound": true }],
//!   "deleteVolume": [{ "error": "volume busy" }, { "error": { "code": 42 } }],
//!   "listMachines": [{ "machines": [{ "id": "m2", "state": "started", "region": "ord" }] }] }
//! ```
//!
//! A failing reply throws one of the shapes the reference's `log()` serializes differently (§5):
//! `error` throws its JSON value as is (a string is a message; `null`, numbers, booleans, objects
//! and arrays are thrown values), `errorObject` throws an `Error` with that message, and
//! `unserializable` throws a value `JSON.stringify` cannot serialize (a `BigInt`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::VecDeque;
use std::fmt;
use tallymark::events::{ErrorDetail, ErrorMessage, Json};
use tallymark::TextLimit;

/// One scripted reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reply {
    /// The operation answers 404.
    pub not_found: bool,
    /// The operation fails, throwing this JSON value (`"error": null` throws `null`).
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// The operation fails, throwing an `Error` object with this message.
    pub error_object: Option<String>,
    /// The operation fails, throwing a value JSON cannot serialize (a `BigInt`).
    pub unserializable: bool,
    /// A machine's state (`getMachine`), or a push's result (`pushKey`: `signaled`, `unsignaled`).
    pub state: Option<String>,
    /// `getMachine`: whether the machine has its volume mounted (default true).
    pub mounted: Option<bool>,
    /// `mintKey`: the key was minted (default true); false: the mint returned null.
    pub minted: Option<bool>,
    /// `getVolume`: the id of the machine the volume is attached to (default none).
    pub attached_machine_id: Option<String>,
    /// `listMachines`: the machines Fly lists for the user's metadata (default none).
    pub machines: Option<Vec<ListedMachine>>,
    /// `createVolume`: the new volume's id (default `vol2`).
    pub id: Option<String>,
    /// `createVolume`: the new volume's region (default `iad`).
    pub region: Option<String>,
    /// `startMachine`, `createMachine`, `restoreSnapshot`: a failure is an API error with this
    /// HTTP status (without one, a failure of the call itself).
    pub status: Option<u16>,
    /// The API error's response body.
    pub body: Option<String>,
}

/// A present field, `null` included (serde's `Option` would read `null` as absent).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A machine as `listMachines` describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListedMachine {
    /// The machine id.
    pub id: String,
    /// `started`, `stopped`, `created`, `failed`, `destroyed`, ...
    pub state: String,
    /// The machine's region.
    pub region: String,
    /// The volume mounted at `/root`, if any.
    pub volume: Option<String>,
    /// When Fly last updated the machine (ISO 8601): the newest wins a tie.
    pub updated_at: String,
}

/// What a failing Fly operation threw.
#[derive(Debug, Clone, PartialEq)]
pub enum FlyError {
    /// A thrown value: a string (a message), or any other JSON value.
    Thrown(Value),
    /// An `Error` object with this message.
    Error(String),
    /// A value JSON cannot serialize (a `BigInt`).
    Unserializable,
}

impl FlyError {
    /// A thrown message.
    pub fn message(message: impl Into<String>) -> Self {
        FlyError::Thrown(Value::String(message.into()))
    }

    /// A 404 where the reference treats it as any other failure.
    pub fn not_found() -> Self {
        FlyError::message("not found")
    }
}

/// The error as a message (an HTTP error's text): a string or an `Error`'s message as is, other
/// values as their JSON text.
impl fmt::Display for FlyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlyError::Thrown(Value::String(message)) | FlyError::Error(message) => {
                f.write_str(message)
            }
            FlyError::Thrown(value) => write!(f, "{value}"),
            FlyError::Unserializable => f.write_str("[unserializable]"),
        }
    }
}

/// A `BigInt`: `JSON.stringify` throws on it, and so does its serialization.
struct BigInt;

impl Serialize for BigInt {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "Do not know how to serialize a BigInt",
        ))
    }
}

/// Each shape as the reference's `log()` writes it (§5): a string as is; an `Error` by its
/// message in the point and `{}` in the line; other JSON as its text in the point and as JSON in
/// the line; an unserializable value as `[unserializable error]` in the point.
impl ErrorDetail for FlyError {
    fn error_text(&self, limit: TextLimit) -> Option<String> {
        match self {
            FlyError::Thrown(value) => value.error_text(limit),
            FlyError::Error(message) => ErrorMessage(message).error_text(limit),
            FlyError::Unserializable => Json(BigInt).error_text(limit),
        }
    }

    fn console_value(&self) -> Option<Value> {
        match self {
            FlyError::Thrown(value) => value.console_value(),
            FlyError::Error(message) => ErrorMessage(message).console_value(),
            FlyError::Unserializable => Json(BigInt).console_value(),
        }
    }
}

/// What a Fly operation answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// It succeeded.
    Ok(T),
    /// 404.
    NotFound,
    /// Any other failure.
    Failed(FlyError),
}

impl<T> Outcome<T> {
    /// The outcome without its success value.
    pub fn without_value(self) -> Outcome<()> {
        match self {
            Outcome::Ok(_) => Outcome::Ok(()),
            Outcome::NotFound => Outcome::NotFound,
            Outcome::Failed(error) => Outcome::Failed(error),
        }
    }

    /// A 404 counted as any other failure, for operations whose callers do not tell them apart.
    pub fn not_found_as_failure(self) -> Result<T, FlyError> {
        match self {
            Outcome::Ok(value) => Ok(value),
            Outcome::NotFound => Err(FlyError::not_found()),
            Outcome::Failed(error) => Err(error),
        }
    }
}

/// A machine, as `getMachine` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// `started`, `stopped`, `created`, `failed`, ...
    pub state: String,
    /// Whether the instance's volume is mounted at `/root`.
    pub mounted: bool,
}

/// A volume, as `getVolume` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// The machine the volume is attached to.
    pub attached_machine_id: Option<String>,
}

/// A volume `createVolume` made.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVolume {
    /// Its id.
    pub id: String,
    /// Its region.
    pub region: String,
}

/// The scripted replies, per operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Script {
    pub get_machine: VecDeque<Reply>,
    pub list_machines: VecDeque<Reply>,
    pub get_volume: VecDeque<Reply>,
    pub create_volume: VecDeque<Reply>,
    pub delete_machine: VecDeque<Reply>,
    pub delete_volume: VecDeque<Reply>,
    pub stop_machine: VecDeque<Reply>,
    pub update_machine: VecDeque<Reply>,
    pub wait_for_state: VecDeque<Reply>,
    pub mint_key: VecDeque<Reply>,
    pub push_key: VecDeque<Reply>,
    pub update_config: VecDeque<Reply>,
    pub start_machine: VecDeque<Reply>,
    pub create_machine: VecDeque<Reply>,
    pub restore_snapshot: VecDeque<Reply>,
}

impl Script {
    fn next(queue: &mut VecDeque<Reply>) -> Reply {
        queue.pop_front().unwrap_or_default()
    }

    fn outcome<T>(reply: &Reply, ok: impl FnOnce(&Reply) -> T) -> Outcome<T> {
        if reply.not_found {
            Outcome::NotFound
        } else if let Some(message) = &reply.error_object {
            Outcome::Failed(FlyError::Error(message.clone()))
        } else if reply.unserializable {
            Outcome::Failed(FlyError::Unserializable)
        } else if let Some(error) = &reply.error {
            Outcome::Failed(FlyError::Thrown(error.clone()))
        } else {
            Outcome::Ok(ok(reply))
        }
    }

    /// `GET /machines/{id}`: by default a started machine with its volume mounted.
    pub fn get_machine(&mut self) -> Outcome<Machine> {
        let reply = Self::next(&mut self.get_machine);
        Self::outcome(&reply, |r| Machine {
            state: r.state.clone().unwrap_or_else(|| "started".into()),
            mounted: r.mounted.unwrap_or(true),
        })
    }

    /// `GET /machines?metadata=...`: by default no machine.
    pub fn list_machines(&mut self) -> Outcome<Vec<ListedMachine>> {
        let reply = Self::next(&mut self.list_machines);
        Self::outcome(&reply, |r| r.machines.clone().unwrap_or_default())
    }

    /// `GET /volumes/{id}`: by default a volume attached to no machine.
    pub fn get_volume(&mut self) -> Outcome<Volume> {
        let reply = Self::next(&mut self.get_volume);
        Self::outcome(&reply, |r| Volume {
            attached_machine_id: r.attached_machine_id.clone(),
        })
    }

    /// `POST /volumes`: by default `vol2` in `iad`.
    pub fn create_volume(&mut self) -> Outcome<NewVolume> {
        let reply = Self::next(&mut self.create_volume);
        Self::outcome(&reply, |r| NewVolume {
            id: r.id.clone().unwrap_or_else(|| "vol2".into()),
            region: r.region.clone().unwrap_or_else(|| "iad".into()),
        })
    }

    /// `DELETE /machines/{id}`.
    pub fn delete_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.delete_machine), |_| ())
    }

    /// `DELETE /volumes/{id}`.
    pub fn delete_volume(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.delete_volume), |_| ())
    }

    /// `POST /machines/{id}/stop`, then waiting for `stopped`.
    pub fn stop_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.stop_machine), |_| ())
    }

    /// `POST /machines/{id}` (update, e.g. to add the mount).
    pub fn update_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.update_machine), |_| ())
    }

    /// `GET /machines/{id}/wait?state=started`.
    pub fn wait_for_state(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.wait_for_state), |_| ())
    }

    /// Minting a new API key: `Ok(false)` when the mint returned null.
    pub fn mint_key(&mut self) -> Outcome<bool> {
        Self::outcome(&Self::next(&mut self.mint_key), |r| {
            r.minted.unwrap_or(true)
        })
    }

    /// Pushing the key to the controller: `Ok(true)` when signaled.
    pub fn push_key(&mut self) -> Outcome<bool> {
        Self::outcome(&Self::next(&mut self.push_key), |r| {
            r.state.as_deref() != Some("unsignaled")
        })
    }

    /// Updating the machine's config with the key (reading the machine's config, then updating
    /// it, as one operation).
    pub fn update_config(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.update_config), |_| ())
    }

    /// `POST /machines/{id}/start`.
    pub fn start_machine(&mut self) -> Result<(), FlyApiError> {
        Self::api_call(&Self::next(&mut self.start_machine))
    }

    /// `POST /machines`: a new machine for the instance.
    pub fn create_machine(&mut self) -> Result<(), FlyApiError> {
        Self::api_call(&Self::next(&mut self.create_machine))
    }

    /// Restoring the instance's volume from its snapshot.
    pub fn restore_snapshot(&mut self) -> Result<(), FlyApiError> {
        Self::api_call(&Self::next(&mut self.restore_snapshot))
    }

    fn api_call(reply: &Reply) -> Result<(), FlyApiError> {
        match Self::outcome(reply, |_| ()) {
            Outcome::Ok(()) => Ok(()),
            Outcome::NotFound => Err(FlyApiError {
                status: Some(404),
                message: FlyError::not_found().to_string(),
                body: reply.body.clone().unwrap_or_default(),
            }),
            Outcome::Failed(error) => Err(FlyApiError {
                status: reply.status,
                message: error.to_string(),
                body: reply.body.clone().unwrap_or_default(),
            }),
        }
    }
}

/// A failed Fly API call: the HTTP status of an API error (none when the call itself failed),
/// the error's message and the response body.
#[derive(Debug, Clone, PartialEq)]
pub struct FlyApiError {
    /// The HTTP status, for an API error.
    pub status: Option<u16>,
    /// The error's message.
    pub message: String,
    /// The response body (empty without one).
    pub body: String,
}

/// What a start's capacity failure is, matched in this order against the lower-cased message,
/// a newline and the body.
const CAPACITY_SHORTAGES: &[(&str, &str)] = &[
    ("insufficient memory", "insufficient_memory"),
    ("no capacity", "no_capacity"),
    ("quota exceeded", "quota_exceeded"),
    ("insufficient resources", "insufficient_resources"),
];

impl FlyApiError {
    fn shortage(&self) -> Option<&'static str> {
        let text = format!("{}\n{}", self.message, self.body).to_lowercase();
        CAPACITY_SHORTAGES
            .iter()
            .find(|(needle, _)| text.contains(needle))
            .map(|(_, kind)| *kind)
    }

    /// Whether Fly said it lacks capacity (memory, capacity, quota or resources).
    pub fn is_capacity_shortage(&self) -> bool {
        self.status.is_some() && self.shortage().is_some()
    }

    /// The `instance.start_capacity_recovery` label: `fly_<status>_<shortage>` for an API error
    /// that names one, `fly_<status>_capacity_recovery` for another API error, and
    /// `fly_capacity_recovery` for any other failure.
    pub fn capacity_label(&self) -> String {
        match (self.status, self.shortage()) {
            (Some(status), Some(kind)) => format!("fly_{status}_{kind}"),
            (Some(status), None) => format!("fly_{status}_capacity_recovery"),
            (None, _) => "fly_capacity_recovery".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_replies_come_first_then_defaults() {
        let mut script: Script = serde_json::from_str(
            r#"{"getMachine":[{"state":"stopped"},{"notFound":true}],"deleteVolume":[{"error":"busy"}]}"#,
        )
        .unwrap();
        assert_eq!(
            script.get_machine(),
            Outcome::Ok(Machine {
                state: "stopped".into(),
                mounted: true
            })
        );
        assert_eq!(script.get_machine(), Outcome::NotFound);
        assert_eq!(
            script.get_machine(),
            Outcome::Ok(Machine {
                state: "started".into(),
                mounted: true
            })
        );
        assert_eq!(
            script.delete_volume(),
            Outcome::Failed(FlyError::message("busy"))
        );
        assert_eq!(script.delete_volume(), Outcome::Ok(()));
    }

    #[test]
    fn every_error_shape_is_scripted() {
        let mut script: Script = serde_json::from_str(
            r#"{"getVolume":[{"error":null},{"error":42},{"error":{"code":42}},{"errorObject":"x"},{"unserializable":true},{"attachedMachineId":"m9"}]}"#,
        )
        .unwrap();
        let shapes: Vec<_> = (0..6).map(|_| script.get_volume()).collect();
        assert_eq!(
            shapes,
            [
                Outcome::Failed(FlyError::Thrown(Value::Null)),
                Outcome::Failed(FlyError::Thrown(42.into())),
                Outcome::Failed(FlyError::Thrown(serde_json::json!({"code": 42}))),
                Outcome::Failed(FlyError::Error("x".into())),
                Outcome::Failed(FlyError::Unserializable),
                Outcome::Ok(Volume {
                    attached_machine_id: Some("m9".into())
                }),
            ]
        );
    }

    #[test]
    fn a_script_survives_its_round_trip_through_storage() {
        let text = r#"{"getVolume":[{"error":null},{"errorObject":"x"}],"listMachines":[{"machines":[{"id":"m2","state":"started","region":"ord","volume":"vol1","updatedAt":"2026-11-01T00:00:00Z"}]}]}"#;
        let script: Script = serde_json::from_str(text).unwrap();
        let again: Script = serde_json::from_str(&serde_json::to_string(&script).unwrap()).unwrap();
        assert_eq!(again, script);
        assert_eq!(
            again.get_volume[0].error,
            Some(Value::Null),
            "a thrown null stays a thrown null"
        );
    }

    #[test]
    fn each_shape_is_written_as_the_reference_writes_it() {
        let limit = TextLimit::Utf16Units(200);
        let cases = [
            (FlyError::message("busy"), "busy", r#""busy""#),
            (FlyError::Thrown(Value::Null), "null", "null"),
            (FlyError::Thrown(42.into()), "42", "42"),
            (FlyError::Thrown(true.into()), "true", "true"),
            (
                FlyError::Thrown(serde_json::json!({"code": 42})),
                r#"{"code":42}"#,
                r#"{"code":42}"#,
            ),
            (
                FlyError::Thrown(serde_json::json!([1, "a"])),
                r#"[1,"a"]"#,
                r#"[1,"a"]"#,
            ),
            (FlyError::Error("x".into()), "x", "{}"),
            (
                FlyError::Unserializable,
                "[unserializable error]",
                r#""[unserializable]""#,
            ),
        ];
        for (error, text, console) in cases {
            assert_eq!(error.error_text(limit).as_deref(), Some(text), "{error:?}");
            assert_eq!(
                error.console_value().unwrap().to_string(),
                console,
                "{error:?}"
            );
        }
    }

    #[test]
    fn capacity_labels_match_message_then_body_in_order() {
        let error = |status, message: &str, body: &str| FlyApiError {
            status,
            message: message.into(),
            body: body.into(),
        };
        let cases = [
            (
                error(Some(412), "Insufficient Memory", ""),
                "fly_412_insufficient_memory",
                true,
            ),
            (
                error(Some(409), "failed", "no capacity in iad"),
                "fly_409_no_capacity",
                true,
            ),
            // Both named: the earlier shortage in the list wins.
            (
                error(Some(422), "quota exceeded", "insufficient memory"),
                "fly_422_insufficient_memory",
                true,
            ),
            (
                error(Some(429), "x", "Insufficient resources"),
                "fly_429_insufficient_resources",
                true,
            ),
            (
                error(Some(500), "internal error", ""),
                "fly_500_capacity_recovery",
                false,
            ),
            (
                error(None, "no capacity", ""),
                "fly_capacity_recovery",
                false,
            ),
        ];
        for (error, label, shortage) in cases {
            assert_eq!(error.capacity_label(), label, "{error:?}");
            assert_eq!(error.is_capacity_shortage(), shortage, "{error:?}");
        }
    }
}
