//! A login flood is bounded: past the hashing queue, logins get 503 with Retry-After at once,
//! while token-authenticated requests keep being answered.

use tessera_tests::{TestServer, login, register};

#[test]
fn a_login_flood_is_shed_with_503_and_tokens_keep_working() {
    let temp = tempfile::tempdir().unwrap();
    // One hash at a time, one waiting, and a deliberately slow hash (64 MiB, 3 passes).
    let args = [
        "--hash-concurrency",
        "1",
        "--hash-queue",
        "1",
        "--argon2-m-cost",
        "65536",
        "--argon2-t-cost",
        "3",
    ];
    let server = TestServer::start(&temp.path().join("data"), &args).unwrap();
    assert_eq!(register(&server, "wendy", "password-1").status, 201);
    let token = login(&server, "wendy", "password-1");

    let (logins, token_statuses) = std::thread::scope(|s| {
        let flood: Vec<_> = (0..12)
            .map(|_| {
                let server = &server;
                s.spawn(move || {
                    server
                        .req("GET", "/api/token")
                        .basic("wendy", "password-1")
                        .send()
                })
            })
            .collect();
        let tokens: Vec<u16> = (0..20)
            .map(|_| {
                server
                    .req("GET", "/api/resource")
                    .bearer(&token)
                    .send()
                    .status
            })
            .collect();
        (
            flood
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            tokens,
        )
    });

    assert!(
        token_statuses.iter().all(|&s| s == 200),
        "{token_statuses:?}"
    );
    let shed: Vec<_> = logins.iter().filter(|r| r.status == 503).collect();
    assert!(
        !shed.is_empty(),
        "no login was shed: {:?}",
        logins.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in &shed {
        assert_eq!(r.header("Retry-After"), Some("1"));
        assert_eq!(r.error(), "busy");
    }
    assert!(logins.iter().any(|r| r.status == 200));
    assert!(logins.iter().all(|r| r.status == 200 || r.status == 503));
}
