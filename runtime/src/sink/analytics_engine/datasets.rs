//! The isolate's Analytics Engine datasets, looked up in an `Env` by binding name.
//!
//! Rules:
//! - a binding is looked up once per env object and name, and remembered, found or not: a
//!   Worker's `env` is the same object from one invocation to the next, and a lookup costs each
//!   invocation that writes a point a JavaScript string for the name and a `Reflect.get`;
//! - an env object is recognised by identity (`===`), never by its contents, so another env
//!   (another Worker's test, another object made by hand) gets lookups of its own;
//! - at most [`REMEMBERED`] lookups are kept, the oldest forgotten first: an isolate that makes a
//!   new env object for each invocation looks each one up anew, as it would without them;
//! - what the invocation's sink announces (a missing binding, a failed write) does not depend on
//!   them: each sink still announces once for itself.

use std::cell::RefCell;
use worker::wasm_bindgen::JsValue;
use worker::{AnalyticsEngineDataset, Env};

/// How many lookups an isolate keeps: a few bindings, in the one env of a Worker, in practice.
pub(super) const REMEMBERED: usize = 16;

/// One lookup: the dataset bound to `name` in `env`, or `None` when the env has no such binding.
struct Lookup {
    env: Env,
    name: &'static str,
    dataset: Option<AnalyticsEngineDataset>,
}

thread_local! {
    static LOOKUPS: RefCell<Vec<Lookup>> = const { RefCell::new(Vec::new()) };
}

/// The dataset bound to `name` in `env`, or `None` when `env` has no such binding: remembered
/// from an earlier lookup in the same env object when there was one.
pub(super) fn dataset(env: &Env, name: &'static str) -> Option<AnalyticsEngineDataset> {
    LOOKUPS.with(|lookups| {
        // A lookup runs no code of the module's, so the list is never borrowed twice; were it,
        // the binding is looked up without it.
        let Ok(mut lookups) = lookups.try_borrow_mut() else {
            return env.analytics_engine(name).ok();
        };
        let remembered = lookups
            .iter()
            .find(|lookup| lookup.name == name && same_object(&lookup.env, env));
        if let Some(lookup) = remembered {
            return lookup.dataset.clone();
        }
        let dataset = env.analytics_engine(name).ok();
        if lookups.len() == REMEMBERED {
            lookups.remove(0);
        }
        lookups.push(Lookup {
            env: env.clone(),
            name,
            dataset: dataset.clone(),
        });
        dataset
    })
}

/// Whether `a` and `b` are the same JavaScript object (`===`).
fn same_object(a: &Env, b: &Env) -> bool {
    AsRef::<JsValue>::as_ref(a) == AsRef::<JsValue>::as_ref(b)
}
