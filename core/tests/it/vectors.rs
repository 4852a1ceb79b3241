//! Replays every case in `testdata/vectors.json`, the executable companion of
//! `docs/token-format.md`: verification must give exactly the expected outcome, and minting the
//! expected claims must reproduce each valid token byte for byte.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use tessera_core::{Claims, Key, Keyring, UnixTime, VerifyError, VerifyOptions};

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    keys: Vec<KeyJson>,
    token: String,
    now: u64,
    leeway: u64,
    audience: String,
    expect: Expect,
}

#[derive(Deserialize)]
struct KeyJson {
    id: String,
    secret: String,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Expect {
    valid: bool,
    key_id: Option<String>,
    claims: Option<ClaimsJson>,
    error: Option<String>,
    reason: Option<String>,
    expired_at: Option<u64>,
    valid_from: Option<u64>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct ClaimsJson {
    subject: String,
    audience: String,
    issued_at: u64,
    expires_at: u64,
    auth_time: u64,
    generation: u64,
    scopes: Vec<String>,
}

impl ClaimsJson {
    fn to_claims(&self) -> Claims {
        Claims {
            subject: self.subject.clone(),
            audience: self.audience.clone(),
            issued_at: UnixTime::from_secs(self.issued_at),
            expires_at: UnixTime::from_secs(self.expires_at),
            auth_time: UnixTime::from_secs(self.auth_time),
            generation: self.generation,
            scopes: self.scopes.clone(),
        }
    }
}

fn load() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/vectors.json");
    let text = std::fs::read_to_string(path).expect("testdata/vectors.json is readable");
    serde_json::from_str::<File>(&text)
        .expect("vectors.json parses")
        .cases
}

fn keyring(keys: &[KeyJson]) -> Keyring {
    let key = |k: &KeyJson| {
        let secret = URL_SAFE_NO_PAD
            .decode(&k.secret)
            .expect("secret is base64url");
        Key::new(&k.id, &secret).expect("vector keys are valid")
    };
    let mut ring = Keyring::new(key(&keys[0]));
    for k in &keys[1..] {
        ring.add_verify_only(key(k))
            .expect("vector key ids are unique");
    }
    ring
}

fn outcome(result: Result<tessera_core::Verified, VerifyError>) -> Expect {
    let mut e = Expect {
        valid: false,
        key_id: None,
        claims: None,
        error: None,
        reason: None,
        expired_at: None,
        valid_from: None,
    };
    match result {
        Ok(v) => {
            let c = v.claims();
            e.valid = true;
            e.key_id = Some(v.key_id().to_owned());
            e.claims = Some(ClaimsJson {
                subject: c.subject().to_owned(),
                audience: c.audience().to_owned(),
                issued_at: c.issued_at().as_secs(),
                expires_at: c.expires_at().as_secs(),
                auth_time: c.auth_time().as_secs(),
                generation: c.generation(),
                scopes: c.scopes().map(str::to_owned).collect(),
            });
        }
        Err(err) => {
            e.error = Some(err.code().to_owned());
            match err {
                VerifyError::Malformed(reason) => e.reason = Some(reason.code().to_owned()),
                VerifyError::Expired { at } => e.expired_at = Some(at.as_secs()),
                VerifyError::NotYetValid { from } => e.valid_from = Some(from.as_secs()),
                _ => {}
            }
        }
    }
    e
}

#[test]
fn there_are_enough_vectors_and_every_error_kind_is_covered() {
    let cases = load();
    assert!(cases.len() >= 40, "only {} vectors", cases.len());
    let codes = [
        "malformed",
        "unsupported_version",
        "unknown_key",
        "bad_signature",
        "wrong_audience",
        "not_yet_valid",
        "expired",
    ];
    for code in codes {
        assert!(
            cases
                .iter()
                .any(|c| c.expect.error.as_deref() == Some(code)),
            "no vector expects {code}"
        );
    }
    let reasons = [
        "too_long",
        "prefix",
        "parts",
        "base64",
        "tag_length",
        "payload",
        "claims",
    ];
    for reason in reasons {
        assert!(
            cases
                .iter()
                .any(|c| c.expect.reason.as_deref() == Some(reason)),
            "no vector expects malformed/{reason}"
        );
    }
}

#[test]
fn every_vector_verifies_to_its_expected_outcome() {
    let mut failures = Vec::new();
    for case in load() {
        let options = VerifyOptions::new(&case.audience).with_leeway_secs(case.leeway);
        let got = outcome(keyring(&case.keys).verify(
            &case.token,
            &options,
            UnixTime::from_secs(case.now),
        ));
        if got != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                case.name, case.expect, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn minting_the_claims_of_every_valid_vector_reproduces_its_token() {
    for case in load().into_iter().filter(|c| c.expect.valid) {
        let key_id = case
            .expect
            .key_id
            .as_deref()
            .expect("valid vectors name their key");
        let signer = case
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .expect("the signing key is listed");
        let ring = keyring(std::slice::from_ref(signer));
        let claims = case
            .expect
            .claims
            .as_ref()
            .expect("valid vectors carry claims")
            .to_claims();
        assert_eq!(
            ring.mint(&claims).as_deref(),
            Ok(case.token.as_str()),
            "{}",
            case.name
        );
    }
}

#[test]
fn inspect_reads_the_claims_of_every_well_formed_vector_without_a_key() {
    for case in load() {
        let inspected = tessera_core::inspect(&case.token);
        if let Some(claims) = &case.expect.claims {
            let seen = inspected
                .as_ref()
                .expect("valid tokens inspect")
                .untrusted_claims()
                .to_claims();
            assert_eq!(seen, claims.to_claims(), "{}", case.name);
        }
        if case.expect.error.as_deref() == Some("malformed")
            && case.expect.reason.as_deref() != Some("claims")
        {
            assert!(
                inspected.is_err(),
                "{} inspects but is malformed",
                case.name
            );
        }
    }
}
