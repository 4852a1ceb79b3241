//! The only file that names `hmac` and `sha2`: the v1 tag and its constant-time check.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Length of a v1 tag in bytes (a full, untruncated HMAC-SHA256 output).
pub(crate) const TAG_LEN: usize = 32;

/// An HMAC-SHA256 state already keyed with a secret: the inner and outer pad blocks are absorbed
/// once here, so each tag costs only the message's own bytes. Its buffer is left empty, so a
/// message that fills whole blocks is hashed straight from the caller's memory (the token code
/// passes the prefix and the payload as one slice for that reason). Zeroized on drop (sha2's
/// `zeroize`).
#[derive(Clone)]
pub(crate) struct MacKey(Hmac<Sha256>);

impl MacKey {
    /// Keys the state. HMAC accepts any key length; the caller enforces the 32..=64 byte policy.
    pub(crate) fn new(secret: &[u8]) -> MacKey {
        // `new_from_slice` is infallible for HMAC (any key length is accepted); the error arm
        // only exists because the trait is shared with fixed-key-size MACs.
        match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => MacKey(mac),
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        }
    }

    /// The tag over `message`.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is the tag over `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8; TAG_LEN]) -> bool {
        let mut mac = self.0.clone();
        mac.update(message);
        mac.verify_slice(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    const RFC4231_2: [u8; 32] = [
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75,
        0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec,
        0x38, 0x43,
    ];

    #[test]
    fn tags_are_hmac_sha256_as_rfc_4231_computes_it() {
        let key = MacKey::new(b"Jefe");
        assert_eq!(key.tag(b"what do ya want for nothing?"), RFC4231_2);
        assert!(key.verify(b"what do ya want for nothing?", &RFC4231_2));
    }

    #[test]
    fn a_changed_tag_does_not_verify() {
        let key = MacKey::new(b"Jefe");
        let mut tag = RFC4231_2;
        tag[31] ^= 1;
        assert!(!key.verify(b"what do ya want for nothing?", &tag));
    }
}
