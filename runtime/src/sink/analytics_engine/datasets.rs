//! The isolate's Analytics Engine datasets, found in an `Env` by binding name.
//!
//! Rules:
//! - a binding found in an env object is remembered, by that object and its name: a Worker's
//!   `env` is the same object from one invocation to the next, and a lookup costs each
//!   invocation that writes a point a JavaScript string for the name and a `Reflect.get`;
//! - a binding not found is not remembered: it is looked up again by the next invocation (a
//!   misconfigured Worker pays the lookup; a binding added to the env later is found);
//! - an env object is recognised by identity (`===`), never by its contents, so another env
//!   (another Worker's test, another object made by hand) gets lookups of its own; a binding
//!   replaced on the same object after it was found is not seen (workers-rs's `Env` has no
//!   setter; JavaScript that swaps a binding in place would need a new env object);
//! - at most [`REMEMBERED`] are kept, the oldest forgotten first, and the newest is checked first:
//!   an isolate that makes a new env object for each invocation still finds its binding, at the
//!   cost of a lookup and of comparing with those kept, and keeps at most that many env objects
//!   alive;
//! - what the invocation's sink announces (a missing binding, a failed write) does not depend on
//!   them: each sink still announces once for itself.

use std::cell::RefCell;
use worker::wasm_bindgen::JsValue;
use worker::{AnalyticsEngineDataset, Env};

/// How many found bindings an isolate keeps: a few, in the one env of a Worker, in practice.
const REMEMBERED: usize = 16;

/// A binding found: the dataset bound to `name` in `env`.
struct Found {
    env: Env,
    name: &'static str,
    dataset: AnalyticsEngineDataset,
}

thread_local! {
    static FOUND: RefCell<Vec<Found>> = const { RefCell::new(Vec::new()) };
}

/// The dataset bound to `name` in `env`, or `None` when `env` has no such binding: remembered
/// from an earlier lookup in the same env object when one found it.
pub(super) fn dataset(env: &Env, name: &'static str) -> Option<AnalyticsEngineDataset> {
    FOUND.with(|found| {
        // A getter or Proxy on `env` may call back into the module during a lookup; were the list
        // borrowed then, the binding is looked up without it.
        let Ok(mut found) = found.try_borrow_mut() else {
            return env.analytics_engine(name).ok();
        };
        let remembered = found
            .iter()
            .rev()
            .find(|found| found.name == name && same_object(&found.env, env));
        if let Some(found) = remembered {
            return Some(found.dataset.clone());
        }
        let dataset = env.analytics_engine(name).ok()?;
        if found.len() == REMEMBERED {
            found.remove(0);
        }
        found.push(Found {
            env: env.clone(),
            name,
            dataset: dataset.clone(),
        });
        Some(dataset)
    })
}

/// Whether `a` and `b` are the same JavaScript object (`===`).
fn same_object(a: &Env, b: &Env) -> bool {
    AsRef::<JsValue>::as_ref(a) == AsRef::<JsValue>::as_ref(b)
}
