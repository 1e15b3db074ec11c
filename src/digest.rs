//! SHA-256 digests as lowercase hex text: the names of checkpoint files, the keys of cached
//! and recorded answers, the fingerprint of a checkpointed `map-async`'s list.

use std::fmt::Write;

use sha2::{Digest, Sha256};

/// The hex text of what `hasher` has been fed.
pub fn hex(hasher: Sha256) -> String {
    let mut text = String::with_capacity(64);
    for byte in hasher.finalize() {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// Feeds `part` preceded by its length, so that consecutive parts cannot run into each other.
pub fn update_framed(hasher: &mut Sha256, part: &[u8]) {
    hasher.update(part.len().to_le_bytes());
    hasher.update(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_the_empty_input() {
        assert_eq!(hex(Sha256::new()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn framed_parts_do_not_run_together() {
        let digest = |parts: &[&str]| {
            let mut hasher = Sha256::new();
            parts.iter().for_each(|p| update_framed(&mut hasher, p.as_bytes()));
            hex(hasher)
        };
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    }
}
