//! Fields whose raw value never leaves the worker (`#[hashed]`, `#[redacted]`).
//!
//! Rules, applied to every point before any sink sees it and to every console line:
//! - a hashed field is written as HMAC-SHA-256 of its bytes under its layout's key, the first 16
//!   bytes of the MAC in base64url without padding (22 characters, within the index's 96 bytes);
//!   with no key it is written empty and counted, never as the value;
//! - a redacted field is written empty (0 for a number) by every sink but in-memory test sinks,
//!   and left out of console lines;
//! - an empty value stays empty.
//!
//! Hashing needs the `hashed` feature. Without it the layout macro refuses `#[hashed]` fields,
//! and a schema that has one anyway fails the build (`__private::schema`, in a `const`).

use crate::schema::Hasher;

/// How the schemas of layouts with `#[hashed]` fields hash them.
#[cfg(feature = "hashed")]
pub(crate) const HASHER: Option<Hasher> = Some(keyed_hash);
/// Without the `hashed` feature nothing hashes (and no layout has a `#[hashed]` field).
#[cfg(not(feature = "hashed"))]
pub(crate) const HASHER: Option<Hasher> = None;

/// How many bytes of the MAC a hashed field keeps.
#[cfg(feature = "hashed")]
const HASH_BYTES: usize = 16;

/// The text a hashed field is written as: its keyed hash under `key`.
#[cfg(feature = "hashed")]
fn keyed_hash(key: &[u8], value: &[u8]) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    // HMAC takes keys of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(value);
    let digest = mac.finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..HASH_BYTES])
}

#[cfg(all(test, feature = "hashed"))]
mod tests {
    use super::keyed_hash;

    #[test]
    fn the_hash_is_keyed_short_and_stable() {
        let hashed = keyed_hash(b"key", b"user-1");
        assert_eq!(hashed.len(), 22);
        assert_eq!(hashed, keyed_hash(b"key", b"user-1"));
        assert_ne!(hashed, keyed_hash(b"other key", b"user-1"));
        assert_ne!(hashed, keyed_hash(b"key", b"user-2"));
        assert!(hashed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn the_hash_is_the_documented_hmac_sha256_prefix() {
        // RFC 4231, test case 2: HMAC-SHA-256(key "Jefe", "what do ya want for nothing?") starts
        // 5bdcc146bf60754e6a042426089575c7; base64url of those 16 bytes:
        assert_eq!(
            keyed_hash(b"Jefe", b"what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1xw"
        );
    }
}
