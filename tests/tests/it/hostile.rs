//! Hostile clients: requests crafted to crash or wedge the HTTP layer must not take the server
//! down. Each test sends raw bytes, because polite HTTP clients cannot send these.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use tessera_tests::{TestServer, raw_exchange, send_raw_half_closed, statuses};

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

const WAIT: Duration = Duration::from_secs(5);

/// Sends `raw`; the server must answer exactly `status`, once, and close the connection.
fn answered_once_and_closed(server: &TestServer, raw: &str, status: u16) {
    let got = raw_exchange(server.addr(), raw.as_bytes(), WAIT)
        .unwrap_or_else(|| panic!("the server kept the connection open after:\n{raw:?}"));
    assert_eq!(
        statuses(&got),
        vec![status],
        "{raw:?} ->\n{}",
        String::from_utf8_lossy(&got)
    );
}

#[test]
fn ambiguous_framing_is_refused_and_the_connection_closed() {
    let server = TestServer::spawn();
    let smuggled = "GET /api/users/1 HTTP/1.1\r\nHost: t\r\n\r\n";
    let cases = [
        format!(
            "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: {}\r\n\r\n{smuggled}",
            smuggled.len()
        ),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\nhello".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\nhello".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: 0x5\r\n\r\nhello".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\nhello".to_owned(),
        format!(
            "POST /api/users HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n{smuggled}"
        ),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nhello".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n".to_owned(),
        "POST /api/users HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_owned(),
        "GET /healthz HTTP/1.1\r\n\r\n".to_owned(),
        "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_owned(),
    ];
    for raw in &cases {
        answered_once_and_closed(&server, raw, 400);
    }
    still_serving(&server);
}

#[test]
fn bare_lf_requests_are_refused_instead_of_hanging() {
    let server = TestServer::spawn();
    answered_once_and_closed(&server, "GET /healthz HTTP/1.1\nHost: t\n\n", 400);
    answered_once_and_closed(&server, "GET /healthz HTTP/1.1\r\nHost: t\n\r\n", 400);
}

#[test]
fn oversized_heads_get_414_and_431() {
    let server = TestServer::spawn();
    let long_path = "a".repeat(9000);
    answered_once_and_closed(
        &server,
        &format!("GET /{long_path} HTTP/1.1\r\nHost: t\r\n\r\n"),
        414,
    );
    let long_header = "b".repeat(9000);
    answered_once_and_closed(
        &server,
        &format!("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: {long_header}\r\n\r\n"),
        431,
    );
    let many: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
    answered_once_and_closed(
        &server,
        &format!("GET /healthz HTTP/1.1\r\nHost: t\r\n{many}\r\n"),
        431,
    );
    let large: String = (0..40)
        .map(|i| format!("X-H{i}: {}\r\n", "c".repeat(1000)))
        .collect();
    answered_once_and_closed(
        &server,
        &format!("GET /healthz HTTP/1.1\r\nHost: t\r\n{large}\r\n"),
        431,
    );
    still_serving(&server);
}

/// Starts a server with a 1 s head deadline, a long read timeout (so only the deadline can cut
/// anyone off) and two workers, then opens eight connections that each send `head` and then one
/// more byte every 100 ms, for up to 15 s. Meanwhile a legitimate client must be answered every
/// round, and every slow connection must end with a `408`.
fn slow_clients_are_cut_off_while_others_are_served(head: &str) {
    let temp = tempfile::tempdir().unwrap();
    let args = [
        "--head-timeout",
        "1",
        "--read-timeout",
        "60",
        "--workers",
        "2",
    ];
    let server = TestServer::start(&temp.path().join("data"), &args).unwrap();
    let server = &server;
    let slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr()).unwrap();
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    let mut cut_off = vec![false; slow.len()];
    for round in 0..150 {
        assert_eq!(
            server.req("GET", "/healthz").send().status,
            200,
            "round {round}"
        );
        for (s, cut) in slow.iter().zip(cut_off.iter_mut()) {
            if !*cut && (&*s).write_all(b"x").is_err() {
                *cut = true;
            }
        }
        if cut_off.iter().all(|&c| c) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        cut_off.iter().all(|&c| c),
        "slow clients were still connected after 15 s"
    );
    for mut s in slow {
        s.set_read_timeout(Some(WAIT)).unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        assert_eq!(
            statuses(&got),
            vec![408],
            "{}",
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn a_slowloris_is_cut_off_and_does_not_stop_legitimate_clients() {
    slow_clients_are_cut_off_while_others_are_served(
        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ",
    );
}

#[test]
fn idle_connections_time_out_and_do_not_block_others() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start(&temp.path().join("data"), &["--read-timeout", "1"]).unwrap();
    let idle: Vec<TcpStream> = (0..64)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    assert_eq!(server.req("GET", "/healthz").send().status, 200);
    for mut s in idle {
        s.set_read_timeout(Some(WAIT)).unwrap();
        let mut got = Vec::new();
        // The server closes them after the read timeout: end of stream, not our timeout.
        assert!(
            s.read_to_end(&mut got).is_ok(),
            "an idle connection was never closed"
        );
    }
}

#[test]
fn a_connection_flood_beyond_the_cap_is_shed_with_503_and_the_server_recovers() {
    let temp = tempfile::tempdir().unwrap();
    let server =
        TestServer::start(&temp.path().join("data"), &["--max-connections", "16"]).unwrap();
    let held: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    // Wait (bounded) until the server has accepted all 16, then one more is shed.
    let deadline = Instant::now() + WAIT;
    let shed = loop {
        let got = raw_exchange(
            server.addr(),
            b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
            WAIT,
        )
        .unwrap_or_default();
        if statuses(&got) == vec![503] {
            break got;
        }
        assert!(Instant::now() < deadline, "no connection was shed");
    };
    assert!(String::from_utf8_lossy(&shed).contains("Retry-After: 1"));
    drop(held);
    let deadline = Instant::now() + WAIT;
    while server.req("GET", "/healthz").try_send().map(|r| r.status) != Some(200) {
        assert!(Instant::now() < deadline, "the server did not recover");
    }
}

#[test]
fn running_out_of_file_descriptors_does_not_end_the_server() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with_fd_limit(&temp.path().join("data"), &[], 64).unwrap();
    // More connections than the process may open: accept() fails with EMFILE for some.
    let flood: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(server.addr()).ok())
        .collect();
    assert!(!flood.is_empty());
    drop(flood);
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.req("GET", "/healthz").try_send().map(|r| r.status) != Some(200) {
        assert!(
            Instant::now() < deadline,
            "the server stopped accepting:\n{}",
            server.log()
        );
    }
}

#[test]
fn an_unsupported_http_version_is_answered_and_does_not_pin_a_thread() {
    // tiny_http 0.12.0 deadlocked the connection's thread on this (found by fuzzing the head
    // parser): each such request held a thread and a connection slot forever.
    let server = TestServer::spawn();
    for _ in 0..3 {
        answered_once_and_closed(&server, "GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n", 505);
    }
    still_serving(&server);
}

#[test]
fn a_slow_body_holds_no_worker_and_is_cut_off() {
    // Bodies are read by the connection threads under the head deadline: no worker is held.
    let head = "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    slow_clients_are_cut_off_while_others_are_served(head);
}

#[test]
fn chunked_bodies_get_411_and_oversized_declared_bodies_413_at_once() {
    let server = TestServer::spawn();
    answered_once_and_closed(
        &server,
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        411,
    );
    // The body is never sent: the answer must not wait for it.
    answered_once_and_closed(
        &server,
        "POST /api/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n",
        413,
    );
    still_serving(&server);
}
