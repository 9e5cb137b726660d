//! The restore queue's consumer (added after the reference's first version): each message asks
//! for one attempt at restoring a user's instance from its snapshot. Its events are written with
//! delivery `queue` and carry the user only.

use crate::app::instance;
use crate::events::RestoreQueueEvent;
use crate::instance::RestoreAttempt;
use serde::Deserialize;
use serde_json::json;
use tallymark::events;
use tallymark::Scope;
use worker::{event, Context, Env, MessageBatch, MessageExt, Result};

/// A restore attempt fails for good after this many.
const MAX_ATTEMPTS: u32 = 3;

/// A message of the restore queue.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreMessage {
    /// The user whose instance restores.
    pub user_id: String,
}

#[event(queue)]
async fn queue(batch: MessageBatch<RestoreMessage>, env: Env, _ctx: Context) -> Result<()> {
    Scope::from_env(&env)
        .run(async {
            for message in batch.messages()? {
                let retry = restore(&env, &message.body().user_id).await;
                if retry {
                    message.retry();
                } else {
                    message.ack();
                }
            }
            Ok(())
        })
        .await
}

/// Runs one attempt; `true` when the message goes back to the queue. The instance counts the
/// attempts: workers-rs gives a consumer no message's `attempts`.
async fn restore(env: &Env, user_id: &str) -> bool {
    let attempt = match instance(env, user_id, "/restore/run", json!({})).await {
        Ok(mut response) => response.json::<RestoreAttempt>().await,
        Err(error) => Err(error),
    };
    let attempt = match attempt {
        Ok(attempt) => attempt,
        Err(error) => RestoreAttempt {
            attempt: 0,
            error: Some(error.to_string()),
        },
    };
    events::emit(
        &RestoreQueueEvent::RestoreStarted {
            user_id: user_id.to_owned(),
            label: format!("attempt_{}", attempt.attempt),
            attempt: attempt.attempt,
        },
        &(),
    );
    let Some(error) = attempt.error else {
        return false;
    };
    if attempt.attempt >= MAX_ATTEMPTS {
        events::emit(
            &RestoreQueueEvent::RestoreFailed {
                user_id: user_id.to_owned(),
                label: "queue_retries_exhausted",
                error,
                attempts: attempt.attempt,
            },
            &(),
        );
        false
    } else {
        events::emit(
            &RestoreQueueEvent::RestoreRetryScheduled {
                user_id: user_id.to_owned(),
                error,
                attempts: attempt.attempt,
            },
            &(),
        );
        true
    }
}
