//! Hostile clients: requests crafted to crash or wedge the HTTP layer must not take the server
//! down. Each test sends raw bytes, because polite HTTP clients cannot send these.

use tessera_tests::{TestServer, send_raw_half_closed};

fn still_serving(server: &TestServer) {
    let r = server.req("GET", "/healthz").try_send();
    assert_eq!(
        r.map(|r| r.status),
        Some(200),
        "the server died:\n{}",
        server.log()
    );
}

#[test]
fn a_huge_declared_body_that_never_arrives_does_not_kill_the_server() {
    // tiny_http 0.12.0 allocated a buffer of the declared size to drain an unread body: one such
    // request aborted the whole process (upstream issue #252), and u64::MAX panicked the worker.
    let server = TestServer::spawn();
    for length in ["1000000000000", "18446744073709551615", "4294967296"] {
        let raw = format!(
            "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"username\":"
        );
        let answer = send_raw_half_closed(server.addr(), raw.as_bytes());
        if let Some(r) = answer {
            assert!(
                r.status == 400 || r.status == 413,
                "Content-Length {length}: {}",
                r.status
            );
        }
        still_serving(&server);
    }
}

#[test]
fn a_huge_declared_body_answered_before_it_is_read_does_not_kill_the_server() {
    // The answer (404 here) comes before the body is read; draining must stay bounded.
    let server = TestServer::spawn();
    for length in ["1000000000000", "18446744073709551615"] {
        let raw =
            format!("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\nabc");
        let _ = send_raw_half_closed(server.addr(), raw.as_bytes());
        still_serving(&server);
    }
}
