//! Tokens that must not work, and how the server says why.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tessera_core::{Claims, Key, Keyring, UnixTime};
use tessera_tests::{TestServer, login, register};

/// The server's own keyring, read from its data directory, to mint tokens the server would not.
fn server_keyring(server: &TestServer) -> Keyring {
    let text = std::fs::read_to_string(server.data_dir().join("keys.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let key = &file["keys"][0];
    let secret = URL_SAFE_NO_PAD
        .decode(key["secret"].as_str().unwrap())
        .unwrap();
    Keyring::new(Key::new(key["id"].as_str().unwrap(), &secret).unwrap())
}

fn claims_for_user_1(issued_at: UnixTime, ttl: u64) -> Claims {
    Claims::new("1", "access", issued_at, ttl)
}

fn bearer_error(server: &TestServer, token: &str) -> (u16, String, String) {
    let r = server.req("GET", "/api/resource").bearer(token).send();
    let challenge = r
        .headers_named("WWW-Authenticate")
        .into_iter()
        .find(|c| c.starts_with("Bearer"))
        .unwrap_or_default()
        .to_owned();
    (r.status, r.error(), challenge)
}

#[test]
fn an_expired_token_and_a_forged_token_are_told_apart() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "ivan", "password-1").status, 201);
    let ring = server_keyring(&server);
    let an_hour_ago = UnixTime::now().saturating_sub_secs(3600);
    let expired = ring.mint(&claims_for_user_1(an_hour_ago, 60)).unwrap();
    let (status, code, challenge) = bearer_error(&server, &expired);
    assert_eq!((status, code.as_str()), (401, "expired"));
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        challenge.contains("error_description=\"token expired\""),
        "{challenge}"
    );

    let forger = Keyring::new(Key::new("k1", &[7; 32]).unwrap());
    let forged = forger
        .mint(&claims_for_user_1(UnixTime::now(), 600))
        .unwrap();
    let (status, code, challenge) = bearer_error(&server, &forged);
    assert_eq!((status, code.as_str()), (401, "bad_signature"));
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

#[test]
fn tampered_wrong_audience_unknown_key_and_garbage_tokens_are_rejected() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "judy", "password-1").status, 201);
    let token = login(&server, "judy", "password-1");

    let mut tampered = token.clone().into_bytes();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(bearer_error(&server, &tampered).1, "bad_signature");

    let ring = server_keyring(&server);
    let mut reset = claims_for_user_1(UnixTime::now(), 600);
    reset.audience = "password-reset".into();
    assert_eq!(
        bearer_error(&server, &ring.mint(&reset).unwrap()).1,
        "wrong_audience"
    );

    let other_key = Keyring::new(Key::new("k9", &[1; 32]).unwrap());
    assert_eq!(
        bearer_error(
            &server,
            &other_key
                .mint(&claims_for_user_1(UnixTime::now(), 600))
                .unwrap()
        )
        .1,
        "unknown_key"
    );

    for garbage in ["", "hello", "tsr1.AAAA.BBBB", "tsr2.x.y", &"A".repeat(5000)] {
        let (status, code, _) = bearer_error(&server, garbage);
        assert_eq!(status, 401, "{garbage}");
        assert!(
            code == "malformed" || code == "unsupported_version" || code == "missing_credentials",
            "{garbage}: {code}"
        );
    }
}

#[test]
fn renewal_with_a_token_stops_after_the_maximum_session_age() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start(&temp.path().join("data"), &["--max-session", "3600"]).unwrap();
    assert_eq!(register(&server, "kate", "password-1").status, 201);
    let ring = server_keyring(&server);
    let now = UnixTime::now();
    let mut old_session = claims_for_user_1(now, 600);
    old_session.auth_time = now.saturating_sub_secs(7200);
    let token = ring.mint(&old_session).unwrap();

    // The token itself is still good for resources...
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&token)
            .send()
            .status,
        200
    );
    // ...but it cannot buy another one.
    let renewal = server.req("GET", "/api/token").bearer(&token).send();
    assert_eq!(
        (renewal.status, renewal.error()),
        (401, "session_too_old".to_owned())
    );
    // A password login starts a fresh session.
    assert_eq!(
        server
            .req("GET", "/api/token")
            .basic("kate", "password-1")
            .send()
            .status,
        200
    );
}

#[test]
fn a_renewed_token_keeps_its_sessions_login_time() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "liam", "password-1").status, 201);
    let first = login(&server, "liam", "password-1");
    let login_time = tessera_core::inspect(&first)
        .unwrap()
        .untrusted_claims()
        .auth_time();
    let renewed = server.req("GET", "/api/token").bearer(&first).send().json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = tessera_core::inspect(&renewed).unwrap();
    assert_eq!(claims.untrusted_claims().auth_time(), login_time);
}
