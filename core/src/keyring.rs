//! A keyring: one key that signs, any number that only verify, so keys can rotate without
//! logging anyone out.

use alloc::string::String;
use alloc::vec::Vec;

use crate::claims::Claims;
use crate::error::{KeyringError, MintError, VerifyError};
use crate::key::{Key, KeyId};
use crate::options::VerifyOptions;
use crate::time::UnixTime;
use crate::token::{self, Verified};

/// The keys a service mints and verifies with.
///
/// New tokens are signed by the newest key; tokens signed by an older key keep verifying until
/// that key is removed.
///
/// ```
/// use tessera_core::{Claims, Key, Keyring, UnixTime, VerifyError, VerifyOptions};
///
/// let now = UnixTime::from_secs(1_700_000_000);
/// let mut keyring = Keyring::new(Key::new("k1", &[1; 32])?);
/// let old = keyring.mint(&Claims::new("42", "access", now, 600))?;
///
/// keyring.rotate(Key::new("k2", &[2; 32])?)?;
/// let new = keyring.mint(&Claims::new("42", "access", now, 600))?;
///
/// let access = VerifyOptions::new("access");
/// assert_eq!(keyring.verify(&old, &access, now)?.key_id(), "k1");
/// assert_eq!(keyring.verify(&new, &access, now)?.key_id(), "k2");
///
/// keyring.remove("k1")?;
/// assert_eq!(keyring.verify(&old, &access, now), Err(VerifyError::UnknownKey));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Keyring {
    /// Newest first; the first key signs.
    keys: Vec<Key>,
}

impl Keyring {
    /// A keyring whose only key signs and verifies.
    #[must_use]
    pub fn new(signing: Key) -> Keyring {
        Keyring {
            keys: alloc::vec![signing],
        }
    }

    /// Makes `key` the signing key; the previous signing key keeps verifying.
    ///
    /// # Errors
    ///
    /// [`KeyringError::DuplicateId`] if a key with the same id is already present.
    pub fn rotate(&mut self, key: Key) -> Result<(), KeyringError> {
        if self.find(key.id().as_str()).is_some() {
            return Err(KeyringError::DuplicateId);
        }
        self.keys.insert(0, key);
        Ok(())
    }

    /// Adds `key` for verifying only, as the oldest key.
    ///
    /// # Errors
    ///
    /// [`KeyringError::DuplicateId`] if a key with the same id is already present.
    pub fn add_verify_only(&mut self, key: Key) -> Result<(), KeyringError> {
        if self.find(key.id().as_str()).is_some() {
            return Err(KeyringError::DuplicateId);
        }
        self.keys.push(key);
        Ok(())
    }

    /// Removes a verify-only key: tokens it signed stop verifying.
    ///
    /// # Errors
    ///
    /// [`KeyringError::NoSuchKey`] if no key has that id, [`KeyringError::SigningKey`] if it is
    /// the signing key.
    pub fn remove(&mut self, id: &str) -> Result<Key, KeyringError> {
        match self.keys.iter().position(|k| k.id().as_str() == id) {
            None => Err(KeyringError::NoSuchKey),
            Some(0) => Err(KeyringError::SigningKey),
            Some(i) => Ok(self.keys.remove(i)),
        }
    }

    /// The key that signs new tokens.
    #[must_use]
    pub fn signing_key(&self) -> &Key {
        &self.keys[0]
    }

    /// Every key id, the signing key's first.
    pub fn key_ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(Key::id)
    }

    /// The key with this id, if present.
    #[must_use]
    pub fn find(&self, id: &str) -> Option<&Key> {
        self.find_id(id.as_bytes())
    }

    /// [`Keyring::find`] for an id as a payload carries it (bytes, not yet known to be UTF-8).
    fn find_id(&self, id: &[u8]) -> Option<&Key> {
        self.keys.iter().find(|k| k.id().as_bytes() == id)
    }

    /// Mints a token for `claims`, signed by the signing key.
    ///
    /// # Errors
    ///
    /// A [`MintError`] naming the first claim that breaks the format's limits.
    pub fn mint(&self, claims: &Claims) -> Result<String, MintError> {
        token::mint(self.signing_key(), claims)
    }

    /// Verifies `token` at time `now`: it must be well formed, signed by a key in this keyring,
    /// minted for `options.audience()`, and within its lifetime (give or take the leeway).
    ///
    /// # Errors
    ///
    /// The first check that failed, in the order the spec fixes: [`VerifyError::Malformed`] or
    /// [`VerifyError::UnsupportedVersion`] for the text, [`VerifyError::UnknownKey`],
    /// [`VerifyError::BadSignature`], then (for authentic tokens only) malformed claims,
    /// [`VerifyError::WrongAudience`], [`VerifyError::NotYetValid`] and [`VerifyError::Expired`].
    pub fn verify(
        &self,
        token: &str,
        options: &VerifyOptions,
        now: UnixTime,
    ) -> Result<Verified, VerifyError> {
        token::verify(token, |id| self.find_id(id), options, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Key {
        Key::new(id, &[9; 32]).unwrap()
    }

    #[test]
    fn rotation_keeps_ids_unique_and_the_signing_key_in_place() {
        let mut ring = Keyring::new(key("a"));
        assert_eq!(ring.rotate(key("a")), Err(KeyringError::DuplicateId));
        ring.rotate(key("b")).unwrap();
        ring.add_verify_only(key("c")).unwrap();
        assert_eq!(
            ring.add_verify_only(key("c")),
            Err(KeyringError::DuplicateId)
        );
        let ids: Vec<&str> = ring.key_ids().map(KeyId::as_str).collect();
        assert_eq!(ids, ["b", "a", "c"]);
        assert_eq!(ring.remove("b").err(), Some(KeyringError::SigningKey));
        assert_eq!(ring.remove("zz").err(), Some(KeyringError::NoSuchKey));
        assert_eq!(ring.remove("a").unwrap().id().as_str(), "a");
        assert_eq!(ring.signing_key().id().as_str(), "b");
    }
}
