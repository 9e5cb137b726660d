//! Integration and UI tests of tallymark live in `tests/` and `ui/`; this library holds what
//! several of them share.

/// How many blobs the reference layout (`KiloClawEvent`) writes.
pub const REFERENCE_BLOBS: usize = 13;

/// The blobs of a reference point with these 1-based slots set, every other one `''`.
pub fn reference_blobs(set: &[(usize, &str)]) -> Vec<String> {
    let mut blobs = vec![String::new(); REFERENCE_BLOBS];
    for (slot, value) in set {
        blobs[slot - 1] = (*value).to_owned();
    }
    blobs
}
