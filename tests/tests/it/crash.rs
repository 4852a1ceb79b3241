//! `kill -9` during a stream of registrations loses no acknowledged user and leaves a store that
//! opens cleanly.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tessera_tests::{TestServer, try_register};

#[test]
fn every_acknowledged_registration_survives_kill_9() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let acknowledged: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
    for round in 0..3 {
        let args = ["--register-burst-per-address", "10000"];
        let server = TestServer::start(&dir, &args).expect("the store opens cleanly after a crash");
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            for worker in 0..3 {
                let (server, stop, acknowledged) = (&server, &stop, &acknowledged);
                s.spawn(move || {
                    for i in 0..200 {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let name = format!("r{round}w{worker}n{i}");
                        let Some(r) = try_register(server, &name, "password-1") else {
                            break; // the server died mid-request: not acknowledged
                        };
                        if r.status == 201 {
                            acknowledged
                                .lock()
                                .unwrap()
                                .push((r.json()["id"].as_u64().unwrap(), name));
                        }
                    }
                });
            }
            // Kill once some registrations have been acknowledged in this round.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while acknowledged.lock().unwrap().len() < (round + 1) * 10 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no registrations acknowledged"
                );
                std::thread::yield_now();
            }
            server.kill9_now();
            stop.store(true, Ordering::SeqCst);
        });
    }
    let server = TestServer::start(&dir, &[]).expect("the store opens cleanly after a crash");
    let acknowledged = acknowledged.into_inner().unwrap();
    assert!(acknowledged.len() >= 30);
    for (id, name) in &acknowledged {
        let r = server.req("GET", &format!("/api/users/{id}")).send();
        assert_eq!(
            (r.status, r.json()["username"].as_str()),
            (200, Some(name.as_str())),
            "user {id} lost"
        );
    }
}
