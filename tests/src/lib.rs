//! The end-to-end harness: the real `tessera` binary as a child process on 127.0.0.1 with an
//! ephemeral port and a fresh data directory, and a small raw HTTP/1.1 client so tests control
//! every byte they send.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// Builds the `tessera` binary once per test run and returns its path.
///
/// # Panics
///
/// If it does not build.
#[must_use]
pub fn tessera_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--package",
                "tessera-server",
                "--bin",
                "tessera",
            ])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "tessera builds");
        // The test binary lives in target/<profile>/deps/.
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        profile_dir.join("tessera")
    })
}

/// Runs `tessera <args>` to completion (an admin command), feeding `stdin`.
///
/// # Panics
///
/// If the binary cannot be run.
#[must_use]
pub fn tessera(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(tessera_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tessera runs");
    // A command that refuses early never reads its input: a broken pipe here is not an error.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("tessera finishes")
}

/// A running `tessera serve`.
#[derive(Debug)]
pub struct TestServer {
    child: Child,
    addr: SocketAddr,
    data_dir: PathBuf,
    log: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A server on a fresh data directory.
    ///
    /// # Panics
    ///
    /// If it does not start.
    #[must_use]
    pub fn spawn() -> TestServer {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut server = TestServer::start(&temp.path().join("data"), &[]).expect("server starts");
        server._temp = Some(temp);
        server
    }

    /// A server on `data_dir` with extra arguments, or the error output if it refused to start.
    ///
    /// # Errors
    ///
    /// The server's standard error when it exits instead of listening.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Result<TestServer, String> {
        TestServer::start_wrapped(data_dir, extra, None)
    }

    /// As [`TestServer::start`], with the open-file limit (`ulimit -n`) set to `max_fds`.
    ///
    /// # Errors
    ///
    /// As [`TestServer::start`].
    pub fn start_with_fd_limit(
        data_dir: &Path,
        extra: &[&str],
        max_fds: u32,
    ) -> Result<TestServer, String> {
        TestServer::start_wrapped(data_dir, extra, Some(max_fds))
    }

    fn start_wrapped(
        data_dir: &Path,
        extra: &[&str],
        max_fds: Option<u32>,
    ) -> Result<TestServer, String> {
        let log = data_dir.with_extension(format!("log-{}", unique()));
        let log_file = std::fs::File::create(&log).expect("log file");
        let data = data_dir.to_str().expect("utf-8 path");
        let bind: &[&str] = if extra.contains(&"--bind") {
            &[]
        } else {
            &["--bind", "127.0.0.1:0"]
        };
        let mut command = match max_fds {
            None => Command::new(tessera_bin()),
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.args([
                    "-c",
                    &format!("ulimit -n {n} && exec \"$0\" \"$@\""),
                    &tessera_bin().to_string_lossy(),
                ]);
                sh
            }
        };
        let mut child = command
            .args(["serve", "--data-dir", data])
            .args(bind)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("tessera spawns");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("stdout reads");
        let Some(addr) = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        else {
            let _ = child.wait();
            return Err(std::fs::read_to_string(&log).unwrap_or_default());
        };
        let addr = addr.parse().expect("a socket address");
        Ok(TestServer {
            child,
            addr,
            data_dir: data_dir.to_owned(),
            log,
            _temp: None,
        })
    }

    /// Where it listens.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its data directory.
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Everything it wrote to standard error so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for it to exit.
    ///
    /// # Panics
    ///
    /// If the signal cannot be sent.
    pub fn terminate(self) -> (ExitStatus, Option<tempfile::TempDir>) {
        self.sigterm_now();
        self.wait_for_exit()
    }

    /// Sends SIGTERM without waiting (usable while other threads still talk to the server);
    /// [`TestServer::wait_for_exit`] then says how it ended.
    ///
    /// # Panics
    ///
    /// If the signal cannot be sent.
    pub fn sigterm_now(&self) {
        self.signal("-TERM");
    }

    /// Waits for the server to exit after a signal.
    ///
    /// # Panics
    ///
    /// If waiting fails.
    pub fn wait_for_exit(mut self) -> (ExitStatus, Option<tempfile::TempDir>) {
        let status = self.child.wait().expect("server exits");
        (status, self._temp.take())
    }

    /// Sends SIGKILL without waiting (usable while other threads still talk to the server).
    ///
    /// # Panics
    ///
    /// If the signal cannot be sent.
    pub fn kill9_now(&self) {
        self.signal("-KILL");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill9(mut self) -> Option<tempfile::TempDir> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self._temp.take()
    }

    /// Starts a request to this server.
    #[must_use]
    pub fn req(&self, method: &str, path: &str) -> Req {
        Req::new(self.addr, method, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A request being built.
#[derive(Debug, Clone)]
pub struct Req {
    addr: SocketAddr,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    /// A request with no headers and no body.
    #[must_use]
    pub fn new(addr: SocketAddr, method: &str, path: &str) -> Req {
        Req {
            addr,
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// HTTP Basic credentials.
    #[must_use]
    pub fn basic(self, user: &str, password: &str) -> Req {
        let value = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        self.header("Authorization", &value)
    }

    /// A Bearer token.
    #[must_use]
    pub fn bearer(self, token: &str) -> Req {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// A JSON body.
    #[must_use]
    pub fn json(self, body: &Value) -> Req {
        self.header("Content-Type", "application/json")
            .body(body.to_string().as_bytes())
    }

    /// A raw body.
    #[must_use]
    pub fn body(mut self, body: &[u8]) -> Req {
        self.body = body.to_vec();
        self
    }

    /// Sends it and reads the whole response.
    ///
    /// # Panics
    ///
    /// If the connection fails or the response is not HTTP.
    #[must_use]
    pub fn send(&self) -> Response {
        self.try_send().expect("a complete HTTP response")
    }

    /// Sends it; `None` if the connection fails or the response is cut short.
    #[must_use]
    pub fn try_send(&self) -> Option<Response> {
        let mut raw = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.method, self.path, self.addr
        );
        for (name, value) in &self.headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&self.body);
        try_send_raw(self.addr, &bytes)
    }
}

/// Sends raw bytes on a fresh connection and reads the response until the server closes it.
///
/// # Panics
///
/// If the connection fails or the response is not HTTP.
#[must_use]
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Response {
    try_send_raw(addr, bytes).expect("a complete HTTP response")
}

/// As [`send_raw`], but `None` instead of a panic when the connection fails.
#[must_use]
pub fn try_send_raw(addr: SocketAddr, bytes: &[u8]) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream.write_all(bytes).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    Response::parse(&response)
}

/// A parsed response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// Parses a complete HTTP/1.1 response; `None` if it is cut short or not HTTP.
    #[must_use]
    pub fn parse(raw: &[u8]) -> Option<Response> {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next()?;
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok())?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let body = raw[split + 4..].to_vec();
        let complete = headers_len(&headers).is_none_or(|len| len == body.len());
        complete.then_some(Response {
            status,
            headers,
            body,
        })
    }

    /// The body as JSON.
    ///
    /// # Panics
    ///
    /// If it is not JSON.
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The first header with this name (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header with this name.
    #[must_use]
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The `error` code of a JSON error body.
    #[must_use]
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

fn headers_len(headers: &[(String, String)]) -> Option<usize> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
}

/// Sends raw bytes, closes the sending half (the server sees end of input), and reads whatever
/// response comes back; `None` if there is none.
#[must_use]
pub fn send_raw_half_closed(addr: SocketAddr, bytes: &[u8]) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream.write_all(bytes).ok()?;
    stream.shutdown(std::net::Shutdown::Write).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    Response::parse(&response)
}

/// Sends raw bytes on a fresh connection and returns everything the server sent before closing
/// it, or `None` if it kept the connection open for `wait` (it did not close).
#[must_use]
pub fn raw_exchange(addr: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(wait)).ok()?;
    let _ = stream.write_all(bytes);
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => Some(response),
        // A reset after the answer still means the server closed the connection.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(response),
        Err(_) => None,
    }
}

/// The status codes of every response in `raw` (pipelined responses included).
#[must_use]
pub fn statuses(raw: &[u8]) -> Vec<u16> {
    let text = String::from_utf8_lossy(raw);
    text.match_indices("HTTP/1.")
        .filter_map(|(i, _)| text[i..].split(' ').nth(1).and_then(|s| s.parse().ok()))
        .collect()
}

/// Registers a user and returns the response.
#[must_use]
pub fn register(server: &TestServer, username: &str, password: &str) -> Response {
    try_register(server, username, password).expect("a complete HTTP response")
}

/// Registers a user; `None` if the server did not answer completely.
#[must_use]
pub fn try_register(server: &TestServer, username: &str, password: &str) -> Option<Response> {
    server
        .req("POST", "/api/users")
        .json(&serde_json::json!({ "username": username, "password": password }))
        .try_send()
}

/// Logs in with a password and returns the token.
///
/// # Panics
///
/// If the login fails.
#[must_use]
pub fn login(server: &TestServer, username: &str, password: &str) -> String {
    let r = server
        .req("GET", "/api/token")
        .basic(username, password)
        .send();
    assert_eq!(r.status, 200, "login: {}", String::from_utf8_lossy(&r.body));
    r.json()["token"].as_str().expect("token").to_owned()
}
