//! Token text <-> bytes: the version prefix, canonical base64url, the payload layout and its
//! length limits. No cryptography here; `token.rs` decides what is trusted.

use alloc::string::String;

use base64_simd::{Out, URL_SAFE_NO_PAD};
use smallvec::SmallVec;

use crate::claims::{Claims, Limits, is_name};
use crate::error::{DecodeError, FormatError};
use crate::mac::TAG_LEN;

/// The v1 prefix. It is also the MAC's domain-separation string.
pub(crate) const PREFIX: &str = "tsr1.";

/// [`PREFIX`] as an array, which compares without a call.
const PREFIX_BYTES: &[u8; PREFIX.len()] = match PREFIX.as_bytes().first_chunk() {
    Some(bytes) => bytes,
    None => unreachable!(),
};

/// Fixed-size part of the payload: four u64 fields.
const TIMES_LEN: usize = 4 * 8;

/// Shortest payload: one-byte key id, audience and subject, the times, no scopes.
const MIN_PAYLOAD_LEN: usize = 1 + 1 + 1 + 1 + 1 + 1 + TIMES_LEN + 1;

/// Longest payload: every field at its limit.
pub(crate) const MAX_PAYLOAD_LEN: usize = (1 + Limits::KEY_ID)
    + (1 + Limits::AUDIENCE)
    + (1 + Limits::SUBJECT)
    + TIMES_LEN
    + 1
    + Limits::SCOPES * (1 + Limits::SCOPE);

/// Length of `n` bytes in unpadded base64.
const fn b64_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Length of the tag part: 32 bytes in unpadded base64.
const TAG_TEXT_LEN: usize = b64_len(TAG_LEN);

/// Longest possible token text.
pub(crate) const MAX_TOKEN_LEN: usize = PREFIX.len() + b64_len(MAX_PAYLOAD_LEN) + 1 + TAG_TEXT_LEN;

/// Signed bytes up to this many are kept inline; longer ones (a long subject, many scopes) go to
/// the heap. With the prefix that leaves 91 bytes of payload: the server's tokens carry 45 to 50,
/// a UUID subject with two scopes 91, so verifying those allocates nothing, and verified claims
/// stay small enough to move cheaply.
const INLINE_SIGNED: usize = 96;

/// The bytes the MAC covers, in the order it covers them: [`PREFIX`], then the decoded payload.
/// Kept in one buffer so the MAC reads them in one piece, straight from it.
pub(crate) type Signed = SmallVec<[u8; INLINE_SIGNED]>;

/// [`PREFIX`] followed by zeros: the start of every [`Signed`] buffer, copied in one go.
static PREFIX_THEN_ZEROS: [u8; PREFIX.len() + MAX_PAYLOAD_LEN] = {
    let mut bytes = [0; PREFIX.len() + MAX_PAYLOAD_LEN];
    bytes
        .split_at_mut(PREFIX.len())
        .0
        .copy_from_slice(PREFIX_BYTES);
    bytes
};

/// The payload part of signed bytes.
pub(crate) fn payload(signed: &[u8]) -> &[u8] {
    signed.get(PREFIX.len()..).unwrap_or_default()
}

/// A decoded tag.
pub(crate) type Tag = [u8; TAG_LEN];

/// The key id field (the payload's first field) of signed bytes checked by [`decode`].
pub(crate) fn key_id(signed: &[u8]) -> &[u8] {
    let payload = payload(signed);
    let len = usize::from(payload.first().copied().unwrap_or_default());
    payload.get(1..=len).unwrap_or_default()
}

/// Splits and decodes token text into `signed` and `tag`, in the order the spec fixes: length
/// cap, prefix and version, parts, tag length, canonical base64url, payload length and key id.
///
/// The usual token is decoded in one pass that assumes its shape (the tag is the last 43
/// characters, after the only `.`; base64 decoding rejects any other `.`). Anything that does not
/// decode that way is decoded again by [`decode_checked`], which names the first rule broken, so
/// the shortcut changes no verdict, only the time a valid token takes.
pub(crate) fn decode(token: &str, signed: &mut Signed, tag: &mut Tag) -> Result<(), DecodeError> {
    let text = token.as_bytes();
    let tag_dot = text.len().saturating_sub(TAG_TEXT_LEN + 1);
    if text.len() <= MAX_TOKEN_LEN
        && text.first_chunk() == Some(PREFIX_BYTES)
        && tag_dot > PREFIX.len()
        && text.get(tag_dot) == Some(&b'.')
        && decode_payload(&text[PREFIX.len()..tag_dot], signed).is_ok()
        && decode_tag(&text[tag_dot + 1..], tag).is_ok()
    {
        return Ok(());
    }
    decode_checked(text, signed, tag)
}

/// [`decode`] one rule at a time: the first rule the text breaks is the error.
fn decode_checked(token: &[u8], signed: &mut Signed, tag: &mut Tag) -> Result<(), DecodeError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(FormatError::TooLong.into());
    }
    let Some(rest) = token.strip_prefix(PREFIX.as_bytes()) else {
        return Err(classify_prefix(token));
    };
    let dot = memchr::memchr(b'.', rest).ok_or(FormatError::Parts)?;
    let (payload_text, tag_text) = (&rest[..dot], &rest[dot + 1..]);
    if memchr::memchr(b'.', tag_text).is_some() {
        return Err(FormatError::Parts.into());
    }
    decode_tag(tag_text, tag)?;
    decode_payload(payload_text, signed)?;
    Ok(())
}

/// Decodes the tag part: its length, then canonical base64url.
fn decode_tag(tag_text: &[u8], tag: &mut Tag) -> Result<(), FormatError> {
    if tag_text.len() != TAG_TEXT_LEN {
        return Err(FormatError::TagLength);
    }
    decode_base64(tag_text, tag)
}

/// Decodes the payload part behind the prefix in `signed`: its length, canonical base64url, then
/// the key id field.
fn decode_payload(payload_text: &[u8], signed: &mut Signed) -> Result<(), FormatError> {
    if payload_text.len() > b64_len(MAX_PAYLOAD_LEN) {
        return Err(FormatError::Payload);
    }
    let len = URL_SAFE_NO_PAD
        .decoded_length(payload_text)
        .map_err(|_| FormatError::Base64)?;
    if len < MIN_PAYLOAD_LEN {
        return Err(FormatError::Payload);
    }
    signed.clear();
    signed.extend_from_slice(
        PREFIX_THEN_ZEROS
            .get(..PREFIX.len() + len)
            .ok_or(FormatError::Payload)?,
    );
    let payload = &mut signed[PREFIX.len()..];
    decode_base64_exact(payload_text, payload)?;
    let key_id_len = usize::from(payload[0]);
    if key_id_len >= len || !is_name(&payload[1..=key_id_len], Limits::KEY_ID) {
        return Err(FormatError::Payload);
    }
    Ok(())
}

/// Decodes canonical unpadded base64url `text` into `out`, which must be exactly as long as the
/// decoded bytes: any other character, padding, or unused trailing bits that are not zero is a
/// [`FormatError::Base64`].
fn decode_base64(text: &[u8], out: &mut [u8]) -> Result<(), FormatError> {
    if URL_SAFE_NO_PAD.decoded_length(text).ok() != Some(out.len()) {
        return Err(FormatError::Base64);
    }
    decode_base64_exact(text, out)
}

/// [`decode_base64`] for an `out` already sized with `decoded_length(text)`.
fn decode_base64_exact(text: &[u8], out: &mut [u8]) -> Result<(), FormatError> {
    URL_SAFE_NO_PAD
        .decode(text, Out::from_slice(out))
        .map(|_| ())
        .map_err(|_| FormatError::Base64)
}

/// Tells an unsupported version (`tsr<digits>.`) apart from text that is no Tessera token at all.
fn classify_prefix(token: &[u8]) -> DecodeError {
    let Some(rest) = token.strip_prefix(b"tsr") else {
        return FormatError::Prefix.into();
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && rest.get(digits) == Some(&b'.') {
        DecodeError::UnsupportedVersion
    } else {
        FormatError::Prefix.into()
    }
}

/// Writes the prefix and the payload for `claims` signed by `key_id` into `out` (replacing what it
/// held). The caller has checked the claims, so every field fits its length byte. Filling the
/// caller's buffer rather than returning one saves moving it.
pub(crate) fn encode_payload(key_id: &str, claims: &Claims, out: &mut Signed) {
    let fields = [key_id, &claims.audience, &claims.subject];
    let len = PREFIX.len()
        + fields.iter().map(|f| 1 + f.len()).sum::<usize>()
        + TIMES_LEN
        + 1
        + claims.scopes.iter().map(|s| 1 + s.len()).sum::<usize>();
    // A fresh buffer rather than sizing `out` as `decode` does: fewer instructions here.
    *out = match PREFIX_THEN_ZEROS.first_chunk::<INLINE_SIGNED>() {
        Some(&inline) if len <= INLINE_SIGNED => Signed::from_buf_and_len(inline, len),
        _ => Signed::from_slice(PREFIX_THEN_ZEROS.get(..len).unwrap_or_default()),
    };
    let mut w = Writer {
        out,
        pos: PREFIX.len(),
    };
    for field in fields {
        w.field(field.as_bytes());
    }
    let numbers = [
        claims.issued_at.as_secs(),
        claims.expires_at.as_secs(),
        claims.auth_time.as_secs(),
        claims.generation,
    ];
    let mut times = [0; TIMES_LEN];
    for (bytes, number) in times.chunks_exact_mut(8).zip(numbers) {
        bytes.copy_from_slice(&number.to_be_bytes());
    }
    w.bytes(&times);
    w.bytes(&[u8::try_from(claims.scopes.len()).unwrap_or(u8::MAX)]);
    for scope in &claims.scopes {
        w.field(scope.as_bytes());
    }
}

/// Fills a buffer sized in advance from the front.
struct Writer<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        if let Some(dst) = self.out.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }

    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&[u8::try_from(bytes.len()).unwrap_or(u8::MAX)]);
        self.bytes(bytes);
    }
}

/// Token text for encoded signed bytes and their tag.
pub(crate) fn encode_text(signed: &[u8], tag: &Tag) -> String {
    let payload = payload(signed);
    let mut text = String::with_capacity(PREFIX.len() + b64_len(payload.len()) + 1 + TAG_TEXT_LEN);
    text.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_append(payload, &mut text);
    text.push('.');
    URL_SAFE_NO_PAD.encode_append(tag, &mut text);
    text
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec::Vec;

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::*;
    use crate::key::Key;
    use crate::keyring::Keyring;
    use crate::time::UnixTime;
    use crate::token_claims::TokenClaims;

    /// Token text near the usual shape: a valid token (subjects of many lengths, so the payload's
    /// base64 ends every possible way) with a few characters replaced, inserted or deleted, drawn
    /// from the alphabet, the separator and the characters canonical base64url forbids.
    fn token_like() -> impl Strategy<Value = String> {
        let edit = (
            any::<prop::sample::Index>(),
            0..3u8,
            prop::sample::select(b"Aa0_-.=+/ \xc3".to_vec()),
        );
        ("[a-z0-9]{1,80}", prop::collection::vec(edit, 0..3)).prop_map(|(subject, edits)| {
            let keyring = Keyring::new(Key::new("k1", &[3; 32]).unwrap());
            let claims = Claims::new(&subject, "access", UnixTime::from_secs(1_000), 60);
            let mut text = keyring.mint(&claims).unwrap().into_bytes();
            for (at, kind, byte) in edits {
                let i = at.index(text.len() + 1);
                match (kind, i < text.len()) {
                    (0, true) => text[i] = byte,
                    (1, true) => {
                        text.remove(i);
                    }
                    _ => text.insert(i, byte),
                }
            }
            String::from_utf8_lossy(&text).to_string()
        })
    }

    proptest! {
        #[test]
        fn the_one_pass_decoder_agrees_with_the_rules_on_every_text(text in token_like()) {
            let (mut fast_signed, mut fast_tag) = (Signed::new(), [0; TAG_LEN]);
            let (mut ruled_signed, mut ruled_tag) = (Signed::new(), [0; TAG_LEN]);
            let fast = decode(&text, &mut fast_signed, &mut fast_tag);
            let ruled = decode_checked(text.as_bytes(), &mut ruled_signed, &mut ruled_tag);
            prop_assert_eq!(fast, ruled);
            if fast.is_ok() {
                prop_assert_eq!(fast_signed.to_vec(), ruled_signed.to_vec());
                prop_assert_eq!(fast_tag, ruled_tag);
            }
        }
    }

    #[test]
    fn edited_tokens_reach_both_decoders_and_every_early_rule() {
        // The property above is only worth something if its inputs take both paths and end in
        // many different verdicts; check that on a fixed sample.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut verdicts = Vec::new();
        for _ in 0..2_000 {
            let text = token_like().new_tree(&mut runner).unwrap().current();
            let verdict = decode(&text, &mut Signed::new(), &mut [0; TAG_LEN]);
            if !verdicts.contains(&verdict) {
                verdicts.push(verdict);
            }
        }
        for expected in [
            Ok(()),
            Err(FormatError::Parts.into()),
            Err(FormatError::Base64.into()),
            Err(FormatError::TagLength.into()),
            Err(FormatError::Prefix.into()),
        ] {
            assert!(
                verdicts.contains(&expected),
                "no {expected:?} among {verdicts:?}"
            );
        }
    }

    #[test]
    fn the_limits_add_up_to_the_documented_numbers() {
        assert_eq!(MIN_PAYLOAD_LEN, 39);
        assert_eq!(MAX_PAYLOAD_LEN, 756);
        assert_eq!(TAG_TEXT_LEN, 43);
        assert_eq!(MAX_TOKEN_LEN, 1057);
    }

    #[test]
    fn other_versions_are_unsupported_and_other_text_is_not_a_token() {
        let decode = |text: &str| decode(text, &mut Signed::new(), &mut [0; TAG_LEN]).err();
        let tag = "A".repeat(43);
        let unsupported = Some(DecodeError::UnsupportedVersion);
        let prefix = Some(FormatError::Prefix.into());
        assert_eq!(decode(&alloc::format!("tsr2.AAAA.{tag}")), unsupported);
        assert_eq!(decode("tsr10.x"), unsupported);
        assert_eq!(decode("tsr.x"), prefix);
        assert_eq!(decode("TSR1.x"), prefix);
        assert_eq!(decode(""), prefix);
        assert_eq!(decode("eyJhbGciOiJIUzI1NiJ9.e30.x"), prefix);
    }

    #[test]
    fn payloads_round_trip_through_the_layout() {
        let mut claims = Claims::new("user-7", "access", UnixTime::from_secs(10), 5);
        claims.scopes = alloc::vec!["read".into(), "write:all".into()];
        claims.generation = u64::MAX;
        let mut signed = Signed::new();
        encode_payload("k1", &claims, &mut signed);
        assert!(signed.starts_with(PREFIX.as_bytes()));
        let mut read = TokenClaims::new(signed.clone());
        assert_eq!(read.read(), Ok(()));
        assert_eq!(read.key_id(), "k1");
        assert_eq!(read.to_claims(), claims);
        signed.pop();
        assert_eq!(TokenClaims::new(signed).read(), Err(FormatError::Claims));
    }
}
