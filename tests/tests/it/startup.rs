//! The server refuses to start, saying what to do, when its data or address is not usable.

use std::os::unix::fs::PermissionsExt;

use tessera_tests::{TestServer, register};

#[test]
fn first_run_creates_a_private_data_directory() {
    let server = TestServer::spawn();
    let dir = server.data_dir();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(&dir.join("keys.json")), 0o600);
    assert_eq!(mode(&dir.join("tessera.redb")), 0o600);
}

#[test]
fn a_second_server_on_the_same_data_directory_is_refused() {
    let first = TestServer::spawn();
    let err = TestServer::start(first.data_dir(), &[]).unwrap_err();
    assert!(err.contains("in use by another tessera process"), "{err}");
    assert_eq!(first.req("GET", "/healthz").send().status, 200);
}

#[test]
fn a_keyring_readable_by_others_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let _ = TestServer::start(&dir, &[]).unwrap().terminate();
    let keys = dir.join("keys.json");
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = TestServer::start(&dir, &[]).unwrap_err();
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn an_empty_or_foreign_database_file_is_refused_not_replaced() {
    for contents in [&b""[..], b"this is not a database, it is a shopping list\n"] {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("tessera.redb"), contents).unwrap();
        let err = TestServer::start(&dir, &[]).unwrap_err();
        assert!(err.contains("is not a tessera database"), "{err}");
        assert_eq!(
            std::fs::read(dir.join("tessera.redb")).unwrap(),
            contents,
            "the file is left alone"
        );
    }
}

#[test]
fn a_taken_bind_address_is_refused() {
    let first = TestServer::spawn();
    let temp = tempfile::tempdir().unwrap();
    let addr = first.addr().to_string();
    let err = TestServer::start(&temp.path().join("data"), &["--bind", &addr]).unwrap_err();
    assert!(err.contains("cannot listen on"), "{err}");
    assert!(err.contains("is another server using it?"), "{err}");
}

#[test]
fn a_bind_address_that_is_no_address_is_refused_with_its_form() {
    for bind in ["nonsense", "127.0.0.1", "127.0.0.1:99999"] {
        let temp = tempfile::tempdir().unwrap();
        let err = TestServer::start(&temp.path().join("data"), &["--bind", bind]).unwrap_err();
        assert!(err.contains(&format!("cannot listen on {bind}:")), "{err}");
        assert!(err.contains("--bind takes host:port"), "{err}");
    }
}

#[test]
fn a_data_directory_that_is_a_file_is_refused_and_left_alone() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("data");
    std::fs::write(&file, "notes\n").unwrap();
    let err = TestServer::start(&file, &[]).unwrap_err();
    assert!(
        err.contains(&format!(
            "cannot create the data directory {}",
            file.display()
        )) && err.contains("it exists and is not a directory"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes\n");
}

#[test]
fn sigterm_finishes_cleanly_and_keeps_the_data() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(register(&server, "sam", "password-1").status, 201);
    let (status, _) = server.terminate();
    assert_eq!(status.code(), Some(0));
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(server.req("GET", "/api/users/1").send().status, 200);
}
