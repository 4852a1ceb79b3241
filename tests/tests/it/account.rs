//! Password change, log out everywhere, and account deletion revoke tokens.

use serde_json::json;
use tessera_tests::{TestServer, login, register};

#[test]
fn changing_the_password_revokes_old_tokens_and_needs_the_password() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "mona", "password-1").status, 201);
    let old = login(&server, "mona", "password-1");

    let by_token = server
        .req("PUT", "/api/users/me/password")
        .bearer(&old)
        .json(&json!({ "password": "password-2" }))
        .send();
    assert_eq!(
        (by_token.status, by_token.error()),
        (401, "password_required".to_owned())
    );

    let changed = server
        .req("PUT", "/api/users/me/password")
        .basic("mona", "password-1")
        .json(&json!({ "password": "password-2" }))
        .send();
    assert_eq!(changed.status, 200, "{:?}", changed.json());

    let revoked = server.req("GET", "/api/resource").bearer(&old).send();
    assert_eq!(
        (revoked.status, revoked.error()),
        (401, "revoked".to_owned())
    );
    assert_eq!(
        server
            .req("GET", "/api/token")
            .basic("mona", "password-1")
            .send()
            .status,
        401
    );
    let fresh = login(&server, "mona", "password-2");
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&fresh)
            .send()
            .status,
        200
    );
}

#[test]
fn a_bad_new_password_changes_nothing() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "nina", "password-1").status, 201);
    let token = login(&server, "nina", "password-1");
    let r = server
        .req("PUT", "/api/users/me/password")
        .basic("nina", "password-1")
        .json(&json!({ "password": "short" }))
        .send();
    assert_eq!(r.status, 400);
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&token)
            .send()
            .status,
        200
    );
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .basic("nina", "password-1")
            .send()
            .status,
        200
    );
}

#[test]
fn logging_out_everywhere_revokes_every_token_but_not_the_next_one() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "omar", "password-1").status, 201);
    let a = login(&server, "omar", "password-1");
    let b = login(&server, "omar", "password-1");
    assert_eq!(
        server
            .req("POST", "/api/logout-all")
            .bearer(&a)
            .send()
            .status,
        200
    );
    for t in [&a, &b] {
        assert_eq!(
            server.req("GET", "/api/resource").bearer(t).send().error(),
            "revoked"
        );
    }
    let fresh = login(&server, "omar", "password-1");
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&fresh)
            .send()
            .status,
        200
    );
}

#[test]
fn deleting_the_account_needs_the_password_and_revokes_everything() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "pia", "password-1").status, 201);
    let token = login(&server, "pia", "password-1");
    assert_eq!(
        server
            .req("DELETE", "/api/users/me")
            .bearer(&token)
            .send()
            .error(),
        "password_required"
    );
    assert_eq!(
        server
            .req("DELETE", "/api/users/me")
            .basic("pia", "password-1")
            .send()
            .status,
        200
    );
    assert_eq!(server.req("GET", "/api/users/1").send().status, 404);
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&token)
            .send()
            .error(),
        "revoked"
    );
    assert_eq!(
        server
            .req("GET", "/api/token")
            .basic("pia", "password-1")
            .send()
            .error(),
        "invalid_credentials"
    );
    // The name is free again; the id is not reused.
    let again = register(&server, "pia", "password-1");
    assert_eq!((again.status, again.json()["id"].as_u64()), (201, Some(2)));
}

#[test]
fn me_tells_whose_credentials_these_are() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "quentin", "password-1").status, 201);
    let token = login(&server, "quentin", "password-1");
    let expected = json!({ "id": 1, "username": "quentin" });
    let by_token = server.req("GET", "/api/users/me").bearer(&token).send();
    assert_eq!((by_token.status, by_token.json()), (200, expected.clone()));
    let by_password = server
        .req("GET", "/api/users/me")
        .basic("quentin", "password-1")
        .send();
    assert_eq!((by_password.status, by_password.json()), (200, expected));
    let anonymous = server.req("GET", "/api/users/me").send();
    assert_eq!(
        (anonymous.status, anonymous.error()),
        (401, "missing_credentials".to_owned())
    );
    let wrong_method = server.req("POST", "/api/users/me").send();
    assert_eq!(wrong_method.header("Allow"), Some("GET, HEAD, DELETE"));
}
