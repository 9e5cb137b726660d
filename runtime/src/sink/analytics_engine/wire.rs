//! A point laid out for one call across the JavaScript boundary.
//!
//! Each string that crosses from wasm to JavaScript on its own is decoded on its own (a
//! `TextDecoder` call), and each array element set from wasm is a call of its own. A point instead
//! crosses whole, in one call: the texts of its index and blobs concatenated into one string, the
//! bytes of its binary blobs into one buffer, and for each value its kind and where it ends. The
//! JavaScript side (`crate::js::write_data_point`) slices the values back out and calls
//! `writeDataPoint`.
//!
//! Rules:
//! * Values are in order: the index first, then `blob1..blobN`.
//! * A text value's end is counted in UTF-16 code units, the unit JavaScript strings are sliced
//!   in; a byte value's end in bytes. Ends are cumulative within their own buffer.
//! * An unset blob is an empty text (Analytics Engine reads a missing blob as `''`).
//! * The buffers are kept between points, so a sink writing many points allocates only while a
//!   point is larger than every one before it.

use crate::value::Blob;

/// The kind of a text value ([`Wire::kinds`]).
pub(crate) const TEXT: u8 = 0;
/// The kind of a byte value ([`Wire::kinds`]).
pub(crate) const BYTES: u8 = 1;

/// One point's index and blobs, as the JavaScript side reads them back.
#[derive(Debug, Default)]
pub(crate) struct Wire {
    /// Every text value, one after another.
    pub text: String,
    /// Every byte value, one after another.
    pub bytes: Vec<u8>,
    /// Each value's kind, [`TEXT`] or [`BYTES`].
    pub kinds: Vec<u8>,
    /// Each value's end in its buffer: UTF-16 code units of `text`, or bytes of `bytes`.
    pub ends: Vec<u32>,
    /// The UTF-16 length of `text` so far.
    text_units: u32,
}

impl Wire {
    /// Lays out `index` and `blobs`, replacing the point laid out before.
    pub fn fill(&mut self, index: &str, blobs: &[Blob<'_>]) {
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

    fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
        self.text_units += utf16_len(text);
        self.kinds.push(TEXT);
        self.ends.push(self.text_units);
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
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
    use super::{Wire, BYTES, TEXT};
    use crate::value::Blob;
    use std::borrow::Cow;

    /// What the JavaScript side reads back: each value sliced out of its buffer by its end, text
    /// in UTF-16 code units as `String.prototype.slice` does.
    fn read_back(wire: &Wire) -> Vec<Result<String, Vec<u8>>> {
        let units: Vec<u16> = wire.text.encode_utf16().collect();
        let (mut text_start, mut bytes_start) = (0, 0);
        let mut values = Vec::new();
        for (&kind, &end) in wire.kinds.iter().zip(&wire.ends) {
            let end = end as usize;
            if kind == TEXT {
                values.push(Ok(String::from_utf16(&units[text_start..end]).unwrap()));
                text_start = end;
            } else {
                assert_eq!(kind, BYTES);
                values.push(Err(wire.bytes[bytes_start..end].to_vec()));
                bytes_start = end;
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
            read_back(&wire),
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
    fn a_second_point_replaces_the_first() {
        let mut wire = Wire::default();
        wire.fill("a long index", &[Blob::Bytes(Cow::Borrowed(&[1, 2]))]);
        wire.fill("i", &[Blob::Text(Cow::Borrowed("b"))]);
        assert_eq!(read_back(&wire), [text("i"), text("b")]);
        assert!(wire.bytes.is_empty());
    }
}
