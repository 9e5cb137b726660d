//! A scriptable fake of the Fly.io API, so tests can drive every reconcile path.
//!
//! Each operation answers from a queue of scripted replies, then from its default. A script is
//! JSON, stored with the instance (see `POST /__fake/fly` in the example's README):
//!
//! ```json
//! { "getMachine": [{ "state": "stopped" }, { "notFound": true }],
//!   "deleteVolume": [{ "error": "volume busy" }] }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One scripted reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reply {
    /// The operation answers 404.
    pub not_found: bool,
    /// The operation fails with this message.
    pub error: Option<String>,
    /// A machine's state (`getMachine`), or a push's result (`pushKey`: `signaled`, `unsignaled`).
    pub state: Option<String>,
    /// `getMachine`: whether the machine has its volume mounted (default true).
    pub mounted: Option<bool>,
    /// `mintKey`: the key was minted (default true); false: the mint returned null.
    pub minted: Option<bool>,
}

/// What a Fly operation answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// It succeeded.
    Ok(T),
    /// 404.
    NotFound,
    /// Any other failure.
    Failed(String),
}

/// A machine, as `getMachine` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// `started`, `stopped`, `created`, `failed`, ...
    pub state: String,
    /// Whether the instance's volume is mounted at `/root`.
    pub mounted: bool,
}

/// The scripted replies, per operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Script {
    pub get_machine: VecDeque<Reply>,
    pub get_volume: VecDeque<Reply>,
    pub delete_machine: VecDeque<Reply>,
    pub delete_volume: VecDeque<Reply>,
    pub stop_machine: VecDeque<Reply>,
    pub update_machine: VecDeque<Reply>,
    pub mint_key: VecDeque<Reply>,
    pub push_key: VecDeque<Reply>,
    pub update_config: VecDeque<Reply>,
}

impl Script {
    fn next(queue: &mut VecDeque<Reply>) -> Reply {
        queue.pop_front().unwrap_or_default()
    }

    fn outcome<T>(reply: &Reply, ok: impl FnOnce(&Reply) -> T) -> Outcome<T> {
        if reply.not_found {
            Outcome::NotFound
        } else if let Some(error) = &reply.error {
            Outcome::Failed(error.clone())
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

    /// `GET /volumes/{id}`.
    pub fn get_volume(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.get_volume), |_| ())
    }

    /// `DELETE /machines/{id}`.
    pub fn delete_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.delete_machine), |_| ())
    }

    /// `DELETE /volumes/{id}`.
    pub fn delete_volume(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.delete_volume), |_| ())
    }

    /// `POST /machines/{id}/stop`.
    pub fn stop_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.stop_machine), |_| ())
    }

    /// `POST /machines/{id}` (update, e.g. to add the mount).
    pub fn update_machine(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.update_machine), |_| ())
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

    /// Updating the machine's config with the key.
    pub fn update_config(&mut self) -> Outcome<()> {
        Self::outcome(&Self::next(&mut self.update_config), |_| ())
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
        assert_eq!(script.delete_volume(), Outcome::Failed("busy".into()));
        assert_eq!(script.delete_volume(), Outcome::Ok(()));
    }
}
