//! The claims inside a decoded token, read in place: no allocation on the verify path.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::claims::{Claims, Limits, is_name};
use crate::codec::Raw;
use crate::error::FormatError;
use crate::time::UnixTime;

/// A byte range inside the payload.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u16,
    len: u8,
}

impl Span {
    const EMPTY: Span = Span { start: 0, len: 0 };
}

/// The claims a token carries, read in place from its decoded payload.
///
/// You get one from [`Verified::claims`](crate::Verified::claims) (authentic) or from
/// [`Unverified::untrusted_claims`](crate::Unverified::untrusted_claims) (anyone could have
/// written it). [`TokenClaims::to_claims`] copies them into an owned [`Claims`].
#[derive(Clone)]
pub struct TokenClaims {
    raw: Raw,
    audience: Span,
    subject: Span,
    issued_at: UnixTime,
    expires_at: UnixTime,
    auth_time: UnixTime,
    generation: u64,
    scopes: Span,
    scope_count: u8,
}

impl TokenClaims {
    /// Wraps decoded bytes whose claims are not read yet; [`TokenClaims::read`] reads them.
    pub(crate) const fn new(raw: Raw) -> TokenClaims {
        TokenClaims {
            raw,
            audience: Span::EMPTY,
            subject: Span::EMPTY,
            issued_at: UnixTime::EPOCH,
            expires_at: UnixTime::EPOCH,
            auth_time: UnixTime::EPOCH,
            generation: 0,
            scopes: Span::EMPTY,
            scope_count: 0,
        }
    }

    pub(crate) fn raw(&self) -> &Raw {
        &self.raw
    }

    pub(crate) fn raw_mut(&mut self) -> &mut Raw {
        &mut self.raw
    }

    /// Reads the layout in place. Every byte must be used, and every field must obey the rules
    /// minting enforces.
    pub(crate) fn read(&mut self) -> Result<(), FormatError> {
        let bytes = self.raw.payload();
        let mut r = Reader { buf: bytes, pos: 0 };
        let key_id = r.field().ok_or(FormatError::Claims)?;
        let audience = r.field().ok_or(FormatError::Claims)?;
        let subject = r.field().ok_or(FormatError::Claims)?;
        let issued_at = UnixTime::from_secs(r.u64().ok_or(FormatError::Claims)?);
        let expires_at = UnixTime::from_secs(r.u64().ok_or(FormatError::Claims)?);
        let auth_time = UnixTime::from_secs(r.u64().ok_or(FormatError::Claims)?);
        let generation = r.u64().ok_or(FormatError::Claims)?;
        let scope_count = r.byte().ok_or(FormatError::Claims)?;
        let scopes_start = r.pos;
        if usize::from(scope_count) > Limits::SCOPES {
            return Err(FormatError::Claims);
        }
        for _ in 0..scope_count {
            let scope = r.field().ok_or(FormatError::Claims)?;
            if !is_name(span(bytes, scope), Limits::SCOPE) {
                return Err(FormatError::Claims);
            }
        }
        let valid = r.pos == bytes.len()
            && is_name(span(bytes, key_id), Limits::KEY_ID)
            && is_name(span(bytes, audience), Limits::AUDIENCE)
            && subject.len > 0
            && usize::from(subject.len) <= Limits::SUBJECT
            && core::str::from_utf8(span(bytes, subject)).is_ok()
            && issued_at < expires_at
            && auth_time <= issued_at;
        if !valid {
            return Err(FormatError::Claims);
        }
        self.scopes = Span {
            start: u16::try_from(scopes_start).map_err(|_| FormatError::Claims)?,
            len: 0,
        };
        self.audience = audience;
        self.subject = subject;
        self.issued_at = issued_at;
        self.expires_at = expires_at;
        self.auth_time = auth_time;
        self.generation = generation;
        self.scope_count = scope_count;
        Ok(())
    }

    fn text(&self, s: Span) -> &str {
        // `read` checked that every text field is UTF-8 (names are ASCII).
        core::str::from_utf8(span(self.raw.payload(), s)).unwrap_or_default()
    }

    /// The id of the key the token names.
    #[must_use]
    pub fn key_id(&self) -> &str {
        self.raw.key_id()
    }

    /// The audience (purpose) the token was minted for.
    #[must_use]
    pub fn audience(&self) -> &str {
        self.text(self.audience)
    }

    /// Whether the audience is `expected`: compared as bytes, without the UTF-8 check that
    /// [`TokenClaims::audience`] makes.
    pub(crate) fn audience_is(&self, expected: &str) -> bool {
        span(self.raw.payload(), self.audience) == expected.as_bytes()
    }

    /// Who the token is about: the user id.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.text(self.subject)
    }

    /// When the token was minted.
    #[must_use]
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// The first second at which the token is no longer valid (before leeway).
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// When the password login that started the session happened.
    #[must_use]
    pub fn auth_time(&self) -> UnixTime {
        self.auth_time
    }

    /// The holder's session generation when the token was minted.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The scopes, in the order they were minted.
    #[must_use]
    pub fn scopes(&self) -> Scopes<'_> {
        Scopes {
            claims: self,
            pos: usize::from(self.scopes.start),
            left: self.scope_count,
        }
    }

    /// Copies the claims into an owned [`Claims`].
    #[must_use]
    pub fn to_claims(&self) -> Claims {
        Claims {
            subject: String::from(self.subject()),
            audience: String::from(self.audience()),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            auth_time: self.auth_time,
            generation: self.generation,
            scopes: self.scopes().map(String::from).collect::<Vec<_>>(),
        }
    }
}

impl fmt::Debug for TokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenClaims")
            .field("key_id", &self.key_id())
            .field("audience", &self.audience())
            .field("subject", &self.subject())
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("auth_time", &self.auth_time)
            .field("generation", &self.generation)
            .field("scopes", &self.scopes().collect::<Vec<_>>())
            .finish()
    }
}

impl PartialEq for TokenClaims {
    fn eq(&self, other: &TokenClaims) -> bool {
        self.key_id() == other.key_id() && self.to_claims() == other.to_claims()
    }
}

impl Eq for TokenClaims {}

/// The scopes of a token, as `&str`.
#[derive(Debug, Clone)]
pub struct Scopes<'a> {
    claims: &'a TokenClaims,
    pos: usize,
    left: u8,
}

impl<'a> Iterator for Scopes<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        let len = *self.claims.raw.payload().get(self.pos)?;
        let s = Span {
            start: u16::try_from(self.pos + 1).ok()?,
            len,
        };
        self.pos += 1 + usize::from(len);
        self.left -= 1;
        Some(self.claims.text(s))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::from(self.left), Some(usize::from(self.left)))
    }
}

impl ExactSizeIterator for Scopes<'_> {}

fn span(bytes: &[u8], s: Span) -> &[u8] {
    let start = usize::from(s.start);
    bytes
        .get(start..start + usize::from(s.len))
        .unwrap_or_default()
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let bytes = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(bytes)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    fn field(&mut self) -> Option<Span> {
        let len = self.byte()?;
        let start = u16::try_from(self.pos).ok()?;
        self.take(usize::from(len))?;
        Some(Span { start, len })
    }
}
