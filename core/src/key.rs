//! Keys: an id that tokens name, and a secret that is keyed into HMAC once and never shown.

use alloc::string::String;
use core::fmt;

use crate::claims::{Limits, is_name};
use crate::error::KeyError;
use crate::mac::MacKey;

/// The name of a key, carried in every token it signs so that a verifier can pick the right key.
///
/// 1 to 32 characters from `[A-Za-z0-9._:/-]`. Ids are not secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Checks and wraps a key id.
    ///
    /// # Errors
    ///
    /// [`KeyError::Id`] when `id` is empty, longer than 32 bytes, or has another character.
    pub fn parse(id: &str) -> Result<KeyId, KeyError> {
        if is_name(id.as_bytes(), Limits::KEY_ID) {
            Ok(KeyId(String::from(id)))
        } else {
            Err(KeyError::Id)
        }
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as bytes, as a payload carries it.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A signing and verifying key: an id plus 32 to 64 secret bytes.
///
/// The secret is keyed into HMAC-SHA256 once, when the key is built, so verifying does not re-key.
/// The key keeps only that keyed state (zeroized on drop), never the secret bytes, and its `Debug`
/// output shows the id alone.
///
/// ```
/// use tessera_core::Key;
///
/// let key = Key::new("k1", &[7; 32])?;
/// assert_eq!(key.id().as_str(), "k1");
/// assert_eq!(format!("{key:?}"), "Key { id: \"k1\", .. }");
/// # Ok::<(), tessera_core::KeyError>(())
/// ```
///
/// # Security
///
/// Secrets must come from a cryptographically secure random generator; 32 bytes is plenty.
/// The caller owns the `secret` buffer it passes in and should zeroize it when done.
#[derive(Clone)]
pub struct Key {
    id: KeyId,
    mac: MacKey,
}

impl Key {
    /// Shortest accepted secret, in bytes.
    pub const MIN_SECRET_LEN: usize = 32;
    /// Longest accepted secret, in bytes (one SHA-256 block; longer keys would be hashed first).
    pub const MAX_SECRET_LEN: usize = 64;

    /// Builds a key from its id and secret.
    ///
    /// # Errors
    ///
    /// [`KeyError::Id`] for an invalid id, [`KeyError::SecretTooShort`] below 32 bytes,
    /// [`KeyError::SecretTooLong`] above 64 bytes.
    pub fn new(id: &str, secret: &[u8]) -> Result<Key, KeyError> {
        let id = KeyId::parse(id)?;
        if secret.len() < Key::MIN_SECRET_LEN {
            return Err(KeyError::SecretTooShort);
        }
        if secret.len() > Key::MAX_SECRET_LEN {
            return Err(KeyError::SecretTooLong);
        }
        Ok(Key {
            id,
            mac: MacKey::new(secret),
        })
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    pub(crate) fn mac(&self) -> &MacKey {
        &self.mac
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id.as_str())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_between_32_and_64_bytes_are_accepted() {
        assert_eq!(
            Key::new("k", &[0; 31]).err(),
            Some(KeyError::SecretTooShort)
        );
        assert!(Key::new("k", &[0; 32]).is_ok());
        assert!(Key::new("k", &[0; 64]).is_ok());
        assert_eq!(Key::new("k", &[0; 65]).err(), Some(KeyError::SecretTooLong));
    }

    #[test]
    fn key_ids_are_short_names() {
        assert!(KeyId::parse("2026-12.main:k1/a_b").is_ok());
        assert_eq!(KeyId::parse(""), Err(KeyError::Id));
        assert_eq!(KeyId::parse("has space"), Err(KeyError::Id));
        assert_eq!(KeyId::parse("ключ"), Err(KeyError::Id));
        assert!(KeyId::parse(&"a".repeat(32)).is_ok());
        assert_eq!(KeyId::parse(&"a".repeat(33)), Err(KeyError::Id));
    }

    #[test]
    fn debug_never_shows_secret_material() {
        let key = Key::new("k1", &[0xAB; 32]).unwrap();
        let shown = alloc::format!("{key:?}");
        assert!(
            !shown.contains("171") && !shown.to_lowercase().contains("ab"),
            "{shown}"
        );
    }
}
