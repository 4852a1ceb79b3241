//! Claims: what a token says about its holder, as plain data, and the limits every field obeys.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::MintError;
use crate::time::UnixTime;

/// What a token asserts. Plain data: building one checks nothing; minting checks everything.
///
/// ```
/// use tessera_core::{Claims, UnixTime};
///
/// let now = UnixTime::from_secs(1_700_000_000);
/// let claims = Claims::new("42", "access", now, 600);
/// assert_eq!(claims.expires_at, UnixTime::from_secs(1_700_000_600));
/// assert_eq!(claims.auth_time, now);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Claims {
    /// Who the token is about: the user id. 1 to 128 bytes of UTF-8.
    pub subject: String,
    /// What the token is for (`"access"`, `"password-reset"`, ...). A verifier states the audience it
    /// expects, and a token minted for any other is rejected, so tokens cannot cross purposes.
    /// 1 to 32 characters from `[A-Za-z0-9._:/-]`.
    pub audience: String,
    /// When the token was minted. It is not valid before this time (less the leeway).
    pub issued_at: UnixTime,
    /// The first second at which the token is no longer valid (plus the leeway).
    pub expires_at: UnixTime,
    /// When the password login that started this session happened. A token renewed with a token
    /// keeps it, so a server can cap how long a session lives without the password. Not after
    /// `issued_at`.
    pub auth_time: UnixTime,
    /// The holder's session generation when the token was minted. A server bumps a user's
    /// generation to revoke every older token (password change, log out everywhere).
    pub generation: u64,
    /// Short permission names. At most 16, each 1 to 32 characters from `[A-Za-z0-9._:/-]`.
    pub scopes: Vec<String>,
}

impl Claims {
    /// Claims for a fresh password login at `now` that last `ttl_secs` seconds: generation 0, no
    /// scopes, `auth_time` = `issued_at` = `now`. Adjust the public fields as needed.
    #[must_use]
    pub fn new(subject: &str, audience: &str, now: UnixTime, ttl_secs: u64) -> Claims {
        Claims {
            subject: String::from(subject),
            audience: String::from(audience),
            issued_at: now,
            expires_at: now.saturating_add_secs(ttl_secs),
            auth_time: now,
            generation: 0,
            scopes: Vec::new(),
        }
    }

    /// Checks every field against the format's rules (see [`Limits`]).
    ///
    /// # Errors
    ///
    /// The first field that breaks a rule, as a [`MintError`].
    pub fn check(&self) -> Result<(), MintError> {
        if self.subject.is_empty() || self.subject.len() > Limits::SUBJECT {
            return Err(MintError::Subject);
        }
        if !is_name(self.audience.as_bytes(), Limits::AUDIENCE) {
            return Err(MintError::Audience);
        }
        if self.scopes.len() > Limits::SCOPES {
            return Err(MintError::TooManyScopes);
        }
        if !self
            .scopes
            .iter()
            .all(|s| is_name(s.as_bytes(), Limits::SCOPE))
        {
            return Err(MintError::Scope);
        }
        if self.expires_at <= self.issued_at || self.auth_time > self.issued_at {
            return Err(MintError::Times);
        }
        Ok(())
    }
}

/// The format's field limits, in bytes. `docs/token-format.md` states the same numbers.
#[derive(Debug, Clone, Copy)]
pub struct Limits;

impl Limits {
    /// Longest key id.
    pub const KEY_ID: usize = 32;
    /// Longest audience.
    pub const AUDIENCE: usize = 32;
    /// Longest subject.
    pub const SUBJECT: usize = 128;
    /// Longest scope.
    pub const SCOPE: usize = 32;
    /// Most scopes in one token.
    pub const SCOPES: usize = 16;
}

/// Whether `name` is 1..=`max` bytes from `[A-Za-z0-9._:/-]`, the alphabet of key ids, audiences
/// and scopes.
pub(crate) fn is_name(name: &[u8], max: usize) -> bool {
    !name.is_empty() && name.len() <= max && name.iter().all(|&b| is_name_byte(b))
}

/// Whether `b` is in the name alphabet `[A-Za-z0-9._:/-]`.
fn is_name_byte(b: u8) -> bool {
    // One table load: this runs for every byte of every name of every token verified.
    NAME_BYTES[usize::from(b)]
}

/// The name alphabet as a table: `NAME_BYTES[b]` is whether byte `b` may appear in a name.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    while b < 128 {
        table[b as usize] =
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn claims() -> Claims {
        Claims::new("42", "access", UnixTime::from_secs(1000), 600)
    }

    #[test]
    fn fresh_claims_pass_the_checks() {
        assert_eq!(claims().check(), Ok(()));
    }

    #[test]
    fn each_field_limit_is_enforced() {
        let with = |f: fn(&mut Claims)| {
            let mut c = claims();
            f(&mut c);
            c.check()
        };
        assert_eq!(with(|c| c.subject.clear()), Err(MintError::Subject));
        assert_eq!(with(|c| c.subject = "é".repeat(64)), Ok(()));
        assert_eq!(
            with(|c| c.subject = "x".repeat(129)),
            Err(MintError::Subject)
        );
        assert_eq!(
            with(|c| c.audience = "Access Token".into()),
            Err(MintError::Audience)
        );
        assert_eq!(with(|c| c.scopes = vec!["read".into(); 16]), Ok(()));
        assert_eq!(
            with(|c| c.scopes = vec!["read".into(); 17]),
            Err(MintError::TooManyScopes)
        );
        assert_eq!(
            with(|c| c.scopes = vec![String::new()]),
            Err(MintError::Scope)
        );
        assert_eq!(with(|c| c.expires_at = c.issued_at), Err(MintError::Times));
        assert_eq!(
            with(|c| c.auth_time = c.issued_at.saturating_add_secs(1)),
            Err(MintError::Times)
        );
    }

    #[test]
    fn the_name_alphabet_is_letters_digits_and_five_marks() {
        let alphabet: Vec<u8> = (0..=u8::MAX).filter(|&b| is_name_byte(b)).collect();
        assert_eq!(
            alphabet,
            b"-./0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
        );
    }

    #[test]
    fn a_huge_lifetime_saturates_rather_than_wrapping() {
        let c = Claims::new("42", "access", UnixTime::from_secs(u64::MAX - 5), 600);
        assert_eq!(c.expires_at.as_secs(), u64::MAX);
        assert_eq!(c.check(), Ok(()));
    }
}
