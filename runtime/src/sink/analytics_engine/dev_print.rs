//! `TALLYMARK_DEV_PRINT`: each point printed on the console too, for `wrangler dev`, whose
//! Analytics Engine binding discards points.
//!
//! Rules:
//! - the printing is compiled in only with the feature `dev-print`, so that a deployed Worker
//!   carries none of it (the JSON line, its number formatting, the fan-out);
//! - the variable asks for it when it is `1` or `true`;
//! - a Worker built without the feature whose variable asks for printing says once per isolate
//!   that it cannot, with the fix, rather than printing nothing silently;
//! - without the feature, the variable is read at the isolate's first scope only: a Worker's
//!   variables are the same for every invocation of an isolate, and reading one from `Env`
//!   costs each invocation a call into JavaScript and a string made there.

use super::AnalyticsEngineSink;
use crate::scope::Scope;
use worker::Env;

/// The variable that asks for the points on the console.
const DEV_PRINT: &str = "TALLYMARK_DEV_PRINT";

/// The scope [`Scope::from_env`] makes: points to `analytics`, and to the console too when `env`
/// asks for it (and the feature is on).
pub(super) fn scope(env: &Env, analytics: AnalyticsEngineSink) -> Scope {
    #[cfg(feature = "dev-print")]
    {
        if env_asks_for_printing(env) {
            return Scope::new(
                crate::sink::Fanout::new()
                    .with(analytics)
                    .with(printing::DevPrintSink),
            );
        }
    }
    #[cfg(not(feature = "dev-print"))]
    {
        if first_scope() && env_asks_for_printing(env) {
            crate::platform::console_warn(NO_FEATURE);
        }
    }
    Scope::new(analytics)
}

/// Whether `env`'s variable asks for printing.
fn env_asks_for_printing(env: &Env) -> bool {
    // Read from the object itself: `Env::var`'s error, dropped here, would link the drop of
    // every kind of `worker::Error` into this function (2.7 KB of code).
    worker::js_sys::Reflect::get(env, &DEV_PRINT.into())
        .ok()
        .and_then(|value| value.as_string())
        .is_some_and(|value| asks_for_printing(&value))
}

/// Whether a value of `TALLYMARK_DEV_PRINT` asks for printing.
fn asks_for_printing(value: &str) -> bool {
    matches!(value.trim(), "1" | "true")
}

/// The notice of a Worker built without the feature whose variable asks for printing.
#[cfg(not(feature = "dev-print"))]
const NO_FEATURE: &str = "tallymark: TALLYMARK_DEV_PRINT is set, but this Worker was built \
                          without tallymark's feature `dev-print`, so its points are not printed \
                          (add features = [\"dev-print\"] to its tallymark dependency)";

/// Whether this is the isolate's first scope (each later call answers `false`).
#[cfg(not(feature = "dev-print"))]
fn first_scope() -> bool {
    use std::sync::atomic::{AtomicBool, Ordering};
    static MADE: AtomicBool = AtomicBool::new(false);
    !MADE.swap(true, Ordering::Relaxed)
}

#[cfg(feature = "dev-print")]
mod printing {
    use crate::point::DataPoint;
    use crate::sink::{json_line, Sink, WriteError};

    /// Prints each point as `tallymark <dataset> <JSON fields>` on the console.
    pub(super) struct DevPrintSink;

    /// The line [`DevPrintSink`] prints.
    pub(super) fn line(point: &DataPoint<'_>) -> String {
        format!(
            "tallymark {} {}",
            point.schema().dataset(),
            json_line(point)
        )
    }

    impl Sink for DevPrintSink {
        fn write(&self, point: &DataPoint<'_>) -> Result<(), WriteError> {
            crate::platform::console_log(&line(point));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::asks_for_printing;

    #[test]
    fn the_values_that_ask_for_printing() {
        assert!(asks_for_printing("1") && asks_for_printing("true") && asks_for_printing(" 1\n"));
        assert!(!asks_for_printing("0") && !asks_for_printing("") && !asks_for_printing("yes"));
    }

    #[cfg(feature = "dev-print")]
    #[test]
    fn the_line_printed() {
        let mut point = crate::test_layout::probe("probe.logged", "a note");
        point.duration_ms(2.5);
        assert_eq!(
            super::printing::line(&point.seal()),
            "tallymark probes {\"event\":\"probe.logged\",\"note\":\"a note\",\"error\":\"\",\"duration_ms\":2.5}"
        );
    }

    #[cfg(not(feature = "dev-print"))]
    #[test]
    fn without_the_feature_the_variable_is_read_at_the_first_scope_only() {
        assert!(super::first_scope());
        assert!(!super::first_scope());
        assert!(super::NO_FEATURE.contains("features = [\"dev-print\"]"));
    }
}
