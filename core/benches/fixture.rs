//! What both benchmarks measure: a typical token, the floor (raw HMAC-SHA256 over the bytes the v1
//! MAC covers, from a precomputed keyed state), the floor for minting (that MAC plus writing the
//! token's text) and a peer (`jsonwebtoken` HS256 with equivalent claims). Each operation is one
//! closure, so both benches time exactly the same code.

use std::hint::black_box;

use base64_simd::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tessera_core::{Claims, Key, Keyring, PREFIX, UnixTime, VerifyOptions, inspect};

const SECRET: [u8; 32] = [0x5a; 32];
const NOW: u64 = 1_700_000_000;

/// A typical token: user id, access audience, 10-minute lifetime, two scopes.
fn typical_claims() -> Claims {
    let mut claims = Claims::new("1234", "access", UnixTime::from_secs(NOW), 600);
    claims.scopes = vec!["read".into(), "write".into()];
    claims.generation = 3;
    claims
}

/// The same claims as a JWT would carry them.
#[derive(Debug, Serialize, Deserialize)]
struct JwtClaims {
    sub: String,
    aud: String,
    iat: u64,
    exp: u64,
    auth_time: u64,
    kid: String,
    generation: u64,
    scope: Vec<String>,
}

fn jwt_claims() -> JwtClaims {
    let c = typical_claims();
    JwtClaims {
        sub: c.subject,
        aud: c.audience,
        iat: c.issued_at.as_secs(),
        exp: c.expires_at.as_secs(),
        auth_time: c.auth_time.as_secs(),
        kid: "k1".into(),
        generation: c.generation,
        scope: c.scopes,
    }
}

/// Everything the operations need, built once.
pub(crate) struct Fixture {
    keyring: Keyring,
    claims: Claims,
    token: String,
    options: VerifyOptions,
    now: UnixTime,
    mac_input: Vec<u8>,
    keyed: Hmac<Sha256>,
    jwt_header: Header,
    jwt_encoding: EncodingKey,
    jwt_decoding: DecodingKey,
    jwt_validation: Validation,
    jwt_claims: JwtClaims,
    jwt: String,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let keyring = Keyring::new(Key::new("k1", &SECRET).expect("a valid key"));
        let claims = typical_claims();
        let token = keyring.mint(&claims).expect("typical claims mint");

        // The floor's input: the bytes the v1 MAC covers ("tsr1." || payload).
        let payload = {
            let text = token.strip_prefix(PREFIX).expect("v1 prefix");
            let (payload, _) = text.split_once('.').expect("two parts");
            URL_SAFE_NO_PAD.decode_to_vec(payload).expect("base64url")
        };
        let mac_input = [PREFIX.as_bytes(), &payload].concat();
        let keyed = Hmac::<Sha256>::new_from_slice(&SECRET).expect("any key length");

        let jwt_header = Header::new(Algorithm::HS256);
        let jwt_encoding = EncodingKey::from_secret(&SECRET).expect("hs256 key");
        let jwt_decoding = DecodingKey::from_secret(&SECRET).expect("hs256 key");
        let mut jwt_validation = Validation::new(Algorithm::HS256);
        jwt_validation.set_audience(&["access"]);
        jwt_validation.leeway = 5;
        jwt_validation.validate_exp = false; // our fixed NOW is in the past for the wall clock.
        let jwt_claims = jwt_claims();
        let jwt = jsonwebtoken::encode(&jwt_header, &jwt_claims, &jwt_encoding).expect("encodes");

        let fixture = Fixture {
            keyring,
            claims,
            token,
            options: VerifyOptions::new("access"),
            now: UnixTime::from_secs(NOW + 1),
            mac_input,
            keyed,
            jwt_header,
            jwt_encoding,
            jwt_decoding,
            jwt_validation,
            jwt_claims,
            jwt,
        };
        assert_eq!(
            fixture.mac_and_text(&fixture.mac_input),
            fixture.token,
            "the mint floor must produce the very token mint does"
        );
        fixture
    }

    /// The floor: HMAC-SHA256 over the same bytes, from a keyed state.
    pub(crate) fn floor(&self) -> impl Fn() + '_ {
        || {
            let mut mac = self.keyed.clone();
            mac.update(black_box(&self.mac_input));
            black_box(mac.finalize().into_bytes());
        }
    }

    /// The floor for minting: the floor's MAC plus the least any token text costs (one `String`
    /// of the token's length, the payload and the tag in base64url with the crate the core uses),
    /// with no claims checked or written. Its output is the typical token itself.
    pub(crate) fn floor_with_text(&self) -> impl Fn() + '_ {
        || {
            black_box(self.mac_and_text(black_box(&self.mac_input)));
        }
    }

    fn mac_and_text(&self, mac_input: &[u8]) -> String {
        let mut mac = self.keyed.clone();
        mac.update(mac_input);
        let tag = mac.finalize().into_bytes();
        let payload = &mac_input[PREFIX.len()..];
        let mut text = String::with_capacity(self.token.len());
        text.push_str(PREFIX);
        URL_SAFE_NO_PAD.encode_append(payload, &mut text);
        text.push('.');
        URL_SAFE_NO_PAD.encode_append(tag, &mut text);
        text
    }

    pub(crate) fn verify(&self) -> impl Fn() + '_ {
        || {
            let verified = self
                .keyring
                .verify(black_box(&self.token), &self.options, self.now);
            black_box(verified.expect("valid"));
        }
    }

    pub(crate) fn inspect(&self) -> impl Fn() + '_ {
        || {
            black_box(inspect(black_box(&self.token)).expect("well formed"));
        }
    }

    pub(crate) fn mint(&self) -> impl Fn() + '_ {
        || {
            black_box(self.keyring.mint(black_box(&self.claims)).expect("mints"));
        }
    }

    pub(crate) fn jwt_decode(&self) -> impl Fn() + '_ {
        || {
            let decoded = jsonwebtoken::decode::<JwtClaims>(
                black_box(&self.jwt),
                &self.jwt_decoding,
                &self.jwt_validation,
            );
            black_box(decoded.expect("valid jwt"));
        }
    }

    pub(crate) fn jwt_encode(&self) -> impl Fn() + '_ {
        || {
            let encoded = jsonwebtoken::encode(
                &self.jwt_header,
                black_box(&self.jwt_claims),
                &self.jwt_encoding,
            );
            black_box(encoded.expect("encodes"));
        }
    }
}
