//! A point laid out for one call across the JavaScript boundary.
//!
//! Each string that crosses from wasm to JavaScript on its own is decoded on its own (a
//! `TextDecoder` call), and each array element set from wasm is a call of its own. A point instead
//! crosses whole, in one call that passes only numbers: where the wire's buffers are in the
//! module's memory, which the JavaScript side (`crate::js::write_data_point`) reads through views
//! it keeps between calls. It decodes the texts of the point that changed in one `TextDecoder`
//! call, slices the values back out, and calls `writeDataPoint`.
//!
//! Rules:
//! * Values are in order: the index first, then `blob1..blobN`.
//! * A value is [`TEXT`], [`BYTES`] or [`SAME`]: a text equal to the text at the same position in
//!   the point laid out before, which the JavaScript side kept ([`Wire::forget`] says when it
//!   cannot be relied on). A point whose texts all repeat the one before decodes nothing.
//! * `text` holds the [`TEXT`] values one after another, `bytes` the [`BYTES`] values; a value's
//!   end is cumulative within its own buffer, in UTF-16 code units for text (the unit JavaScript
//!   strings are sliced in), in bytes for bytes. A [`SAME`] value's end is its buffer's end so far.
//! * An unset blob is an empty text (Analytics Engine reads a missing blob as `''`).
//! * The buffers are kept between points, so a sink writing many points allocates only while a
//!   point is larger than every one before it.

use crate::value::Blob;
use std::ops::Range;

/// The kind of a text value to decode ([`Wire::kinds`]).
pub(crate) const TEXT: u8 = 0;
/// The kind of a byte value ([`Wire::kinds`]).
pub(crate) const BYTES: u8 = 1;
/// The kind of a text equal to the last point's at the same position ([`Wire::kinds`]).
pub(crate) const SAME: u8 = 2;

/// One point's index and blobs, as the JavaScript side reads them back.
#[derive(Debug, Default)]
pub(crate) struct Wire {
    /// The [`TEXT`] values, one after another.
    pub text: String,
    /// The [`BYTES`] values, one after another.
    pub bytes: Vec<u8>,
    /// Each value's kind: [`TEXT`], [`BYTES`] or [`SAME`].
    pub kinds: Vec<u8>,
    /// Each value's end in its buffer: UTF-16 code units of `text`, or bytes of `bytes`.
    pub ends: Vec<u32>,
    /// The UTF-16 length of `text` so far.
    text_units: u32,
    /// Every text of this point, [`SAME`] ones included, one after another; and each value's
    /// range in it (`None` for a byte value). What the next point is compared with.
    texts: String,
    spans: Vec<Option<Range<usize>>>,
    /// The same, for the point laid out before.
    previous_texts: String,
    previous_spans: Vec<Option<Range<usize>>>,
}

impl Wire {
    /// Lays out `index` and `blobs`, replacing the point laid out before; a text equal to the
    /// last point's at its position is [`SAME`].
    pub fn fill(&mut self, index: &str, blobs: &[Blob<'_>]) {
        std::mem::swap(&mut self.texts, &mut self.previous_texts);
        std::mem::swap(&mut self.spans, &mut self.previous_spans);
        self.texts.clear();
        self.spans.clear();
        self.text.clear();
        self.bytes.clear();
        self.kinds.clear();
        self.ends.clear();
        self.text_units = 0;
        self.push_text(index);
        for blob in blobs {
            match blob {
                Blob::Unset => self.push_text(""),
                Blob::Text(text) => self.push_text(text),
                Blob::Bytes(bytes) => self.push_bytes(bytes),
            }
        }
    }

    /// The JavaScript side's texts cannot be relied on (its call failed): the next point sends
    /// every text.
    pub fn forget(&mut self) {
        self.texts.clear();
        self.spans.clear();
    }

    fn push_text(&mut self, text: &str) {
        let position = self.spans.len();
        let start = self.texts.len();
        self.texts.push_str(text);
        self.spans.push(Some(start..self.texts.len()));
        let same = self
            .previous_spans
            .get(position)
            .and_then(Option::as_ref)
            .is_some_and(|span| self.previous_texts.get(span.clone()) == Some(text));
        if same {
            self.kinds.push(SAME);
        } else {
            self.text.push_str(text);
            self.text_units += utf16_len(text);
            self.kinds.push(TEXT);
        }
        self.ends.push(self.text_units);
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        self.spans.push(None);
        self.bytes.extend_from_slice(bytes);
        self.kinds.push(BYTES);
        self.ends.push(len_u32(self.bytes.len()));
    }
}

/// The length of `text` in UTF-16 code units.
fn utf16_len(text: &str) -> u32 {
    if text.is_ascii() {
        len_u32(text.len())
    } else {
        len_u32(text.encode_utf16().count())
    }
}

/// A point's values are within Analytics Engine's limits (16 KB of blobs, 96 bytes of index)
/// before they are laid out, so every length fits in `u32`.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{Wire, BYTES, SAME, TEXT};
    use crate::value::Blob;
    use std::borrow::Cow;

    /// What the JavaScript side does: each value sliced out of its buffer by its end, text in
    /// UTF-16 code units as `String.prototype.slice` does, a [`SAME`] text taken from `kept`, the
    /// texts it kept from earlier points (updated as the JavaScript side updates it).
    fn read_back(wire: &Wire, kept: &mut Vec<String>) -> Vec<Result<String, Vec<u8>>> {
        let units: Vec<u16> = wire.text.encode_utf16().collect();
        let (mut text_start, mut bytes_start) = (0, 0);
        let mut values = Vec::new();
        for (position, (&kind, &end)) in wire.kinds.iter().zip(&wire.ends).enumerate() {
            let end = end as usize;
            if kept.len() <= position {
                kept.resize(position + 1, String::new());
            }
            match kind {
                TEXT => {
                    let text = String::from_utf16(&units[text_start..end]).unwrap();
                    kept[position].clone_from(&text);
                    values.push(Ok(text));
                    text_start = end;
                }
                SAME => values.push(Ok(kept[position].clone())),
                _ => {
                    assert_eq!(kind, BYTES);
                    values.push(Err(wire.bytes[bytes_start..end].to_vec()));
                    bytes_start = end;
                }
            }
        }
        values
    }

    fn text(value: &str) -> Result<String, Vec<u8>> {
        Ok(value.to_owned())
    }

    #[test]
    fn every_value_reads_back_whole_in_order() {
        let blobs = [
            Blob::Text(Cow::Borrowed("status.get")),
            Blob::Unset,
            Blob::Text(Cow::Borrowed("é, ✓ and 🦀")),
            Blob::Bytes(Cow::Borrowed(&[0xFF, 0x00, 0x80])),
            Blob::Text(Cow::Borrowed("")),
            Blob::Bytes(Cow::Borrowed(&[])),
            Blob::Text(Cow::Owned("last".to_owned())),
        ];
        let mut wire = Wire::default();
        wire.fill("user-🦀", &blobs);
        assert_eq!(
            read_back(&wire, &mut Vec::new()),
            [
                text("user-🦀"),
                text("status.get"),
                text(""),
                text("é, ✓ and 🦀"),
                Err(vec![0xFF, 0x00, 0x80]),
                text(""),
                Err(vec![]),
                text("last"),
            ]
        );
        // The crab is two UTF-16 code units; `é` and `✓` one each.
        assert_eq!(wire.ends, [7, 17, 17, 28, 3, 28, 3, 32]);
    }

    #[test]
    fn a_text_repeated_at_its_position_is_sent_once() {
        let mut wire = Wire::default();
        let mut kept = Vec::new();
        let blobs = |event: &'static str, user: &'static str| {
            [
                Blob::Text(Cow::Borrowed(event)),
                Blob::Text(Cow::Borrowed(user)),
                Blob::Unset,
            ]
        };
        wire.fill("u1", &blobs("item", "u1"));
        assert_eq!(wire.kinds, [TEXT, TEXT, TEXT, TEXT]);
        read_back(&wire, &mut kept);

        wire.fill("u1", &blobs("item", "u1"));
        assert_eq!(wire.kinds, [SAME, SAME, SAME, SAME]);
        assert_eq!(wire.text, "", "nothing to decode");
        assert_eq!(
            read_back(&wire, &mut kept),
            [text("u1"), text("item"), text("u1"), text("")]
        );

        // Equal text at another position is not the same value.
        wire.fill("u1", &blobs("u1", "item"));
        assert_eq!(wire.kinds, [SAME, TEXT, TEXT, SAME]);
        assert_eq!(
            (wire.text.as_str(), wire.ends.as_slice()),
            ("u1item", &[0, 2, 6, 6][..])
        );
        assert_eq!(
            read_back(&wire, &mut kept),
            [text("u1"), text("u1"), text("item"), text("")]
        );
    }

    #[test]
    fn after_forget_every_text_is_sent_again() {
        let mut wire = Wire::default();
        wire.fill("u1", &[Blob::Text(Cow::Borrowed("item"))]);
        wire.forget();
        wire.fill("u1", &[Blob::Text(Cow::Borrowed("item"))]);
        assert_eq!(wire.kinds, [TEXT, TEXT]);
        assert_eq!(wire.text, "u1item");
    }

    #[test]
    fn a_byte_value_is_always_sent_and_never_same() {
        let mut wire = Wire::default();
        let point = [
            Blob::Bytes(Cow::Borrowed(&[1, 2])),
            Blob::Text(Cow::Borrowed("")),
        ];
        wire.fill("i", &point);
        wire.fill("i", &point);
        assert_eq!(wire.kinds, [SAME, BYTES, SAME]);
        assert_eq!(
            (wire.bytes.as_slice(), wire.ends.as_slice()),
            (&[1u8, 2][..], &[0, 2, 0][..])
        );
    }

    #[test]
    fn a_second_point_replaces_the_first() {
        let mut wire = Wire::default();
        let mut kept = Vec::new();
        wire.fill("a long index", &[Blob::Bytes(Cow::Borrowed(&[1, 2]))]);
        read_back(&wire, &mut kept);
        wire.fill("i", &[Blob::Text(Cow::Borrowed("b"))]);
        assert_eq!(read_back(&wire, &mut kept), [text("i"), text("b")]);
        assert!(wire.bytes.is_empty());
    }

    /// Sequences of points (proptest draws its seeds from the OS, which wasm32 has none of).
    #[cfg(not(target_arch = "wasm32"))]
    mod sequences {
        use super::{read_back, text, Wire};
        use crate::value::Blob;
        use proptest::prelude::*;
        use std::borrow::Cow;

        /// A blob of a few short texts (so that repeats are common), or bytes.
        fn blob() -> impl Strategy<Value = Blob<'static>> {
            prop_oneof![
                Just(Blob::Unset),
                prop::sample::select(vec!["", "a", "é", "🦀", "item"])
                    .prop_map(|t| Blob::Text(Cow::Borrowed(t))),
                prop::collection::vec(any::<u8>(), 0..3).prop_map(|b| Blob::Bytes(Cow::Owned(b))),
            ]
        }

        proptest! {
            #[cfg_attr(miri, ignore)] // hundreds of sequences: the unit tests above run under Miri
            /// Whatever the sequence of points, and whichever calls fail (before the JavaScript
            /// side read the point, or after: `writeDataPoint` threw) and are forgotten, what the
            /// JavaScript side reads back is each point as it was laid out.
            #[test]
            fn every_point_of_a_sequence_reads_back_as_it_was(
                points in prop::collection::vec(
                    (prop::sample::select(vec!["", "u1", "u2"]), prop::collection::vec(blob(), 0..5), 0..3u8),
                    1..12,
                )
            ) {
                let mut wire = Wire::default();
                let mut kept = Vec::new();
                for (index, blobs, outcome) in &points {
                    wire.fill(index, blobs);
                    let expected: Vec<Result<String, Vec<u8>>> = std::iter::once(text(index))
                        .chain(blobs.iter().map(|blob| match blob {
                            Blob::Unset => text(""),
                            Blob::Text(t) => text(t),
                            Blob::Bytes(b) => Err(b.to_vec()),
                        }))
                        .collect();
                    match outcome {
                        0 => prop_assert_eq!(read_back(&wire, &mut kept), expected),
                        1 => wire.forget(),
                        _ => {
                            prop_assert_eq!(read_back(&wire, &mut kept), expected);
                            wire.forget();
                        }
                    }
                }
            }
        }
    }
}
