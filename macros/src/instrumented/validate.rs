//! What `#[instrumented]` requires of its arguments and of the function it wraps.

use super::parse::InstrumentedArgs;
use crate::errors::Errors;
use syn::ItemFn;

/// The event name the call writes: given, or derived from the route at compile time.
pub fn event_name(args: &InstrumentedArgs, errors: &mut Errors) -> Option<String> {
    if let Some(route) = &args.route {
        let text = route.value();
        let (method, path) = tallymark_names::split_route(&text);
        let method_ok = !method.is_empty() && method.chars().all(|c| c.is_ascii_alphabetic());
        if !method_ok || !path.starts_with('/') {
            errors.at(
                route,
                format!(
                    "route `{text}` is not `<METHOD> /<path>`, like \"GET /api/kiloclaw/status\""
                ),
            );
            return None;
        }
        if args.event.is_none() {
            return Some(tallymark_names::http_event_name(method, path));
        }
    }
    match &args.event {
        Some(event) if event.value().is_empty() => {
            errors.at(event, "the event name cannot be empty");
            None
        }
        Some(event) => Some(event.value()),
        None => {
            errors.push(syn::Error::new(
                proc_macro2::Span::call_site(),
                "name the call: give `route = \"<METHOD> /<path>\"` or `event = \"...\"`",
            ));
            None
        }
    }
}

/// The function must be one whose calls can be timed.
pub fn check_function(item: &ItemFn, errors: &mut Errors) {
    if let Some(constness) = &item.sig.constness {
        errors.at(
            constness,
            "a `const fn` cannot be instrumented: it may run at compile time",
        );
    }
}
