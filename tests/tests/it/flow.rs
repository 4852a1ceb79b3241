//! The classic flow, as a newcomer would run it.

use serde_json::json;
use tessera_tests::{TestServer, login, register};

#[test]
fn register_fetch_login_and_use_the_token() {
    let server = TestServer::spawn();

    let created = register(&server, "Alice", "correct horse battery");
    assert_eq!(created.status, 201);
    assert_eq!(created.json(), json!({ "id": 1, "username": "alice" }));
    assert_eq!(created.header("Location"), Some("/api/users/1"));
    assert_eq!(created.header("Content-Type"), Some("application/json"));

    let fetched = server.req("GET", "/api/users/1").send();
    assert_eq!(
        (fetched.status, fetched.json()),
        (200, json!({ "id": 1, "username": "alice" }))
    );

    let token_reply = server
        .req("GET", "/api/token")
        .basic("alice", "correct horse battery")
        .send();
    assert_eq!(token_reply.status, 200);
    let body = token_reply.json();
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("tsr1."));
    assert_eq!(body["duration"], 600);
    assert!(body["expires_at"].as_u64().unwrap() > 1_700_000_000);

    let hello = json!({ "data": "Hello, alice!" });
    let by_bearer = server.req("GET", "/api/resource").bearer(token).send();
    assert_eq!((by_bearer.status, by_bearer.json()), (200, hello.clone()));
    let by_token_as_username = server
        .req("GET", "/api/resource")
        .basic(token, "unused")
        .send();
    assert_eq!(
        (by_token_as_username.status, by_token_as_username.json()),
        (200, hello.clone())
    );
    let by_password = server
        .req("GET", "/api/resource")
        .basic("alice", "correct horse battery")
        .send();
    assert_eq!((by_password.status, by_password.json()), (200, hello));
}

#[test]
fn a_token_buys_a_token_by_bearer_and_by_post() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "bob", "password-1").status, 201);
    let first = login(&server, "bob", "password-1");
    let renewed = server.req("POST", "/api/token").bearer(&first).send();
    assert_eq!(renewed.status, 200);
    let second = renewed.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&second)
            .send()
            .status,
        200
    );
    let by_basic_token = server.req("GET", "/api/token").basic(&second, "x").send();
    assert_eq!(by_basic_token.status, 200);
}

#[test]
fn usernames_are_case_insensitive_and_unique() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "carol", "password-1").status, 201);
    let again = register(&server, "CAROL", "password-2");
    assert_eq!(
        (again.status, again.error()),
        (409, "username_taken".to_owned())
    );
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .basic("Carol", "password-1")
            .send()
            .status,
        200
    );
}

#[test]
fn many_simultaneous_registrations_of_one_name_yield_exactly_one_201() {
    let temp = tempfile::tempdir().unwrap();
    let args = ["--register-burst-per-address", "100"];
    let server = TestServer::start(&temp.path().join("data"), &args).unwrap();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let server = &server;
                s.spawn(move || register(server, "popular", &format!("password-{i}")).status)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 409 || s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&409), "{statuses:?}");
}

#[test]
fn health_check_answers() {
    let server = TestServer::spawn();
    let r = server.req("GET", "/healthz").send();
    assert_eq!((r.status, r.json()), (200, json!({ "status": "ok" })));
}

#[test]
fn one_log_line_per_request_without_secrets() {
    let server = TestServer::spawn();
    assert_eq!(register(&server, "dave", "super-secret-pw").status, 201);
    let token = login(&server, "dave", "super-secret-pw");
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(&token)
            .send()
            .status,
        200
    );
    let log = server.log();
    assert!(log.contains("POST /api/users 201"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("GET /api/resource 200") && l.ends_with("user=1")),
        "{log}"
    );
    assert!(!log.contains("super-secret-pw"), "{log}");
    assert!(!log.contains(&token), "{log}");
    assert!(!log.contains("tsr1."), "{log}");
}
