//! Minting and verifying tokens, and reading one without trusting it.

use alloc::string::String;

use crate::claims::Claims;
use crate::codec::{self, Signed, Tag};
use crate::error::{DecodeError, MintError, VerifyError};
use crate::key::Key;
use crate::options::VerifyOptions;
use crate::time::UnixTime;
use crate::token_claims::TokenClaims;

/// The prefix every v1 token starts with. Secret scanners can search for it.
pub const PREFIX: &str = codec::PREFIX;

/// The longest a valid token can be, in bytes. Longer text is rejected before anything else.
pub const MAX_TOKEN_LEN: usize = codec::MAX_TOKEN_LEN;

/// A token whose signature, audience and times all checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified(TokenClaims);

impl Verified {
    /// What the token says; authentic.
    #[must_use]
    pub fn claims(&self) -> &TokenClaims {
        &self.0
    }

    /// The id of the key that signed it.
    #[must_use]
    pub fn key_id(&self) -> &str {
        self.0.key_id()
    }
}

/// A token read **without checking its signature**. Anyone can write any of this.
///
/// Good for a client deciding when to refresh its own token; never for deciding whom to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified(TokenClaims);

impl Unverified {
    /// What the token claims. Not authenticated.
    #[must_use]
    pub fn untrusted_claims(&self) -> &TokenClaims {
        &self.0
    }
}

/// Reads a token's claims **without verifying it**.
///
/// # Errors
///
/// A [`DecodeError`] when the text is not a well-formed v1 token.
///
/// # Security
///
/// Nothing returned here is authenticated. Use [`Keyring::verify`](crate::Keyring::verify) to
/// decide anything about access.
///
/// ```
/// use tessera_core::{Claims, Key, Keyring, UnixTime, inspect};
///
/// let keyring = Keyring::new(Key::new("k1", &[7; 32])?);
/// let token = keyring.mint(&Claims::new("42", "access", UnixTime::from_secs(1_700_000_000), 600))?;
/// let seen = inspect(&token)?;
/// assert_eq!(seen.untrusted_claims().expires_at(), UnixTime::from_secs(1_700_000_600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inspect(token: &str) -> Result<Unverified, DecodeError> {
    // `UnverifiedToken::parse(token)?.into_unverified()`, decoded in place rather than moved
    // through `UnverifiedToken`.
    let mut claims = TokenClaims::new(Signed::new());
    codec::decode(token, claims.signed_mut(), &mut Tag::default())?;
    claims.read()?;
    Ok(Unverified(claims))
}

/// Token text split and decoded, whose tag has **not** been checked. Nothing in it is trustworthy
/// yet; it offers only the key id (to pick a key) and [`verify`](UnverifiedToken::verify).
///
/// [`Keyring::verify`](crate::Keyring::verify) does all of this in one call; use this type when the
/// keys live somewhere a `Keyring` cannot reach.
#[derive(Clone)]
pub struct UnverifiedToken {
    claims: TokenClaims,
    tag: Tag,
}

impl UnverifiedToken {
    /// Splits and decodes token text: length cap, prefix and version, parts, canonical base64url,
    /// payload length and key id. Claims are not read until the tag has been checked.
    ///
    /// # Errors
    ///
    /// [`DecodeError::UnsupportedVersion`] for a `tsrN.` prefix other than `tsr1.`, otherwise
    /// [`DecodeError::Malformed`] with the rule that was broken.
    pub fn parse(token: &str) -> Result<UnverifiedToken, DecodeError> {
        let mut claims = TokenClaims::new(Signed::new());
        let mut tag = Tag::default();
        codec::decode(token, claims.signed_mut(), &mut tag)?;
        Ok(UnverifiedToken { claims, tag })
    }

    /// The key id the token names. Untrusted: use it only to choose which key to verify with.
    #[must_use]
    pub fn untrusted_key_id(&self) -> &str {
        self.claims.key_id()
    }

    /// Checks the tag with `key` in constant time, then the claims' layout, the audience and the
    /// times, in that order.
    ///
    /// The token is valid while `issued_at - leeway <= now < expires_at + leeway`.
    ///
    /// # Errors
    ///
    /// [`VerifyError::UnknownKey`] if `key` is not the key the token names;
    /// [`VerifyError::BadSignature`] if the tag does not match; then, only for authentic tokens,
    /// [`VerifyError::Malformed`] for claims that break the layout, [`VerifyError::WrongAudience`],
    /// [`VerifyError::NotYetValid`] and [`VerifyError::Expired`].
    pub fn verify(
        self,
        key: &Key,
        options: &VerifyOptions,
        now: UnixTime,
    ) -> Result<Verified, VerifyError> {
        let UnverifiedToken { mut claims, tag } = self;
        if key.id().as_bytes() != codec::key_id(claims.signed()) {
            return Err(VerifyError::UnknownKey);
        }
        check(&mut claims, &tag, key, options, now)?;
        Ok(Verified(claims))
    }

    /// The claims, read **without** checking the tag.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Malformed`] with [`FormatError::Claims`](crate::FormatError::Claims) when the
    /// claims break the layout rules.
    pub fn into_unverified(self) -> Result<Unverified, DecodeError> {
        let mut claims = self.claims;
        claims.read()?;
        Ok(Unverified(claims))
    }
}

impl core::fmt::Debug for UnverifiedToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UnverifiedToken")
            .field("untrusted_key_id", &self.untrusted_key_id())
            .finish_non_exhaustive()
    }
}

/// Verifies `token` with whichever key `find` returns for its key id: the one-call path, which
/// decodes in place and never moves the payload buffer until it returns.
pub(crate) fn verify<'k>(
    token: &str,
    find: impl FnOnce(&[u8]) -> Option<&'k Key>,
    options: &VerifyOptions,
    now: UnixTime,
) -> Result<Verified, VerifyError> {
    let mut claims = TokenClaims::new(Signed::new());
    let mut tag = Tag::default();
    codec::decode(token, claims.signed_mut(), &mut tag)?;
    let key = find(codec::key_id(claims.signed())).ok_or(VerifyError::UnknownKey)?;
    check(&mut claims, &tag, key, options, now)?;
    Ok(Verified(claims))
}

/// The checks after key selection, in the spec's order: tag (constant time), claims layout,
/// audience, not-before, expiry.
fn check(
    claims: &mut TokenClaims,
    tag: &Tag,
    key: &Key,
    options: &VerifyOptions,
    now: UnixTime,
) -> Result<(), VerifyError> {
    // The tag covers `tsr1.` || payload, which is how the buffer holds them.
    if !key.mac().verify(claims.signed(), tag) {
        return Err(VerifyError::BadSignature);
    }
    claims.read()?;
    if !claims.audience_is(options.audience()) {
        return Err(VerifyError::WrongAudience);
    }
    let leeway = options.leeway_secs();
    if claims.issued_at() > now.saturating_add_secs(leeway) {
        return Err(VerifyError::NotYetValid {
            from: claims.issued_at(),
        });
    }
    if now >= claims.expires_at().saturating_add_secs(leeway) {
        return Err(VerifyError::Expired {
            at: claims.expires_at(),
        });
    }
    Ok(())
}

/// Mints a token for `claims`, signed by `key`.
pub(crate) fn mint(key: &Key, claims: &Claims) -> Result<String, MintError> {
    claims.check()?;
    let mut signed = Signed::new();
    codec::encode_payload(key.id().as_str(), claims, &mut signed);
    let tag = key.mac().tag(&signed); // over `tsr1.` || payload, as in `check`
    Ok(codec::encode_text(&signed, &tag))
}
