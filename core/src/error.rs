//! Every way a core operation can fail, one small `Copy` enum per operation.
//!
//! Each variant has a stable machine-readable `code()`: the server's JSON errors, the command line
//! and the WASM verifier all speak this vocabulary, and `docs/token-format.md` lists it.

use core::fmt;

use crate::time::UnixTime;

/// Why token text is not a well-formed v1 token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatError {
    /// Longer than [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN) bytes; nothing else was looked at.
    TooLong,
    /// Does not start with a Tessera prefix (`tsr<version>.`).
    Prefix,
    /// Not exactly two `.`-separated parts after the prefix.
    Parts,
    /// A part is not canonical unpadded base64url.
    Base64,
    /// The tag part does not decode to exactly 32 bytes.
    TagLength,
    /// The payload is too short or too long, or its key id field is invalid.
    Payload,
    /// The signed claims break the layout rules (checked only once the tag is valid).
    Claims,
}

impl FormatError {
    /// The stable machine-readable reason, such as `"base64"`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            FormatError::TooLong => "too_long",
            FormatError::Prefix => "prefix",
            FormatError::Parts => "parts",
            FormatError::Base64 => "base64",
            FormatError::TagLength => "tag_length",
            FormatError::Payload => "payload",
            FormatError::Claims => "claims",
        }
    }
}

impl FormatError {
    /// The sentence for people, such as the server's error messages and the WASM verifier's
    /// `detail` (also what `Display` prints).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            FormatError::TooLong => "token is longer than any valid token",
            FormatError::Prefix => "text is not a tessera token (it must start with \"tsr1.\")",
            FormatError::Parts => {
                "token must have exactly two '.'-separated parts after the prefix"
            }
            FormatError::Base64 => "token part is not canonical unpadded base64url",
            FormatError::TagLength => "token signature has the wrong length",
            FormatError::Payload => "token payload has an impossible length or key id",
            FormatError::Claims => "token claims are malformed",
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for FormatError {}

/// Why token text could not be decoded (by [`inspect`](crate::inspect) or
/// [`UnverifiedToken::parse`](crate::UnverifiedToken::parse)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecodeError {
    /// The text is not a well-formed token.
    Malformed(FormatError),
    /// The prefix names a token version this library does not implement.
    UnsupportedVersion,
}

impl DecodeError {
    /// The stable machine-readable code: `"malformed"` or `"unsupported_version"`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        VerifyError::from_decode(self).code()
    }

    /// A sentence for people (see [`VerifyError::message`]).
    #[must_use]
    pub const fn message(self) -> &'static str {
        VerifyError::from_decode(self).message()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&VerifyError::from(*self), f)
    }
}

impl core::error::Error for DecodeError {}

impl From<FormatError> for DecodeError {
    fn from(e: FormatError) -> DecodeError {
        DecodeError::Malformed(e)
    }
}

/// Why a token was rejected.
///
/// Every variant after `UnknownKey` is only ever reported for a token whose signature checked
/// out: a forged token is [`BadSignature`](VerifyError::BadSignature), whatever its claims say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyError {
    /// The text is not a well-formed token; the reason says which rule it broke.
    Malformed(FormatError),
    /// The prefix names a token version this library does not implement.
    UnsupportedVersion,
    /// The token names a key id that is not in the keyring (never issued here, or removed).
    UnknownKey,
    /// The signature does not match. Carries nothing on purpose.
    BadSignature,
    /// The token was minted for another purpose than the one expected.
    WrongAudience,
    /// The token's issue time lies further in the future than the leeway allows.
    NotYetValid {
        /// When the token was issued (and becomes valid).
        from: UnixTime,
    },
    /// The token has expired.
    Expired {
        /// The token's expiry time (before leeway).
        at: UnixTime,
    },
}

impl VerifyError {
    /// The one stable machine-readable code, such as `"expired"` or `"bad_signature"`.
    ///
    /// ```
    /// use tessera_core::{UnixTime, VerifyError};
    ///
    /// assert_eq!(VerifyError::Expired { at: UnixTime::from_secs(5) }.code(), "expired");
    /// ```
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::UnsupportedVersion => "unsupported_version",
            VerifyError::UnknownKey => "unknown_key",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::WrongAudience => "wrong_audience",
            VerifyError::NotYetValid { .. } => "not_yet_valid",
            VerifyError::Expired { .. } => "expired",
        }
    }

    /// A sentence for people, without the times `Display` adds (they are in the variant): for
    /// callers that show the reason next to those fields, or that cannot afford formatting.
    ///
    /// ```
    /// use tessera_core::{UnixTime, VerifyError};
    ///
    /// let expired = VerifyError::Expired { at: UnixTime::from_secs(5) };
    /// assert_eq!(expired.message(), "token has expired");
    /// assert_eq!(expired.to_string(), "token expired at unix time 5");
    /// ```
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            VerifyError::Malformed(reason) => reason.message(),
            VerifyError::UnsupportedVersion => {
                "unsupported token version (this verifier understands tsr1 only)"
            }
            VerifyError::UnknownKey => "token was signed with a key this verifier does not have",
            VerifyError::BadSignature => "token signature is invalid",
            VerifyError::WrongAudience => "token was issued for a different audience",
            VerifyError::NotYetValid { .. } => "token is not valid yet",
            VerifyError::Expired { .. } => "token has expired",
        }
    }

    const fn from_decode(e: DecodeError) -> VerifyError {
        match e {
            DecodeError::Malformed(reason) => VerifyError::Malformed(reason),
            DecodeError::UnsupportedVersion => VerifyError::UnsupportedVersion,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(reason) => write!(f, "malformed token: {reason}"),
            VerifyError::NotYetValid { from } => {
                write!(f, "token is not valid yet (issued for unix time {from})")
            }
            VerifyError::Expired { at } => write!(f, "token expired at unix time {at}"),
            other => f.write_str(other.message()),
        }
    }
}

impl core::error::Error for VerifyError {}

impl From<DecodeError> for VerifyError {
    fn from(e: DecodeError) -> VerifyError {
        VerifyError::from_decode(e)
    }
}

impl From<FormatError> for VerifyError {
    fn from(e: FormatError) -> VerifyError {
        VerifyError::Malformed(e)
    }
}

/// Why claims could not be minted into a token. The message names the field and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MintError {
    /// The subject is empty or longer than [`Limits::SUBJECT`](crate::Limits::SUBJECT) bytes.
    Subject,
    /// The audience is empty, too long, or has a character outside `[A-Za-z0-9._:/-]`.
    Audience,
    /// A scope is empty, too long, or has a character outside `[A-Za-z0-9._:/-]`.
    Scope,
    /// More than [`Limits::SCOPES`](crate::Limits::SCOPES) scopes.
    TooManyScopes,
    /// `expires_at` is not after `issued_at`, or `auth_time` is after `issued_at`.
    Times,
}

impl MintError {
    /// The stable machine-readable code, such as `"subject"`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            MintError::Subject => "subject",
            MintError::Audience => "audience",
            MintError::Scope => "scope",
            MintError::TooManyScopes => "too_many_scopes",
            MintError::Times => "times",
        }
    }
}

impl MintError {
    /// The sentence for people, such as the server's error messages and the WASM verifier's
    /// `detail` (also what `Display` prints).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            MintError::Subject => "subject must be 1 to 128 bytes of UTF-8",
            MintError::Audience => "audience must be 1 to 32 characters from [A-Za-z0-9._:/-]",
            MintError::Scope => "each scope must be 1 to 32 characters from [A-Za-z0-9._:/-]",
            MintError::TooManyScopes => "a token carries at most 16 scopes",
            MintError::Times => "expires_at must be after issued_at, and auth_time not after it",
        }
    }
}

impl fmt::Display for MintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for MintError {}

/// Why a key could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyError {
    /// The key id is empty, too long, or has a character outside `[A-Za-z0-9._:/-]`.
    Id,
    /// The secret is shorter than 32 bytes.
    SecretTooShort,
    /// The secret is longer than 64 bytes (HMAC-SHA256's block size).
    SecretTooLong,
}

impl KeyError {
    /// The stable machine-readable code, such as `"secret_too_short"`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            KeyError::Id => "key_id",
            KeyError::SecretTooShort => "secret_too_short",
            KeyError::SecretTooLong => "secret_too_long",
        }
    }
}

impl KeyError {
    /// The sentence for people, such as the server's error messages and the WASM verifier's
    /// `detail` (also what `Display` prints).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            KeyError::Id => "key id must be 1 to 32 characters from [A-Za-z0-9._:/-]",
            KeyError::SecretTooShort => "key secret must be at least 32 bytes",
            KeyError::SecretTooLong => "key secret must be at most 64 bytes",
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for KeyError {}

/// Why a keyring change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyringError {
    /// A key with that id is already in the keyring.
    DuplicateId,
    /// No key with that id is in the keyring.
    NoSuchKey,
    /// The signing key cannot be removed; rotate to a new one first.
    SigningKey,
}

impl KeyringError {
    /// The stable machine-readable code, such as `"duplicate_id"`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            KeyringError::DuplicateId => "duplicate_id",
            KeyringError::NoSuchKey => "no_such_key",
            KeyringError::SigningKey => "signing_key",
        }
    }
}

impl KeyringError {
    /// The sentence for people, such as the server's error messages and the WASM verifier's
    /// `detail` (also what `Display` prints).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            KeyringError::DuplicateId => "a key with this id is already in the keyring",
            KeyringError::NoSuchKey => "no key with this id is in the keyring",
            KeyringError::SigningKey => {
                "the signing key cannot be removed; rotate to a new key first"
            }
        }
    }
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for KeyringError {}

/// Why a number could not be read as a [`UnixTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeError {
    /// NaN or infinite.
    NotFinite,
    /// Before the Unix epoch.
    Negative,
    /// Past the largest representable time.
    TooLarge,
}

impl TimeError {
    /// The sentence for people, such as the server's error messages and the WASM verifier's
    /// `detail` (also what `Display` prints).
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            TimeError::NotFinite => "time must be a finite number of seconds",
            TimeError::Negative => "time must not be before the unix epoch",
            TimeError::TooLarge => "time is too far in the future",
        }
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for TimeError {}
