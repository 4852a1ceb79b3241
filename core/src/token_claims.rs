//! The claims inside a decoded token, read in place: no allocation on the verify path.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::claims::{Claims, Limits, is_name};
use crate::codec::{self, PREFIX, Signed};
use crate::error::FormatError;
use crate::time::UnixTime;

/// A byte range inside the signed bytes.
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
    /// The prefix and the payload, as the MAC covers them; every offset below counts from the
    /// prefix's first byte.
    signed: Signed,
    audience: Span,
    subject: Span,
    /// Where the four u64 fields start (issued-at, expires-at, auth-time, generation).
    times: u16,
    /// Where the first scope's length byte is.
    scopes: u16,
    scope_count: u8,
}

impl TokenClaims {
    /// Wraps decoded signed bytes whose claims are not read yet; [`TokenClaims::read`] reads them.
    pub(crate) const fn new(signed: Signed) -> TokenClaims {
        TokenClaims {
            signed,
            audience: Span::EMPTY,
            subject: Span::EMPTY,
            times: 0,
            scopes: 0,
            scope_count: 0,
        }
    }

    pub(crate) fn signed(&self) -> &Signed {
        &self.signed
    }

    pub(crate) fn signed_mut(&mut self) -> &mut Signed {
        &mut self.signed
    }

    /// Reads the layout in place. Every byte must be used, and every field must obey the rules
    /// minting enforces.
    pub(crate) fn read(&mut self) -> Result<(), FormatError> {
        let bytes = &self.signed[..];
        let mut r = Reader {
            buf: bytes,
            pos: PREFIX.len(),
        };
        r.field()?; // the key id, checked when the token was decoded
        let audience = r.name(Limits::AUDIENCE)?;
        let subject = r.field()?;
        let times = r.pos;
        let [issued_at, expires_at, auth_time, _generation] = r.u64s()?;
        let scope_count = r.byte()?;
        let scopes = r.pos;
        if usize::from(scope_count) > Limits::SCOPES {
            return Err(FormatError::Claims);
        }
        for _ in 0..scope_count {
            r.name(Limits::SCOPE)?;
        }
        let valid = r.pos == bytes.len()
            && subject.len > 0
            && usize::from(subject.len) <= Limits::SUBJECT
            && is_utf8(span(bytes, subject))
            && issued_at < expires_at
            && auth_time <= issued_at;
        if !valid {
            return Err(FormatError::Claims);
        }
        // The payload is at most `MAX_PAYLOAD_LEN` bytes, so offsets fit a u16.
        self.times = u16::try_from(times).map_err(|_| FormatError::Claims)?;
        self.scopes = u16::try_from(scopes).map_err(|_| FormatError::Claims)?;
        self.audience = audience;
        self.subject = subject;
        self.scope_count = scope_count;
        Ok(())
    }

    /// The `i`th u64 field after the subject (0: issued-at, 1: expires-at, 2: auth-time,
    /// 3: generation), as [`TokenClaims::read`] found it.
    fn time_field(&self, i: usize) -> u64 {
        let start = usize::from(self.times) + 8 * i;
        let mut word = [0; 8];
        if let Some(bytes) = self.signed.get(start..start + 8) {
            word.copy_from_slice(bytes);
        }
        u64::from_be_bytes(word)
    }

    fn text(&self, s: Span) -> &str {
        // `read` checked that every text field is UTF-8 (names are ASCII).
        core::str::from_utf8(span(&self.signed, s)).unwrap_or_default()
    }

    /// The id of the key the token names.
    #[must_use]
    pub fn key_id(&self) -> &str {
        // `codec::decode` checked that the key id is a name (ASCII).
        core::str::from_utf8(codec::key_id(&self.signed)).unwrap_or_default()
    }

    /// The audience (purpose) the token was minted for.
    #[must_use]
    pub fn audience(&self) -> &str {
        self.text(self.audience)
    }

    /// Whether the audience is `expected`: compared as bytes, without the UTF-8 check that
    /// [`TokenClaims::audience`] makes.
    pub(crate) fn audience_is(&self, expected: &str) -> bool {
        span(&self.signed, self.audience) == expected.as_bytes()
    }

    /// Who the token is about: the user id.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.text(self.subject)
    }

    /// When the token was minted.
    #[must_use]
    pub fn issued_at(&self) -> UnixTime {
        UnixTime::from_secs(self.time_field(0))
    }

    /// The first second at which the token is no longer valid (before leeway).
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        UnixTime::from_secs(self.time_field(1))
    }

    /// When the password login that started the session happened.
    #[must_use]
    pub fn auth_time(&self) -> UnixTime {
        UnixTime::from_secs(self.time_field(2))
    }

    /// The holder's session generation when the token was minted.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.time_field(3)
    }

    /// The scopes, in the order they were minted.
    #[must_use]
    pub fn scopes(&self) -> Scopes<'_> {
        Scopes {
            claims: self,
            pos: usize::from(self.scopes),
            left: self.scope_count,
        }
    }

    /// Copies the claims into an owned [`Claims`].
    #[must_use]
    pub fn to_claims(&self) -> Claims {
        Claims {
            subject: String::from(self.subject()),
            audience: String::from(self.audience()),
            issued_at: self.issued_at(),
            expires_at: self.expires_at(),
            auth_time: self.auth_time(),
            generation: self.generation(),
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
            .field("issued_at", &self.issued_at())
            .field("expires_at", &self.expires_at())
            .field("auth_time", &self.auth_time())
            .field("generation", &self.generation())
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
        let len = *self.claims.signed.get(self.pos)?;
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

/// Whether `bytes` are UTF-8, asking the full decoder only when they are not all ASCII (user ids
/// usually are).
fn is_utf8(bytes: &[u8]) -> bool {
    bytes.is_ascii() || core::str::from_utf8(bytes).is_ok()
}

fn span(bytes: &[u8], s: Span) -> &[u8] {
    let start = usize::from(s.start);
    bytes
        .get(start..start + usize::from(s.len))
        .unwrap_or_default()
}

/// Reads the payload layout from the front; every shortfall is [`FormatError::Claims`].
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], FormatError> {
        let end = self.pos.checked_add(n).ok_or(FormatError::Claims)?;
        let bytes = self.buf.get(self.pos..end).ok_or(FormatError::Claims)?;
        self.pos = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, FormatError> {
        let byte = *self.buf.get(self.pos).ok_or(FormatError::Claims)?;
        self.pos += 1;
        Ok(byte)
    }

    /// `N` big-endian u64s in a row.
    fn u64s<const N: usize>(&mut self) -> Result<[u64; N], FormatError> {
        let bytes = self.take(8 * N)?;
        Ok(core::array::from_fn(|i| {
            let mut word = [0; 8];
            word.copy_from_slice(&bytes[8 * i..8 * i + 8]);
            u64::from_be_bytes(word)
        }))
    }

    /// A length-prefixed field.
    fn field(&mut self) -> Result<Span, FormatError> {
        let len = self.byte()?;
        let start = u16::try_from(self.pos).map_err(|_| FormatError::Claims)?;
        self.take(usize::from(len))?;
        Ok(Span { start, len })
    }

    /// A length-prefixed field that must be a name of at most `max` bytes.
    fn name(&mut self, max: usize) -> Result<Span, FormatError> {
        let field = self.field()?;
        if is_name(span(self.buf, field), max) {
            Ok(field)
        } else {
            Err(FormatError::Claims)
        }
    }
}
