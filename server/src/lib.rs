//! tessera-server: the `tessera` binary's library. `start` opens the data directory and serves;
//! the admin commands work on the same directory.

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod handlers;
pub mod http;
pub mod keyfile;
pub mod router;
pub mod store;
pub mod tarpit;
pub mod throttle;
pub mod users;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tessera_core::UnixTime;

use crate::auth::{HashError, HashParams, Passwords, Tokens};
use crate::config::{Argon2Args, ServeArgs};
use crate::http::HttpServer;
use crate::keyfile::{KeyFile, KeyFileError};
use crate::store::{Store, StoreError};
use crate::users::App;

/// File names inside the data directory.
pub const DB_FILE: &str = "tessera.redb";
/// The keyring file.
pub const KEY_FILE: &str = "keys.json";

/// Why the server could not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keyring could not be loaded.
    #[error(transparent)]
    Keys(#[from] KeyFileError),
    /// The bind address is not usable.
    #[error("cannot listen on {0}: {1} ({hint})", hint = bind_hint(.1))]
    Bind(String, std::io::Error),
    /// The argon2 parameters are invalid.
    #[error("invalid argon2 parameters: {0}")]
    Hash(HashError),
}

/// What to do about a failure to listen on `--bind`.
fn bind_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => "is another server using it? choose another with --bind",
        std::io::ErrorKind::AddrNotAvailable => {
            "no network interface here has that address; 127.0.0.1 or 0.0.0.0 always work"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; choose a higher one with --bind"
        }
        _ => "--bind takes host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080",
    }
}

/// A running server.
#[derive(Debug)]
pub struct Running {
    http: HttpServer,
    data_dir: PathBuf,
}

impl Running {
    /// Where it listens.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.http.addr()
    }

    /// The data directory.
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops accepting, finishes requests in flight, and closes the database.
    pub fn shutdown(self) {
        self.http.shutdown();
    }
}

/// argon2 parameters from the command line.
#[must_use]
pub fn hash_params(args: &Argon2Args) -> HashParams {
    HashParams {
        m_cost: args.argon2_m_cost,
        t_cost: args.argon2_t_cost,
        p_cost: args.argon2_p_cost,
    }
}

/// Opens the data directory (creating it on first run), the database and the keyring, binds, and
/// serves.
///
/// # Errors
///
/// A [`StartError`] saying what is wrong and what to do.
pub fn start(args: &ServeArgs) -> Result<Running, StartError> {
    let data_dir = args.data.data_dir.clone();
    let now = UnixTime::now().as_secs();
    keyfile::create_private_dir(&data_dir)
        .map_err(|e| StartError::DataDir(data_dir.display().to_string(), e))?;
    let store = Store::open(&data_dir.join(DB_FILE))?;
    let keys = KeyFile::load_or_create(&data_dir.join(KEY_FILE), now)?;
    let keyring = keys
        .to_keyring()
        .map_err(|e| KeyFileError::Invalid(data_dir.join(KEY_FILE).display().to_string(), e))?;
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let passwords = Passwords::new(
        hash_params(&args.argon2),
        args.hash_concurrency.unwrap_or(cpus),
        args.hash_queue,
    )
    .map_err(StartError::Hash)?;
    let tokens = Tokens {
        keyring,
        ttl: args.token_ttl,
        leeway: args.leeway,
        max_session: args.max_session,
    };
    let policy = throttle::Policy {
        account_free_failures: args.lockout_after,
        address_burst: args.login_burst_per_address,
        register_burst: args.register_burst_per_address,
        ..throttle::Policy::default()
    };
    let app = Arc::new(App {
        store,
        passwords,
        tokens,
        throttle: throttle::Throttle::new(policy),
        trusted_proxies: args.trusted_proxy.clone(),
        clock: UnixTime::now,
    });
    let listener =
        TcpListener::bind(&args.bind).map_err(|e| StartError::Bind(args.bind.clone(), e))?;
    let limits = http::Limits {
        workers: usize::try_from(args.workers).unwrap_or(32),
        body_limit: args.body_limit,
        read_timeout: Duration::from_secs(args.read_timeout),
        head_timeout: Duration::from_secs(args.head_timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(512),
    };
    let http = HttpServer::start(listener, &limits, app)
        .map_err(|e| StartError::Bind(args.bind.clone(), e))?;
    Ok(Running { http, data_dir })
}
