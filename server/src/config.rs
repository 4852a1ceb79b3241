//! The command line and environment: every option of `tessera` and its subcommands. Parsing only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tessera: trade a username and password once for short-lived signed tokens.
///
/// With no subcommand, `tessera` serves (like `tessera serve`).
#[derive(Debug, Parser)]
#[command(name = "tessera", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for serving when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Manage users (stop the server first).
    #[command(subcommand)]
    User(UserCommand),
    /// Mint, inspect and verify tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage signing keys (stop the server first).
    #[command(subcommand)]
    Key(KeyCommand),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataDir {
    /// Data directory: the user database and the keyring. Created (0700) on first run.
    #[arg(long, env = "TESSERA_DATA_DIR", default_value = "./tessera-data")]
    pub data_dir: PathBuf,
}

/// Options of `tessera serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "TESSERA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub data: DataDir,
    /// Lifetime of a new token, in seconds.
    #[arg(long, env = "TESSERA_TOKEN_TTL", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl: u64,
    /// Clock skew forgiven when checking token times, in seconds.
    #[arg(long, env = "TESSERA_LEEWAY", default_value_t = 5)]
    pub leeway: u64,
    /// How long after a password login a token may still buy a new token, in seconds (24 h).
    #[arg(long, env = "TESSERA_MAX_SESSION", default_value_t = 86_400)]
    pub max_session: u64,
    /// Worker threads answering requests. Password checks hold a worker while they run or queue,
    /// so keep it well above --hash-concurrency plus --hash-queue.
    #[arg(long, env = "TESSERA_WORKERS", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub workers: u64,
    /// Seconds a connection may stay silent (also the keep-alive idle timeout).
    #[arg(long, env = "TESSERA_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub read_timeout: u64,
    /// Seconds a client has to send a whole request head (the slowloris defence).
    #[arg(long, env = "TESSERA_HEAD_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub head_timeout: u64,
    /// Connections served at once; more are answered 503 and closed.
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "TESSERA_BODY_LIMIT", default_value_t = 16 * 1024)]
    pub body_limit: usize,
    /// Password hashes run at once (default: the number of CPUs).
    #[arg(long, env = "TESSERA_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,
    /// Password checks allowed to wait for a free slot; beyond that, 503 with Retry-After. Small on
    /// purpose: each waiting check holds a worker thread that token requests could use.
    #[arg(long, env = "TESSERA_HASH_QUEUE", default_value_t = 8)]
    pub hash_queue: usize,
    /// Failed logins an account name gets before it is locked (1 s, doubling with each further
    /// failure, at most 15 min). Names that do not exist are treated the same.
    #[arg(long, env = "TESSERA_LOCKOUT_AFTER", default_value_t = 5)]
    pub lockout_after: u32,
    /// Failed logins one client address may make in a burst; then one more per 10 s.
    #[arg(long, env = "TESSERA_LOGIN_BURST_PER_ADDRESS", default_value_t = 30)]
    pub login_burst_per_address: u32,
    /// Registrations one client address may make in a burst; then one more per minute.
    #[arg(long, env = "TESSERA_REGISTER_BURST_PER_ADDRESS", default_value_t = 10)]
    pub register_burst_per_address: u32,
    /// A reverse proxy whose X-Forwarded-For header is believed (repeat, or comma-separate in the
    /// variable). From anyone else, X-Forwarded-For is ignored.
    #[arg(long, env = "TESSERA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    #[command(flatten)]
    pub argon2: Argon2Args,
}

/// argon2id parameters for new password hashes.
#[derive(Debug, Clone, Args)]
pub struct Argon2Args {
    /// argon2id memory cost in KiB (OWASP: 19456 = 19 MiB).
    #[arg(long, env = "TESSERA_ARGON2_M_COST", default_value_t = 19 * 1024)]
    pub argon2_m_cost: u32,
    /// argon2id iterations (OWASP: 2).
    #[arg(long, env = "TESSERA_ARGON2_T_COST", default_value_t = 2)]
    pub argon2_t_cost: u32,
    /// argon2id parallelism (OWASP: 1).
    #[arg(long, env = "TESSERA_ARGON2_P_COST", default_value_t = 1)]
    pub argon2_p_cost: u32,
}

/// `tessera user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Register a user. The password is read from standard input (one line).
    Add {
        /// The username.
        username: String,
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        argon2: Argon2Args,
    },
    /// List users.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Delete a user (by id or username).
    Delete {
        /// Id or username.
        user: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Set a user's password (read from standard input) and revoke their tokens.
    Passwd {
        /// Id or username.
        user: String,
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        argon2: Argon2Args,
    },
}

/// `tessera token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint an access token for a user and print just the token.
    Mint {
        /// The user's id or username.
        #[arg(long)]
        user: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
        ttl: u64,
        /// Mint as if the time were this (Unix seconds), e.g. to make an already-expired token.
        #[arg(long)]
        now: Option<u64>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Print a token's claims WITHOUT verifying it.
    Inspect {
        /// The token.
        token: String,
    },
    /// Verify a token with the keyring and print its claims or why it is invalid.
    Verify {
        /// The token.
        token: String,
        /// Clock skew forgiven, in seconds.
        #[arg(long, default_value_t = 5)]
        leeway: u64,
        #[command(flatten)]
        data: DataDir,
    },
}

/// `tessera key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// List key ids, the signing key first.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Add a new signing key; older keys keep verifying until removed.
    Rotate {
        #[command(flatten)]
        data: DataDir,
    },
    /// Remove a verify-only key: tokens it signed stop verifying.
    Remove {
        /// The key id.
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Print the verifying keys as JSON, `[{"id", "secret"}]`, for `new Verifier(keys)`.
    Export {
        #[command(flatten)]
        data: DataDir,
    },
}
