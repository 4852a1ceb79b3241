//! Writes `testdata/vectors.json`: `cargo run -p tessera-core --example make_vectors > testdata/vectors.json`.
//!
//! Every case states its expected outcome here, by hand; this program refuses to write a case the
//! library disagrees with. `core/tests/it/vectors.rs` and `testdata/check_vectors.py` (an
//! independent implementation written from `docs/token-format.md`) then replay the file.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tessera_core::{Claims, Key, Keyring, UnixTime, VerifyOptions};

const IAT: u64 = 1_700_000_000;
const TTL: u64 = 600;
const EXP: u64 = IAT + TTL;
const LEEWAY: u64 = 5;

fn secret(n: u8) -> Vec<u8> {
    (0..32)
        .map(|i| n.wrapping_mul(31).wrapping_add(i * 7))
        .collect()
}

struct Case {
    name: String,
    keys: Vec<(&'static str, Vec<u8>)>,
    token: String,
    now: u64,
    leeway: u64,
    audience: &'static str,
    expect: Value,
}

fn claims() -> Claims {
    let mut c = Claims::new("user-1234", "access", UnixTime::from_secs(IAT), TTL);
    c.generation = 1;
    c
}

fn mint(id: &str, key: &[u8], claims: &Claims) -> String {
    Keyring::new(Key::new(id, key).expect("valid key"))
        .mint(claims)
        .expect("valid claims")
}

/// Signs arbitrary payload bytes the way v1 does, to build authentic tokens the library would never mint.
fn sign_raw(key: &[u8], payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any length");
    mac.update(b"tsr1.");
    mac.update(payload);
    let tag = mac.finalize().into_bytes();
    format!("tsr1.{}.{}", B64.encode(payload), B64.encode(tag))
}

/// The v1 payload layout, written out independently of the library.
fn payload(
    kid: &[u8],
    aud: &[u8],
    sub: &[u8],
    times: [u64; 4],
    scopes: &[&[u8]],
    count: u8,
) -> Vec<u8> {
    let mut p = Vec::new();
    for field in [kid, aud, sub] {
        p.push(field.len() as u8);
        p.extend_from_slice(field);
    }
    for t in times {
        p.extend_from_slice(&t.to_be_bytes());
    }
    p.push(count);
    for s in scopes {
        p.push(s.len() as u8);
        p.extend_from_slice(s);
    }
    p
}

fn claims_json(c: &Claims) -> Value {
    json!({
        "subject": c.subject,
        "audience": c.audience,
        "issued_at": c.issued_at.as_secs(),
        "expires_at": c.expires_at.as_secs(),
        "auth_time": c.auth_time.as_secs(),
        "generation": c.generation,
        "scopes": c.scopes,
    })
}

fn valid(key_id: &str, c: &Claims) -> Value {
    json!({ "valid": true, "key_id": key_id, "claims": claims_json(c) })
}

fn invalid(error: &str) -> Value {
    json!({ "valid": false, "error": error })
}

fn malformed(reason: &str) -> Value {
    json!({ "valid": false, "error": "malformed", "reason": reason })
}

fn flip_bit(token: &str, index: usize, bit: u8) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[index] ^= 1 << bit;
    String::from_utf8(bytes).expect("ascii stays ascii")
}

/// Replaces the character at `index` with the character whose 6-bit value differs only in the
/// low bits, which a canonical decoder requires to be zero at the end of a part.
fn set_trailing_bits(token: &str, index: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = token.as_bytes();
    let value = ALPHABET
        .iter()
        .position(|&c| c == bytes[index])
        .expect("base64url char");
    let mut out = bytes.to_vec();
    out[index] = ALPHABET[value | 1];
    String::from_utf8(out).expect("ascii")
}

fn main() {
    let (k1, k2, k3) = (secret(1), secret(2), secret(3));
    let c = claims();
    let t = mint("k1", &k1, &c);
    let ring1 = || vec![("k1", k1.clone())];
    let mut cases: Vec<Case> = Vec::new();
    let mut add = |name: &str,
                   keys: Vec<(&'static str, Vec<u8>)>,
                   token: String,
                   now: u64,
                   leeway: u64,
                   audience: &'static str,
                   expect: Value| {
        cases.push(Case {
            name: name.into(),
            keys,
            token,
            now,
            leeway,
            audience,
            expect,
        });
    };

    // Valid tokens.
    add(
        "valid/typical",
        ring1(),
        t.clone(),
        IAT + 1,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    let mut scoped = c.clone();
    scoped.scopes = vec!["read".into(), "write:orders".into(), "admin/users".into()];
    add(
        "valid/scopes",
        ring1(),
        mint("k1", &k1, &scoped),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &scoped),
    );
    let mut unicode = c.clone();
    unicode.subject = "ユーザー✓ 42".into();
    add(
        "valid/unicode_subject",
        ring1(),
        mint("k1", &k1, &unicode),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &unicode),
    );
    // Characters outside the Basic Multilingual Plane (two UTF-16 units each), quotes, a
    // backslash, spaces and control characters: a subject is any UTF-8, and bindings that move
    // it between encodings must not lose or split any of it.
    let mut awkward = c.clone();
    awkward.subject = "\u{1F511} \"quoted\" back\\slash\ttab\nnew line \u{1D4B3}".into();
    add(
        "valid/awkward_subject",
        ring1(),
        mint("k1", &k1, &awkward),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &awkward),
    );
    let mut renewed = c.clone();
    renewed.auth_time = UnixTime::from_secs(IAT - 86_000);
    renewed.generation = u64::MAX;
    add(
        "valid/renewed_session_max_generation",
        ring1(),
        mint("k1", &k1, &renewed),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &renewed),
    );
    let long_id = "k".repeat(32);
    let mut largest = c.clone();
    largest.subject = "é".repeat(64);
    largest.audience = "a".repeat(32);
    largest.scopes = (0..16).map(|i| format!("{i:0>32}")).collect();
    let largest_token = mint(&long_id, &k1, &largest);
    assert_eq!(
        largest_token.len(),
        tessera_core::MAX_TOKEN_LEN,
        "the largest token is exactly the cap"
    );
    add(
        "valid/largest_possible_token",
        vec![("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", k1.clone())],
        largest_token.clone(),
        IAT,
        LEEWAY,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        valid(&long_id, &largest),
    );
    let mut far = c.clone();
    far.issued_at = UnixTime::from_secs(u64::MAX - 10);
    far.auth_time = far.issued_at;
    far.expires_at = UnixTime::from_secs(u64::MAX);
    add(
        "valid/expiry_at_u64_max_does_not_overflow",
        ring1(),
        mint("k1", &k1, &far),
        u64::MAX - 1,
        LEEWAY,
        "access",
        valid("k1", &far),
    );
    add(
        "expired/expiry_at_u64_max_saturates",
        ring1(),
        mint("k1", &k1, &far),
        u64::MAX,
        0,
        "access",
        json!({"valid": false, "error": "expired", "expired_at": u64::MAX}),
    );
    let mut long_secret = c.clone();
    long_secret.subject = "64-byte secret".into();
    let k64: Vec<u8> = (0..64).collect();
    add(
        "valid/64_byte_secret",
        vec![("k1", k64.clone())],
        mint("k1", &k64, &long_secret),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &long_secret),
    );

    // Expiry and not-before boundaries (issued_at = IAT, expires_at = EXP, leeway 5).
    let expired = json!({"valid": false, "error": "expired", "expired_at": EXP});
    let early = json!({"valid": false, "error": "not_yet_valid", "valid_from": IAT});
    add(
        "time/exp_minus_1",
        ring1(),
        t.clone(),
        EXP - 1,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    add(
        "time/exp_within_leeway",
        ring1(),
        t.clone(),
        EXP,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    add(
        "time/exp_plus_leeway_minus_1",
        ring1(),
        t.clone(),
        EXP + LEEWAY - 1,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    add(
        "time/exp_plus_leeway",
        ring1(),
        t.clone(),
        EXP + LEEWAY,
        LEEWAY,
        "access",
        expired.clone(),
    );
    add(
        "time/exp_plus_leeway_plus_1",
        ring1(),
        t.clone(),
        EXP + LEEWAY + 1,
        LEEWAY,
        "access",
        expired.clone(),
    );
    add(
        "time/exp_with_zero_leeway",
        ring1(),
        t.clone(),
        EXP,
        0,
        "access",
        expired.clone(),
    );
    add(
        "time/exp_minus_1_with_zero_leeway",
        ring1(),
        t.clone(),
        EXP - 1,
        0,
        "access",
        valid("k1", &c),
    );
    add(
        "time/long_expired",
        ring1(),
        t.clone(),
        EXP + 86_400,
        LEEWAY,
        "access",
        expired.clone(),
    );
    add(
        "time/iat_minus_leeway",
        ring1(),
        t.clone(),
        IAT - LEEWAY,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    add(
        "time/iat_minus_leeway_minus_1",
        ring1(),
        t.clone(),
        IAT - LEEWAY - 1,
        LEEWAY,
        "access",
        early.clone(),
    );
    add(
        "time/far_future_token",
        ring1(),
        t.clone(),
        0,
        LEEWAY,
        "access",
        early.clone(),
    );
    add(
        "time/huge_leeway_saturates",
        ring1(),
        t.clone(),
        u64::MAX - 1,
        u64::MAX,
        "access",
        valid("k1", &c),
    );

    // Key rotation.
    let rotated = || vec![("k2", k2.clone()), ("k1", k1.clone())];
    add(
        "rotation/old_key_still_verifies",
        rotated(),
        t.clone(),
        IAT,
        LEEWAY,
        "access",
        valid("k1", &c),
    );
    add(
        "rotation/new_key_verifies",
        rotated(),
        mint("k2", &k2, &c),
        IAT,
        LEEWAY,
        "access",
        valid("k2", &c),
    );
    add(
        "rotation/removed_key_fails",
        vec![("k2", k2.clone())],
        t.clone(),
        IAT,
        LEEWAY,
        "access",
        invalid("unknown_key"),
    );
    add(
        "rotation/same_id_other_secret",
        vec![("k1", k3.clone())],
        t.clone(),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );

    // Audience.
    let mut reset = c.clone();
    reset.audience = "password-reset".into();
    add(
        "audience/other_purpose",
        ring1(),
        mint("k1", &k1, &reset),
        IAT,
        LEEWAY,
        "access",
        invalid("wrong_audience"),
    );
    add(
        "audience/is_case_sensitive",
        ring1(),
        t.clone(),
        IAT,
        LEEWAY,
        "Access",
        invalid("wrong_audience"),
    );
    add(
        "audience/checked_before_expiry",
        ring1(),
        mint("k1", &k1, &reset),
        EXP + 3600,
        LEEWAY,
        "access",
        invalid("wrong_audience"),
    );

    // Forgeries: a bad tag wins over anything the claims say.
    let (_, tag_text) = t.rsplit_once('.').expect("two parts");
    let payload_start = "tsr1.".len();
    let tag_start = t.len() - tag_text.len();
    add(
        "tamper/flip_bit_in_payload_subject",
        ring1(),
        flip_bit(&t, payload_start + 12, 0),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );
    add(
        "tamper/flip_bit_in_payload_times",
        ring1(),
        flip_bit(&t, payload_start + 30, 1),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );
    add(
        "tamper/flip_bit_in_tag",
        ring1(),
        flip_bit(&t, tag_start + 5, 2),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );
    add(
        "tamper/flip_bit_in_prefix_letter",
        ring1(),
        flip_bit(&t, 0, 5),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "tamper/flip_bit_in_prefix_version",
        ring1(),
        flip_bit(&t, 3, 1),
        IAT,
        LEEWAY,
        "access",
        invalid("unsupported_version"),
    );
    add(
        "tamper/flip_bit_in_separator",
        ring1(),
        flip_bit(&t, tag_start - 1, 0),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    let mut forged_expired = c.clone();
    forged_expired.expires_at = UnixTime::from_secs(IAT + 1);
    add(
        "tamper/forged_and_expired_is_bad_signature",
        ring1(),
        mint("k1", &k3, &forged_expired),
        EXP + 3600,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );
    add(
        "tamper/forged_and_wrong_audience_is_bad_signature",
        ring1(),
        mint("k1", &k3, &reset),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );
    add(
        "tamper/tag_from_another_token",
        ring1(),
        format!(
            "{}.{}",
            t.rsplit_once('.').expect("two parts").0,
            mint("k1", &k1, &scoped)
                .rsplit_once('.')
                .expect("two parts")
                .1
        ),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );

    // Text that is not a well-formed token.
    add(
        "malformed/empty",
        ring1(),
        String::new(),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "malformed/prefix_only",
        ring1(),
        "tsr1.".into(),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    add(
        "malformed/missing_separator",
        ring1(),
        t.replacen('.', "", 2).replacen("tsr1", "tsr1.", 1),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    add(
        "malformed/extra_separator_at_end",
        ring1(),
        format!("{t}."),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    add(
        "malformed/extra_separator_in_payload",
        ring1(),
        t.replacen("tsr1.", "tsr1..", 1),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    add(
        "malformed/truncated_tag",
        ring1(),
        t[..t.len() - 1].into(),
        IAT,
        LEEWAY,
        "access",
        malformed("tag_length"),
    );
    add(
        "malformed/truncated_to_payload",
        ring1(),
        t[..tag_start - 1].into(),
        IAT,
        LEEWAY,
        "access",
        malformed("parts"),
    );
    add(
        "malformed/empty_payload",
        ring1(),
        format!("tsr1..{tag_text}"),
        IAT,
        LEEWAY,
        "access",
        malformed("payload"),
    );
    add(
        "malformed/padded_tag",
        ring1(),
        format!("{t}="),
        IAT,
        LEEWAY,
        "access",
        malformed("tag_length"),
    );
    add(
        "malformed/tag_with_trailing_bits_set",
        ring1(),
        set_trailing_bits(&t, t.len() - 1),
        IAT,
        LEEWAY,
        "access",
        malformed("base64"),
    );
    let payload_text = &t[payload_start..tag_start - 1];
    assert_eq!(
        payload_text.len() % 4,
        3,
        "the typical payload ends in a partial quantum"
    );
    add(
        "malformed/padded_payload",
        ring1(),
        format!("tsr1.{payload_text}=.{tag_text}"),
        IAT,
        LEEWAY,
        "access",
        malformed("base64"),
    );
    add(
        "malformed/payload_with_trailing_bits_set",
        ring1(),
        set_trailing_bits(&t, tag_start - 2),
        IAT,
        LEEWAY,
        "access",
        malformed("base64"),
    );
    add(
        "malformed/standard_alphabet_plus",
        ring1(),
        format!("tsr1.+{}.{tag_text}", &payload_text[1..]),
        IAT,
        LEEWAY,
        "access",
        malformed("base64"),
    );
    add(
        "malformed/standard_alphabet_slash",
        ring1(),
        format!("{}/", &t[..t.len() - 1]),
        IAT,
        LEEWAY,
        "access",
        malformed("base64"),
    );
    add(
        "malformed/whitespace_before",
        ring1(),
        format!(" {t}"),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "malformed/newline_after",
        ring1(),
        format!("{t}\n"),
        IAT,
        LEEWAY,
        "access",
        malformed("tag_length"),
    );
    add(
        "malformed/over_long",
        ring1(),
        format!("{largest_token}A"),
        IAT,
        LEEWAY,
        "access",
        malformed("too_long"),
    );
    add(
        "malformed/far_too_long",
        ring1(),
        "A".repeat(4096),
        IAT,
        LEEWAY,
        "access",
        malformed("too_long"),
    );
    add(
        "malformed/non_ascii_junk",
        ring1(),
        "tsr1.ünïcödé.😀".into(),
        IAT,
        LEEWAY,
        "access",
        malformed("tag_length"),
    );
    add(
        "malformed/non_ascii_instead_of_prefix",
        ring1(),
        "ẗsr1.AAAA.AAAA".into(),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "malformed/jwt",
        ring1(),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl".into(),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "malformed/uppercase_prefix",
        ring1(),
        t.replacen("tsr1", "TSR1", 1),
        IAT,
        LEEWAY,
        "access",
        malformed("prefix"),
    );
    add(
        "version/v2",
        ring1(),
        t.replacen("tsr1.", "tsr2.", 1),
        IAT,
        LEEWAY,
        "access",
        invalid("unsupported_version"),
    );
    add(
        "version/v0",
        ring1(),
        t.replacen("tsr1.", "tsr0.", 1),
        IAT,
        LEEWAY,
        "access",
        invalid("unsupported_version"),
    );
    add(
        "version/v10",
        ring1(),
        t.replacen("tsr1.", "tsr10.", 1),
        IAT,
        LEEWAY,
        "access",
        invalid("unsupported_version"),
    );
    add(
        "malformed/payload_too_short",
        ring1(),
        format!("tsr1.{}.{tag_text}", B64.encode([2u8, b'k', b'1', 0, 0])),
        IAT,
        LEEWAY,
        "access",
        malformed("payload"),
    );
    let times = [IAT, EXP, IAT, 1];
    add(
        "malformed/empty_key_id",
        ring1(),
        sign_raw(&k1, &payload(b"", b"access", b"1234", times, &[], 0)),
        IAT,
        LEEWAY,
        "access",
        malformed("payload"),
    );
    add(
        "malformed/key_id_with_space",
        ring1(),
        sign_raw(&k1, &payload(b"k 1", b"access", b"1234", times, &[], 0)),
        IAT,
        LEEWAY,
        "access",
        malformed("payload"),
    );
    add(
        "malformed/key_id_longer_than_payload",
        ring1(),
        sign_raw(&k1, &[200u8; 40]),
        IAT,
        LEEWAY,
        "access",
        malformed("payload"),
    );

    // Authentic (correctly signed) payloads that break the layout rules: "claims" only after the tag.
    let signed = |p: Vec<u8>| sign_raw(&k1, &p);
    add(
        "claims/trailing_byte",
        ring1(),
        signed([payload(b"k1", b"access", b"1234", times, &[], 0), vec![0]].concat()),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/truncated_scopes",
        ring1(),
        signed(payload(b"k1", b"access", b"1234", times, &[], 1)),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/expiry_not_after_issue",
        ring1(),
        signed(payload(
            b"k1",
            b"access",
            b"1234",
            [IAT, IAT, IAT, 1],
            &[],
            0,
        )),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/auth_time_after_issue",
        ring1(),
        signed(payload(
            b"k1",
            b"access",
            b"1234",
            [IAT, EXP, IAT + 1, 1],
            &[],
            0,
        )),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/subject_not_utf8",
        ring1(),
        signed(payload(b"k1", b"access", b"\xff\xfe", times, &[], 0)),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/empty_subject",
        ring1(),
        signed(payload(b"k1", b"access", b"", times, &[], 0)),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/audience_with_space",
        ring1(),
        signed(payload(b"k1", b"acc ess", b"1234", times, &[], 0)),
        IAT,
        LEEWAY,
        "acc ess",
        malformed("claims"),
    );
    let seventeen: Vec<&[u8]> = vec![b"s"; 17];
    add(
        "claims/seventeen_scopes",
        ring1(),
        signed(payload(b"k1", b"access", b"1234", times, &seventeen, 17)),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/empty_scope",
        ring1(),
        signed(payload(b"k1", b"access", b"1234", times, &[b""], 1)),
        IAT,
        LEEWAY,
        "access",
        malformed("claims"),
    );
    add(
        "claims/forged_layout_error_is_bad_signature",
        ring1(),
        sign_raw(
            &k3,
            &[payload(b"k1", b"access", b"1234", times, &[], 0), vec![0]].concat(),
        ),
        IAT,
        LEEWAY,
        "access",
        invalid("bad_signature"),
    );

    check_and_print(cases);
}

fn check_and_print(cases: Vec<Case>) {
    let mut out = Vec::new();
    for case in cases {
        let mut keys = case.keys.iter();
        let (id, secret) = keys.next().expect("at least one key");
        let mut ring = Keyring::new(Key::new(id, secret).expect("valid key"));
        for (id, secret) in keys {
            ring.add_verify_only(Key::new(id, secret).expect("valid key"))
                .expect("unique ids");
        }
        let options = VerifyOptions::new(case.audience).with_leeway_secs(case.leeway);
        let got = match ring.verify(&case.token, &options, UnixTime::from_secs(case.now)) {
            Ok(v) => valid(v.key_id(), &v.claims().to_claims()),
            Err(e) => {
                let mut value = json!({ "valid": false, "error": e.code() });
                match e {
                    tessera_core::VerifyError::Malformed(reason) => {
                        value["reason"] = reason.code().into()
                    }
                    tessera_core::VerifyError::Expired { at } => {
                        value["expired_at"] = at.as_secs().into()
                    }
                    tessera_core::VerifyError::NotYetValid { from } => {
                        value["valid_from"] = from.as_secs().into()
                    }
                    _ => {}
                }
                value
            }
        };
        assert_eq!(
            got, case.expect,
            "case {} disagrees with the library",
            case.name
        );
        out.push(json!({
            "name": case.name,
            "keys": case.keys.iter().map(|(id, s)| json!({"id": id, "secret": B64.encode(s)})).collect::<Vec<_>>(),
            "token": case.token,
            "now": case.now,
            "leeway": case.leeway,
            "audience": case.audience,
            "expect": case.expect,
        }));
    }
    let file = json!({
        "description": "Tessera token format v1 test vectors; see docs/token-format.md, section Test vectors",
        "version": 1,
        "cases": out,
    });
    println!("{}", serde_json::to_string_pretty(&file).expect("json"));
}
