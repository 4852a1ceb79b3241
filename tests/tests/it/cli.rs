//! The admin command line works on the same data directory, and refuses clearly while a server
//! holds it.

use tessera_tests::{TestServer, tessera};

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A data directory that a server has set up and left (stopped), for admin commands to work on;
/// the directory lives as long as the returned guard.
fn initialised_data_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let _ = TestServer::start(&dir, &[]).unwrap().terminate();
    (temp, dir)
}

#[test]
fn users_and_tokens_from_the_command_line_work_over_http() {
    let (_temp, dir) = initialised_data_dir();
    let data = dir.to_str().unwrap();

    let added = stdout(&tessera(
        &["user", "add", "Tina", "--data-dir", data],
        "password-1\n",
    ));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&added).unwrap()["username"],
        "tina"
    );
    let listed = stdout(&tessera(&["user", "list", "--data-dir", data], ""));
    assert!(listed.contains("\"tina\""), "{listed}");
    let token = stdout(&tessera(
        &[
            "token",
            "mint",
            "--data-dir",
            data,
            "--user",
            "tina",
            "--ttl",
            "120",
        ],
        "",
    ));
    let token = token.trim();
    assert!(token.starts_with("tsr1.") && !token.contains('\n'));

    let verified: serde_json::Value = serde_json::from_str(&stdout(&tessera(
        &["token", "verify", token, "--data-dir", data],
        "",
    )))
    .unwrap();
    assert_eq!(verified["valid"], true);
    let mut inspected: serde_json::Value =
        serde_json::from_str(&stdout(&tessera(&["token", "inspect", token], ""))).unwrap();
    assert_eq!(inspected["verified"], false);
    assert_eq!(inspected["subject"], "1");
    assert_eq!(inspected["audience"], "access");
    assert_eq!(
        inspected["expires_at"].as_u64().unwrap() - inspected["issued_at"].as_u64().unwrap(),
        120
    );
    // Verifying shows the same claims that inspecting does.
    inspected.as_object_mut().unwrap().remove("verified");
    inspected["valid"] = true.into();
    assert_eq!(verified, inspected);

    let server = TestServer::start(&dir, &[]).unwrap();
    let r = server.req("GET", "/api/resource").bearer(token).send();
    assert_eq!(r.json()["data"], "Hello, tina!");
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .basic("tina", "password-1")
            .send()
            .status,
        200
    );
}

#[test]
fn an_expired_token_from_the_command_line_is_reported_expired() {
    let (_temp, dir) = initialised_data_dir();
    let data = dir.to_str().unwrap();
    let _ = stdout(&tessera(
        &["user", "add", "uma", "--data-dir", data],
        "password-1\n",
    ));
    let token = stdout(&tessera(
        &[
            "token",
            "mint",
            "--data-dir",
            data,
            "--user",
            "1",
            "--now",
            "1700000000",
        ],
        "",
    ));
    let verify = tessera(&["token", "verify", token.trim(), "--data-dir", data], "");
    assert!(!verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stdout).contains("\"reason\":\"expired\""));
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(
        server
            .req("GET", "/api/resource")
            .bearer(token.trim())
            .send()
            .error(),
        "expired"
    );
}

#[test]
fn minting_at_the_end_of_time_is_refused_with_a_reason() {
    let (_temp, dir) = initialised_data_dir();
    let data = dir.to_str().unwrap();
    let _ = stdout(&tessera(
        &["user", "add", "vera", "--data-dir", data],
        "password-1\n",
    ));
    let now = u64::MAX.to_string();
    let mint = tessera(
        &[
            "token",
            "mint",
            "--data-dir",
            data,
            "--user",
            "vera",
            "--now",
            &now,
        ],
        "",
    );
    assert!(!mint.status.success());
    assert!(mint.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&mint.stderr);
    assert!(
        stderr.contains(&format!("no token can be minted at unix time {now}"))
            && stderr.contains("expires_at must be after issued_at"),
        "{stderr}"
    );
}

#[test]
fn admin_commands_refuse_clearly_while_the_server_runs() {
    let server = TestServer::spawn();
    let data = server.data_dir().to_str().unwrap();
    let out = tessera(&["user", "add", "vera", "--data-dir", data], "password-1\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another tessera process"));
    let rotate = tessera(&["key", "rotate", "--data-dir", data], "");
    assert!(!rotate.status.success());
    assert_eq!(server.req("GET", "/healthz").send().status, 200);
}

#[test]
fn key_export_prints_what_a_verifier_takes_and_key_list_shows_no_secrets() {
    let server = TestServer::spawn();
    let data = server.data_dir().to_str().unwrap();
    let exported: serde_json::Value = serde_json::from_str(&stdout(&tessera(
        &["key", "export", "--data-dir", data],
        "",
    )))
    .unwrap();
    let keys = exported.as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], "k1");
    assert_eq!(keys[0]["secret"].as_str().unwrap().len(), 43);
    let listed = stdout(&tessera(&["key", "list", "--data-dir", data], ""));
    assert!(!listed.contains(keys[0]["secret"].as_str().unwrap()));
}

#[test]
fn help_explains_every_option() {
    let help = stdout(&tessera(&["serve", "--help"], ""));
    for option in [
        "--bind",
        "--data-dir",
        "--token-ttl",
        "--leeway",
        "--max-session",
        "--workers",
        "--argon2-m-cost",
    ] {
        assert!(help.contains(option), "{option} missing from serve --help");
    }
    assert!(help.contains("TESSERA_BIND"));
    let top = stdout(&tessera(&["--help"], ""));
    for command in ["serve", "user", "token", "key"] {
        assert!(top.contains(command), "{command} missing from --help");
    }
}

#[test]
fn a_hash_with_older_weaker_parameters_is_upgraded_at_the_next_login() {
    let (_temp, dir) = initialised_data_dir();
    let data = dir.to_str().unwrap();
    let weak = ["--argon2-m-cost", "1024", "--argon2-t-cost", "1"];
    let _ = stdout(&tessera(
        &[&["user", "add", "ulla", "--data-dir", data][..], &weak].concat(),
        "password-1\n",
    ));
    let before = stdout(&tessera(&["user", "list", "--data-dir", data], ""));
    assert!(before.contains("argon2id m=1024,t=1,p=1"), "{before}");

    let login_status = |server: &TestServer| {
        server
            .req("GET", "/api/token")
            .basic("ulla", "password-1")
            .send()
            .status
    };
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(login_status(&server), 200);
    let _ = server.terminate();
    let after = stdout(&tessera(&["user", "list", "--data-dir", data], ""));
    assert!(after.contains("argon2id m=19456,t=2,p=1"), "{after}");

    // The upgraded hash still opens the account.
    let server = TestServer::start(&dir, &[]).unwrap();
    assert_eq!(login_status(&server), 200);
}
