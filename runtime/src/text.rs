//! How long an error text may be, and in which unit it is counted.
//!
//! A layout sets its limit with `#[layout(.., error_text = chars(200))]`; the default is
//! [`TextLimit::DEFAULT_ERROR`]. Every unit cuts on a character boundary, so a cut text is always
//! valid UTF-8 and never ends in half a character (nor half a UTF-16 surrogate pair).

use std::fmt::Display;

/// A length limit on text, with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLimit {
    /// At most this many Unicode scalar values (Rust `char`s).
    Chars(usize),
    /// At most this many UTF-16 code units, the unit of JavaScript's `String.length` and
    /// `slice`: a character outside the Basic Multilingual Plane (an emoji) counts as two.
    Utf16Units(usize),
    /// At most this many bytes of UTF-8.
    Bytes(usize),
    /// No limit beyond Analytics Engine's own (see [`crate::limits`]).
    Unlimited,
}

impl TextLimit {
    /// The limit of an error text when a layout sets none: 200 characters, enough for a message
    /// and short enough to leave the rest of a point's 16,000 bytes to the other fields.
    pub const DEFAULT_ERROR: TextLimit = TextLimit::Chars(200);

    /// The longest prefix of `text` within this limit.
    ///
    /// ```
    /// use tallymark::TextLimit;
    /// assert_eq!(TextLimit::Chars(2).cut("éèê"), "éè");
    /// assert_eq!(TextLimit::Utf16Units(3).cut("😀😀"), "😀");
    /// assert_eq!(TextLimit::Bytes(3).cut("éè"), "é");
    /// assert_eq!(TextLimit::Unlimited.cut("all"), "all");
    /// ```
    pub fn cut(self, text: &str) -> &str {
        let (max, units): (usize, fn(char) -> usize) = match self {
            TextLimit::Chars(max) => (max, |_| 1),
            TextLimit::Utf16Units(max) => (max, char::len_utf16),
            TextLimit::Bytes(max) => (max, char::len_utf8),
            TextLimit::Unlimited => return text,
        };
        let mut used = 0;
        for (at, c) in text.char_indices() {
            used += units(c);
            if used > max {
                return &text[..at];
            }
        }
        text
    }

    /// `text` as an owned string, cut to this limit.
    pub fn cut_owned(self, mut text: String) -> String {
        let keep = self.cut(&text).len();
        text.truncate(keep);
        text
    }
}

/// An error's message (its `Display`), cut to `limit`.
pub(crate) fn error_message(error: &dyn Display, limit: TextLimit) -> String {
    limit.cut_owned(error.to_string())
}

/// The `Debug` text of an error that has no message, cut to `limit`.
pub(crate) fn error_debug(error: &dyn std::fmt::Debug, limit: TextLimit) -> String {
    limit.cut_owned(format!("{error:?}"))
}

#[cfg(test)]
mod tests {
    use super::TextLimit;

    #[test]
    fn each_unit_counts_what_it_says() {
        let emoji = "😀".repeat(150);
        assert_eq!(TextLimit::Chars(200).cut(&emoji).chars().count(), 150);
        assert_eq!(TextLimit::Utf16Units(200).cut(&emoji).chars().count(), 100);
        assert_eq!(TextLimit::Bytes(200).cut(&emoji).len(), 200);
        assert_eq!(TextLimit::Chars(200).cut(&"x".repeat(250)).len(), 200);
    }

    #[test]
    fn a_surrogate_pair_is_never_split() {
        // 3 units: "a" (1) and "😀" (2) fit, the next emoji would need units 4 and 5.
        assert_eq!(TextLimit::Utf16Units(4).cut("a😀😀"), "a😀");
        assert_eq!(TextLimit::Utf16Units(1).cut("😀"), "");
    }

    #[test]
    fn bytes_are_cut_on_a_character_boundary() {
        assert_eq!(TextLimit::Bytes(2).cut("héllo"), "h");
        assert_eq!(TextLimit::Bytes(3).cut("héllo"), "hé");
        assert_eq!(TextLimit::Bytes(2).cut("€"), "");
    }

    #[test]
    fn text_within_the_limit_is_unchanged() {
        for limit in [
            TextLimit::Chars(3),
            TextLimit::Utf16Units(3),
            TextLimit::Bytes(3),
            TextLimit::Unlimited,
        ] {
            assert_eq!(limit.cut("abc"), "abc");
            assert_eq!(limit.cut(""), "");
            assert_eq!(limit.cut_owned("abc".to_owned()), "abc");
        }
    }
}
