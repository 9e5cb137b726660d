//! Collects every error of one macro invocation, so a single compile shows them all.

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Errors gathered while parsing and validating one item.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
    /// The options a did-you-mean has pointed an unknown key at ([`Errors::hint_for_key`]).
    suggested: Vec<String>,
}

impl Errors {
    /// Records an error at `tokens`' span.
    pub fn at(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an existing error.
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// What follows the message about an unknown option `key` ([`hint`]), remembering the option
    /// a did-you-mean suggests, so that its absence is not reported as well
    /// ([`Errors::suggested`]): a misspelled option is one mistake, and gives one error.
    pub fn hint_for_key(
        &mut self,
        key: &str,
        known: &[&str],
        otherwise: impl FnOnce() -> String,
    ) -> String {
        if let Some(option) = closest(key, known) {
            self.suggested.push(option.to_owned());
        }
        hint(key, known, otherwise)
    }

    /// Whether a did-you-mean has pointed an unknown key at `option`: then a missing `option` is
    /// that mistake, already reported.
    pub fn suggested(&self, option: &str) -> bool {
        self.suggested.iter().any(|suggested| suggested == option)
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every error as `compile_error!` invocations.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.errors
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}

/// The Levenshtein distance between two short words (for "did you mean" hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2 && *distance < candidate.len())
        .min()
        .map(|(_, candidate)| candidate)
}

/// `; did you mean `x`?` when there is a close candidate, else nothing.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// What follows the message about an unknown `word`: [`did_you_mean`] when a candidate is close,
/// else `otherwise` (for example [`one_of`]).
pub fn hint(word: &str, candidates: &[&str], otherwise: impl FnOnce() -> String) -> String {
    match did_you_mean(word, candidates) {
        hint if hint.is_empty() => otherwise(),
        hint => hint,
    }
}

/// `; expected one of `a`, `b``.
pub fn one_of(candidates: &[&str]) -> String {
    format!("; expected one of {}", quoted(candidates))
}

/// `` `a`, `b` ``.
pub fn quoted(candidates: &[&str]) -> String {
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    quoted.join(", ")
}
