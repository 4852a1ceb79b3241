//! Users, keys and unexpired tokens survive a restart; key rotation keeps old tokens valid.

use tessera_tests::{TestServer, login, register, tessera};

#[test]
fn users_keys_and_tokens_survive_a_clean_restart() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(register(&server, "quinn", "password-1").status, 201);
    let token = login(&server, "quinn", "password-1");
    let (status, _) = server.terminate();
    assert!(status.success(), "SIGTERM exits 0: {status:?}");

    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&token)
            .send()
            .status,
        200
    );
    assert_eq!(
        server.req("GET", "/api/users/1").send().json()["username"],
        "quinn"
    );
    assert_eq!(register(&server, "quinn", "password-1").status, 409);
}

#[test]
fn rotation_keeps_old_tokens_valid_until_their_key_is_removed() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let data = dir.to_str().unwrap();
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(register(&server, "rita", "password-1").status, 201);
    let old = login(&server, "rita", "password-1");
    let _ = server.terminate();

    let rotated = tessera(&["key", "rotate", "--data-dir", data], "");
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let server = TestServer::start(&dir, &[]).unwrap();
    let new = login(&server, "rita", "password-1");
    assert_eq!(
        tessera_core::inspect(&new)
            .unwrap()
            .untrusted_claims()
            .key_id(),
        "k2"
    );
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&old)
            .send()
            .status,
        200
    );
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&new)
            .send()
            .status,
        200
    );
    let _ = server.terminate();

    let refused = tessera(&["key", "remove", "k2", "--data-dir", data], "");
    assert!(
        !refused.status.success(),
        "the signing key cannot be removed"
    );
    let removed = tessera(&["key", "remove", "k1", "--data-dir", data], "");
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&old)
            .send()
            .error(),
        "unknown_key"
    );
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&new)
            .send()
            .status,
        200
    );
}
