//! The only tiny_http file: a pool of worker threads, the body-size limit, converting a tiny_http
//! request into an `ApiRequest`, responding exactly once, and one log line per request.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use tiny_http::{Header, HttpLimits, Request, Response, Server};

use crate::api::{ApiRequest, Method, Reply};
use crate::error::ApiError;
use crate::router;
use crate::tarpit::Tarpit;
use crate::users::App;

/// How long an answer that asks the client to retry later is held back (see `tarpit.rs`).
/// Well under the one second `Retry-After` asks for, so no client that obeys it waits longer.
const RETRY_LATER_HOLD: std::time::Duration = std::time::Duration::from_millis(250);

/// How the HTTP layer protects itself.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Request threads.
    pub workers: usize,
    /// Largest body, in bytes.
    pub body_limit: usize,
    /// Longest silence on a connection.
    pub read_timeout: std::time::Duration,
    /// Longest time to send a request head.
    pub head_timeout: std::time::Duration,
    /// Most connections at once.
    pub max_connections: usize,
}

/// A running HTTP server.
pub struct HttpServer {
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
    tarpit: Arc<Tarpit>,
    stopping: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("addr", &self.addr)
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl HttpServer {
    /// Serves `app` on `listener` with `workers` threads.
    ///
    /// # Errors
    ///
    /// The I/O error if the listener cannot be used.
    pub fn start(
        listener: TcpListener,
        limits: &Limits,
        app: Arc<App>,
    ) -> std::io::Result<HttpServer> {
        let addr = listener.local_addr()?;
        let http_limits = HttpLimits {
            read_timeout: Some(limits.read_timeout),
            write_timeout: Some(limits.read_timeout),
            head_timeout: limits.head_timeout,
            max_connections: limits.max_connections,
            // Bodies we accept at all are read by the connection thread, under the head deadline,
            // so a slow sender never holds a worker.
            max_eager_body: limits.body_limit,
            ..HttpLimits::default()
        };
        let server = Arc::new(
            Server::from_listener_with_limits(listener, None, http_limits)
                .map_err(std::io::Error::other)?,
        );
        let (workers, body_limit) = (limits.workers, limits.body_limit);
        let stopping = Arc::new(AtomicBool::new(false));
        // Every held answer keeps its connection, so the connection cap bounds them too.
        let tarpit = Arc::new(Tarpit::start(RETRY_LATER_HOLD, limits.max_connections)?);
        let workers = (0..workers.max(1))
            .map(|i| {
                let (server, stopping, app) = (server.clone(), stopping.clone(), app.clone());
                let tarpit = tarpit.clone();
                std::thread::Builder::new()
                    .name(format!("tessera-worker-{i}"))
                    .spawn(move || work(&server, &stopping, &app, &tarpit, body_limit))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(HttpServer {
            server,
            workers,
            tarpit,
            stopping,
            addr,
        })
    }

    /// Where it listens.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops taking new requests, lets the requests in flight finish, joins the workers, and
    /// sends the answers the tarpit still holds (within one hold).
    pub fn shutdown(self) {
        self.stopping.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers {
            let _ = worker.join();
        }
        drop(self.tarpit);
    }
}

fn work(server: &Server, stopping: &AtomicBool, app: &App, tarpit: &Tarpit, body_limit: usize) {
    while !stopping.load(Ordering::SeqCst) {
        match server.recv() {
            Ok(request) => handle(request, app, tarpit, body_limit),
            Err(_) if stopping.load(Ordering::SeqCst) => break,
            Err(e) => eprintln!("tessera: accept error: {e}"),
        }
    }
}

fn handle(mut request: Request, app: &App, tarpit: &Tarpit, body_limit: usize) {
    let started = Instant::now();
    let method = match request.method() {
        tiny_http::Method::Get => Method::Get,
        tiny_http::Method::Head => Method::Head,
        tiny_http::Method::Post => Method::Post,
        tiny_http::Method::Put => Method::Put,
        tiny_http::Method::Delete => Method::Delete,
        _ => Method::Other,
    };
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let authorization = header("Authorization");
    let content_type = header("Content-Type");
    let forwarded_for = header("X-Forwarded-For");
    let peer = request.remote_addr().copied();

    // Read the body (up to the limit) before answering, so nothing is left to drain.
    let mut body = Vec::new();
    let limit = u64::try_from(body_limit)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let chunked = header("Transfer-Encoding").is_some();
    let declared = request.body_length().unwrap_or(0);
    let read = if chunked || declared > body_limit {
        Ok(0) // answered below without reading: the connection closes after the answer
    } else {
        request.as_reader().take(limit).read_to_end(&mut body)
    };
    let reply = match read {
        _ if chunked => Reply::from(ApiError::LengthRequired),
        _ if declared > body_limit => Reply::from(ApiError::PayloadTooLarge(body_limit)),
        Err(_) => Reply::from(ApiError::BadRequest(
            "could not read the request body".into(),
        )),
        Ok(n) if n > body_limit => Reply::from(ApiError::PayloadTooLarge(body_limit)),
        Ok(_) => {
            let api = ApiRequest {
                method,
                path: path.clone(),
                authorization,
                content_type,
                body,
                forwarded_for,
                peer,
            };
            router::route(app, &api)
        }
    };

    let line = format!(
        "{} {} {} {:.1}ms{}\n",
        method_name(method),
        path,
        reply.status,
        started.elapsed().as_secs_f64() * 1000.0,
        reply
            .user
            .map(|id| format!(" user={id}"))
            .unwrap_or_default()
    );
    // Logged before the answer goes out, so a client that has its answer finds the line. One
    // write: stderr is unbuffered, and `eprintln!` would make a system call per piece.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    let head = method == Method::Head;
    if reply.asks_to_retry_later() {
        if let Err(answer_now) = tarpit.hold(move || respond(request, reply, head)) {
            answer_now();
        }
    } else {
        respond(request, reply, head);
    }
}

fn respond(request: Request, reply: Reply, head: bool) {
    let body = if head {
        Vec::new()
    } else {
        reply.body.into_bytes()
    };
    let mut response = Response::from_data(body).with_status_code(reply.status);
    let json = Header::from_bytes("Content-Type", "application/json");
    if let Ok(h) = json {
        response.add_header(h);
    }
    for (name, value) in reply.headers {
        if let Ok(h) = Header::from_bytes(name, value.as_bytes()) {
            response.add_header(h);
        }
    }
    if (reply.status == 413 || reply.status == 411)
        && let Ok(h) = Header::from_bytes("Connection", "close")
    {
        response.add_header(h);
    }
    // A client that hung up is not our error.
    let _ = request.respond(response);
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Other => "OTHER",
    }
}
