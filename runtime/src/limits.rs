//! Analytics Engine's limits, and the deterministic policy that keeps every point inside them.
//!
//! The runtime (workerd locally, production alike) drops or throws on a point that breaks a limit,
//! so tallymark clamps every point before any sink sees it:
//!
//! * **Index**: at most [`MAX_INDEX_BYTES`] bytes; a longer index is cut on a UTF-8 character
//!   boundary (bytes: at the limit).
//! * **Blobs**: at most [`MAX_BLOB_BYTES_TOTAL`] bytes in all. When a point has more, the *longest*
//!   blobs give way first: a common cap `c` is chosen, the largest for which the blobs, each cut to
//!   `c` bytes, fit; every blob longer than `c` is cut to `c` (text on a character boundary, so a
//!   cut blob may end up a few bytes shorter). Short dimensions (ids, names, statuses) therefore
//!   survive intact while one huge error text or label is shortened. No marker is appended: the
//!   point keeps every byte it can, and [`Clamped::truncated_fields`] counts what was cut.
//! * **Doubles**: Analytics Engine stores IEEE doubles, but JSON (console lines, the local capture)
//!   has no NaN or infinity. `NaN` is written as `0`, `+∞` as `f64::MAX` and `-∞` as `f64::MIN`;
//!   [`Clamped::non_finite_doubles`] counts them.
//! * **Points per invocation**: [`MAX_POINTS_PER_INVOCATION`]; past it a [`crate::Scope`] drops
//!   points and counts them ([`crate::Stats::dropped_over_limit`]).
//!
//! The 20-blob and 20-double limits are enforced at compile time by `#[tallymark::layout]`.

use crate::value::Blob;
use std::borrow::Cow;

/// Most blobs one point may carry.
pub const MAX_BLOBS: usize = 20;
/// Most doubles one point may carry.
pub const MAX_DOUBLES: usize = 20;
/// Most bytes the index may hold.
pub const MAX_INDEX_BYTES: usize = 96;
/// Most bytes all blobs of one point may hold together (workerd's constant).
pub const MAX_BLOB_BYTES_TOTAL: usize = 16_000;
/// Most points one invocation may write.
pub const MAX_POINTS_PER_INVOCATION: u32 = 250;

/// What clamping changed in one point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clamped {
    /// How many blobs (and the index) were cut.
    pub truncated_fields: u32,
    /// How many doubles were NaN or infinite.
    pub non_finite_doubles: u32,
}

impl Clamped {
    /// Whether the point was written exactly as given.
    pub fn is_unchanged(&self) -> bool {
        *self == Clamped::default()
    }
}

/// The longest prefix of `text` that has at most `max` bytes and ends on a character boundary.
pub fn truncate_str(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Cuts `blob` to at most `max` bytes; text is cut on a UTF-8 character boundary. Returns whether
/// anything was cut. Never allocates.
pub fn truncate_blob(blob: &mut Blob<'_>, max: usize) -> bool {
    if blob.len() <= max {
        return false;
    }
    match blob {
        Blob::Unset => {}
        Blob::Text(Cow::Borrowed(text)) => *text = truncate_str(text, max),
        Blob::Text(Cow::Owned(text)) => {
            let keep = truncate_str(text, max).len();
            text.truncate(keep);
        }
        Blob::Bytes(Cow::Borrowed(bytes)) => *bytes = &bytes[..max],
        Blob::Bytes(Cow::Owned(bytes)) => bytes.truncate(max),
    }
    true
}

/// Clamps the index to [`MAX_INDEX_BYTES`]. Returns whether it was cut.
pub fn clamp_index(index: &mut Blob<'_>) -> bool {
    truncate_blob(index, MAX_INDEX_BYTES)
}

/// Clamps blobs to [`MAX_BLOB_BYTES_TOTAL`] by the longest-first policy. Returns how many were cut.
/// Allocates nothing.
pub fn clamp_blobs(blobs: &mut [Blob<'_>]) -> u32 {
    let total: usize = blobs.iter().map(Blob::len).sum();
    if total <= MAX_BLOB_BYTES_TOTAL {
        return 0;
    }
    let cap = common_cap(blobs);
    blobs
        .iter_mut()
        .map(|blob| u32::from(truncate_blob(blob, cap)))
        .sum()
}

/// The largest `c` with `sum(min(len_i, c)) <= MAX_BLOB_BYTES_TOTAL` (`usize::MAX` when every
/// blob fits whole), for any number of blobs: found by bisection, since the sum grows with `c`.
fn common_cap(blobs: &[Blob<'_>]) -> usize {
    let fits = |cap: usize| {
        blobs.iter().map(|blob| blob.len().min(cap)).sum::<usize>() <= MAX_BLOB_BYTES_TOTAL
    };
    let longest = blobs.iter().map(Blob::len).max().unwrap_or(0);
    if fits(longest) {
        return usize::MAX;
    }
    // Throughout: `low` fits, `high` does not.
    let (mut low, mut high) = (0, longest);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if fits(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

/// Applies the non-finite rule to one double. Returns the value to write and whether it changed.
pub fn clamp_double(value: f64) -> (f64, bool) {
    if value.is_finite() {
        (value, false)
    } else if value.is_nan() {
        (0.0, true)
    } else if value == f64::INFINITY {
        (f64::MAX, true)
    } else {
        (f64::MIN, true)
    }
}

/// Applies the non-finite rule to every double in place. Returns how many it changed.
pub fn clamp_doubles(doubles: &mut [f64]) -> u32 {
    let mut changed = 0;
    for double in doubles {
        let (value, was_changed) = clamp_double(*double);
        *double = value;
        changed += u32::from(was_changed);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Blob<'_> {
        Blob::Text(Cow::Borrowed(s))
    }

    #[test]
    fn truncate_str_never_splits_a_character() {
        assert_eq!(truncate_str("héllo", 2), "h");
        assert_eq!(truncate_str("héllo", 3), "hé");
        assert_eq!(truncate_str("abc", 10), "abc");
        assert_eq!(truncate_str("€", 2), "");
    }

    #[test]
    fn index_is_cut_to_96_bytes_on_a_boundary() {
        let long = format!("{}é", "a".repeat(95));
        let mut index = text(&long);
        assert!(clamp_index(&mut index));
        assert_eq!(index.as_str(), Some("a".repeat(95).as_str()));
    }

    #[test]
    fn longest_blobs_give_way_first() {
        let big = "x".repeat(20_000);
        let medium = "y".repeat(9_000);
        let mut blobs = [text("user-1"), text(&big), text(&medium), Blob::Unset];
        assert_eq!(clamp_blobs(&mut blobs), 2);
        assert_eq!(blobs[0].as_str(), Some("user-1"));
        // 16_000 - 6 bytes shared by two long blobs: 7_997 each.
        assert_eq!(blobs[1].len(), 7_997);
        assert_eq!(blobs[2].len(), 7_997);
        assert!(blobs.iter().map(Blob::len).sum::<usize>() <= MAX_BLOB_BYTES_TOTAL);
    }

    #[test]
    fn a_short_blob_survives_when_one_long_blob_is_cut() {
        let big = "z".repeat(17_000);
        let mut blobs = [text(&big), text("running")];
        assert_eq!(clamp_blobs(&mut blobs), 1);
        assert_eq!(blobs[0].len(), 16_000 - 7);
        assert_eq!(blobs[1].as_str(), Some("running"));
    }

    /// Found by the `data_point` fuzz target: the cap was computed from the first 20 blobs only
    /// (a layout's most), so `clamp_blobs` on more left them over the limit (32,000 bytes).
    #[test]
    fn more_blobs_than_a_layout_has_are_clamped_too() {
        let long = "w".repeat(1_000);
        let mut blobs: Vec<Blob<'_>> = (0..32).map(|_| text(&long)).collect();
        assert_eq!(clamp_blobs(&mut blobs), 32);
        assert!(blobs.iter().all(|blob| blob.len() == 500));
    }

    #[test]
    fn points_within_limits_are_untouched() {
        let mut blobs = [text("a"), text("b")];
        let mut doubles = [1.5, 0.0];
        let clamped = Clamped {
            truncated_fields: clamp_blobs(&mut blobs),
            non_finite_doubles: clamp_doubles(&mut doubles),
        };
        assert!(clamped.is_unchanged());
        assert_eq!(doubles, [1.5, 0.0]);
    }

    #[test]
    fn non_finite_doubles_follow_the_rule() {
        let mut doubles = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.5];
        assert_eq!(clamp_doubles(&mut doubles), 3);
        assert_eq!(doubles, [0.0, f64::MAX, f64::MIN, -0.5]);
    }
}
