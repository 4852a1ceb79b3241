//! Benchmarks: mint and verify side by side with their floor (raw HMAC-SHA256 over the same bytes
//! from a precomputed keyed state) and a peer (`jsonwebtoken` HS256 with equivalent claims).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tessera_core::{Claims, Key, Keyring, UnixTime, VerifyOptions, inspect};

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

fn benches(c: &mut Criterion) {
    let keyring = Keyring::new(Key::new("k1", &SECRET).expect("a valid key"));
    let claims = typical_claims();
    let token = keyring.mint(&claims).expect("typical claims mint");
    let options = VerifyOptions::new("access");
    let now = UnixTime::from_secs(NOW + 1);

    // The floor: the bytes the v1 MAC covers ("tsr1." || payload), from a keyed state.
    let payload = {
        use base64::Engine as _;
        let text = token.strip_prefix("tsr1.").expect("v1 prefix");
        let (payload, _) = text.split_once('.').expect("two parts");
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url")
    };
    let mac_input = [b"tsr1.".as_slice(), &payload].concat();
    let keyed = Hmac::<Sha256>::new_from_slice(&SECRET).expect("any key length");

    let jwt_header = Header::new(Algorithm::HS256);
    let jwt_encoding = EncodingKey::from_secret(&SECRET).expect("hs256 key");
    let jwt_decoding = DecodingKey::from_secret(&SECRET).expect("hs256 key");
    let mut jwt_validation = Validation::new(Algorithm::HS256);
    jwt_validation.set_audience(&["access"]);
    jwt_validation.leeway = 5;
    jwt_validation.validate_exp = false; // our fixed NOW is in the past for the wall clock.
    let jwt = jsonwebtoken::encode(&jwt_header, &jwt_claims(), &jwt_encoding).expect("jwt encodes");

    let mut g = c.benchmark_group("verify");
    g.bench_function("floor: hmac-sha256 over the same bytes", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&mac_input));
            black_box(mac.finalize().into_bytes())
        })
    });
    g.bench_function("tessera verify", |b| {
        b.iter(|| {
            keyring
                .verify(black_box(&token), &options, now)
                .expect("valid")
        })
    });
    g.bench_function("tessera inspect (no MAC)", |b| {
        b.iter(|| inspect(black_box(&token)).expect("well formed"))
    });
    g.bench_function("jsonwebtoken HS256 decode", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<JwtClaims>(black_box(&jwt), &jwt_decoding, &jwt_validation)
                .expect("valid jwt")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("mint");
    g.bench_function("floor: hmac-sha256 over the same bytes", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&mac_input));
            black_box(mac.finalize().into_bytes())
        })
    });
    g.bench_function("tessera mint", |b| {
        b.iter(|| keyring.mint(black_box(&claims)).expect("mints"))
    });
    g.bench_function("jsonwebtoken HS256 encode", |b| {
        let claims = jwt_claims();
        b.iter(|| {
            jsonwebtoken::encode(&jwt_header, black_box(&claims), &jwt_encoding).expect("encodes")
        })
    });
    g.finish();
}

criterion_group!(token, benches);
criterion_main!(token);
