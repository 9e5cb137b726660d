//! `#[tallymark(...)]`, the one helper attribute of tallymark's derives (as serde has
//! `#[serde(...)]`): its options, checked with every error collected.

use crate::errors::{one_of, Errors};
use syn::Attribute;

/// Calls `handle` with each option of the `#[tallymark(...)]` attributes in `attrs`, after
/// rejecting (with a hint) any key not in `known`; every error is collected. `what` names the
/// kind of option in messages (`event`, `variant`, `field`, ...).
pub fn each_option(
    attrs: &[Attribute],
    known: &[&str],
    what: &str,
    errors: &mut Errors,
    mut handle: impl FnMut(&str, syn::meta::ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("tallymark")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if !known.contains(&key.as_str()) {
                let hint = errors.hint_for_key(&key, known, || one_of(known));
                return Err(meta.error(format!("unknown {what} option `{key}`{hint}")));
            }
            handle(&key, meta)
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
}
