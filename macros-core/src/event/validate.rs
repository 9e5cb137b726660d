//! `#[derive(Event)]` checks, after parsing: where each field goes, and that no layout field is
//! filled twice. Each mistake is reported at its token; the event still expands.

use super::parse::{DetailField, EventType};
use crate::errors::Errors;
use syn::ext::IdentExt as _;
use syn::Ident;

/// The layout field an `error_text` detail fills.
const ERROR_FIELD: &str = "error";

impl DetailField {
    /// The layout field this detail fills, if any, with the token naming it: `to = field`, or
    /// `error` for an `error_text` detail.
    pub fn target(&self) -> Option<(String, &Ident)> {
        match (&self.to, &self.error_text) {
            (Some(to), _) => Some((to.unraw().to_string(), to)),
            (None, Some(marker)) => Some((ERROR_FIELD.to_owned(), marker)),
            (None, None) => None,
        }
    }
}

/// Every field goes somewhere: to the line (an event type that is not `point_only`), to the point
/// (`to = field`, `error_text`), or explicitly nowhere (`skip`, which goes with nothing else).
pub fn check_destinations(parsed: &EventType, errors: &mut Errors) {
    for event in &parsed.events {
        if parsed.point_only && event.line_only {
            errors.at(
                &event.ident,
                "a `line_only` event cannot be in a `point_only` type: its events have no line",
            );
        }
        for field in &event.fields {
            match (&field.skip, field.target()) {
                (Some(skip), Some(_)) => errors.at(
                    skip,
                    "`skip` leaves the field out of the line and the point: remove it, or its mapping",
                ),
                (None, None) if parsed.point_only => errors.at(
                    &field.ident,
                    format!(
                        "`{}` goes nowhere: events of a `point_only` type have no console line, and \
                         it is not mapped onto the layout; map it with `#[tallymark(to = field)]`, \
                         or mark it `#[tallymark(skip)]`",
                        field.ident
                    ),
                ),
                _ => {}
            }
        }
    }
}

/// Two fields of one event (or a field and a constant) may not fill the same layout field.
pub fn check_targets(parsed: &EventType, errors: &mut Errors) {
    for event in &parsed.events {
        let mut seen: Vec<(String, String)> = parsed
            .constants
            .iter()
            .map(|(to, _)| (to.unraw().to_string(), format!("`fields({to} = ...)`")))
            .collect();
        let mut error_texts = 0;
        for field in &event.fields {
            let target = field.target();
            if field.error_text.is_some() {
                error_texts += 1;
                if error_texts > 1 {
                    errors.at(&field.ident, "an event has at most one `error_text` detail");
                }
                if let Some(to) = &field.to {
                    errors.at(
                        to,
                        "an `error_text` detail fills `error`; remove `to = ...`",
                    );
                }
            }
            if let Some((name, span_at)) = target {
                if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                    errors.at(
                        span_at,
                        format!("layout field `{name}` is already filled by {first}"),
                    );
                } else {
                    seen.push((name, format!("the field `{}`", field.ident)));
                }
            }
        }
    }
}
