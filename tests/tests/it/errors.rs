//! Every bad input gets the right status and a JSON error body.

use serde_json::json;
use tessera_tests::{TestServer, register};

#[test]
fn registration_rejects_bad_bodies_with_400() {
    let server = TestServer::spawn();
    let bad = [
        json!({}),
        json!({ "username": "erin" }),
        json!({ "password": "password-1" }),
        json!({ "username": "", "password": "password-1" }),
        json!({ "username": "erin", "password": "" }),
        json!({ "username": "er", "password": "password-1" }),
        json!({ "username": "x".repeat(33), "password": "password-1" }),
        json!({ "username": "erin smith", "password": "password-1" }),
        json!({ "username": "érin", "password": "password-1" }),
        json!({ "username": "erin", "password": "short" }),
        json!({ "username": "erin", "password": "p".repeat(1025) }),
        json!({ "username": 7, "password": "password-1" }),
        json!({ "username": "erin", "password": "password-1", "admin": true }),
        json!(["erin", "password-1"]),
        json!("erin"),
    ];
    for body in bad {
        let r = server.req("POST", "/api/users").json(&body).send();
        assert_eq!(
            (r.status, r.error()),
            (400, "bad_request".to_owned()),
            "{body}"
        );
        assert!(!r.json()["message"].as_str().unwrap().is_empty());
    }
    let not_json = server
        .req("POST", "/api/users")
        .header("Content-Type", "application/json")
        .body(b"{\"username\":")
        .send();
    assert_eq!(
        (not_json.status, not_json.error()),
        (400, "bad_request".to_owned())
    );
    let longest_password_is_fine = register(&server, "erin", &"p".repeat(1024));
    assert_eq!(longest_password_is_fine.status, 201);
}

#[test]
fn registration_needs_json() {
    let server = TestServer::spawn();
    let form = server
        .req("POST", "/api/users")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"username=a&password=b")
        .send();
    assert_eq!(
        (form.status, form.error()),
        (415, "unsupported_media_type".to_owned())
    );
    let missing = server.req("POST", "/api/users").body(b"{}").send();
    assert_eq!(missing.status, 415);
    let with_charset = server
        .req("POST", "/api/users")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(br#"{"username":"frank","password":"password-1"}"#)
        .send();
    assert_eq!(with_charset.status, 201);
}

#[test]
fn oversized_bodies_get_413() {
    let server = TestServer::spawn();
    let huge = format!(
        r#"{{"username":"gina","password":"{}"}}"#,
        "p".repeat(20_000)
    );
    let r = server
        .req("POST", "/api/users")
        .header("Content-Type", "application/json")
        .body(huge.as_bytes())
        .send();
    assert_eq!((r.status, r.error()), (413, "payload_too_large".to_owned()));
    assert_eq!(server.req("GET", "/healthz").send().status, 200);
}

#[test]
fn unknown_users_and_paths_are_404_and_wrong_methods_405_with_allow() {
    let server = TestServer::spawn();
    for path in [
        "/api/users/1",
        "/api/users/abc",
        "/api/users/99999999999999999999999",
        "/nope",
        "/api",
    ] {
        let r = server.req("GET", path).send();
        assert_eq!(
            (r.status, r.error()),
            (404, "not_found".to_owned()),
            "{path}"
        );
    }
    let cases = [
        ("DELETE", "/api/token", "GET, POST"),
        ("GET", "/api/users", "POST"),
        ("POST", "/api/resource", "GET, HEAD"),
        ("GET", "/api/users/me/password", "PUT"),
        ("GET", "/api/logout-all", "POST"),
        ("PATCH", "/healthz", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let r = server.req(method, path).send();
        assert_eq!(
            (r.status, r.error()),
            (405, "method_not_allowed".to_owned()),
            "{method} {path}"
        );
        assert_eq!(r.header("Allow"), Some(allow), "{method} {path}");
    }
}

#[test]
fn missing_or_garbled_credentials_are_401_with_both_challenges() {
    let server = TestServer::spawn();
    for auth in [
        None,
        Some("Digest abc"),
        Some("Basic"),
        Some("Basic !!!notbase64"),
    ] {
        let mut req = server.req("GET", "/api/resource");
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send();
        assert!(r.status == 401 || r.status == 400, "{auth:?}: {}", r.status);
        if r.status == 401 {
            let challenges = r.headers_named("WWW-Authenticate");
            assert!(
                challenges
                    .iter()
                    .any(|c| c.starts_with("Basic realm=\"tessera\"")),
                "{challenges:?}"
            );
            assert!(
                challenges
                    .iter()
                    .any(|c| c.starts_with("Bearer realm=\"tessera\"")),
                "{challenges:?}"
            );
        }
        assert!(!r.error().is_empty());
    }
}

#[test]
fn unknown_user_and_wrong_password_look_the_same() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "hank", "password-1").status, 201);
    let wrong = server
        .req("GET", "/api/token")
        .basic("hank", "password-2")
        .send();
    let unknown = server
        .req("GET", "/api/token")
        .basic("nobody", "password-2")
        .send();
    let invalid_name = server
        .req("GET", "/api/token")
        .basic("no body!", "password-2")
        .send();
    for r in [&wrong, &unknown, &invalid_name] {
        assert_eq!(r.status, 401);
        assert_eq!(r.body, wrong.body);
        assert_eq!(
            r.headers_named("WWW-Authenticate"),
            wrong.headers_named("WWW-Authenticate")
        );
    }
    assert_eq!(wrong.error(), "invalid_credentials");
}
