//! A login flood is bounded: past the hashing queue, logins get 503 with Retry-After (held back
//! for a moment, so a client that ignores it cannot keep the server busy with refusals),
//! while token-authenticated requests keep being answered.

use tessera_tests::{TestServer, login, register};

/// A server that hashes one password at a time, lets one more wait, and hashes slowly on purpose
/// (64 MiB, 3 passes), so a handful of concurrent logins overflows it.
fn one_slow_hash_at_a_time() -> (TestServer, tempfile::TempDir) {
    let temp = tempfile::tempdir().unwrap();
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
    (server, temp)
}

#[test]
fn a_login_flood_is_shed_with_503_and_tokens_keep_working() {
    let (server, _temp) = one_slow_hash_at_a_time();
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

#[test]
fn a_refusal_that_asks_to_retry_later_is_held_back_before_it_is_sent() {
    // A client that ignores Retry-After and asks again at once must not turn refusals into a
    // busy loop for the server: the 503 goes out only after a short hold (250 ms).
    let (server, _temp) = one_slow_hash_at_a_time();
    assert_eq!(register(&server, "xavier", "password-1").status, 201);

    let timed: Vec<(u16, std::time::Duration)> = std::thread::scope(|s| {
        let logins: Vec<_> = (0..6)
            .map(|_| {
                let server = &server;
                s.spawn(move || {
                    let started = std::time::Instant::now();
                    let r = server
                        .req("GET", "/api/token")
                        .basic("xavier", "password-1")
                        .send();
                    (r.status, started.elapsed())
                })
            })
            .collect();
        logins.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let shed: Vec<_> = timed.iter().filter(|(status, _)| *status == 503).collect();
    assert!(!shed.is_empty(), "no login was shed: {timed:?}");
    for (_, took) in shed {
        assert!(
            *took >= std::time::Duration::from_millis(240),
            "a 503 came back after {took:?}, before the hold was over"
        );
    }
}
