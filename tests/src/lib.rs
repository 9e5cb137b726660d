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

/// A small layout of the library's own, for tests whose rule is not about the layout itself.
#[tallymark::layout(dataset = "sample", binding = "SAMPLE")]
pub struct Sample {
    /// The event name.
    #[index]
    #[blob(1)]
    pub event: String,
    /// Who made the call.
    #[blob(2)]
    pub user: String,
}
