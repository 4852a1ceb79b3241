//! Passwords and tokens: argon2id hashing behind a gate that bounds concurrent work, a dummy hash
//! so unknown users cost the same as wrong passwords, and token minting/checking via tessera-core.
//! The only file that names argon2.

use std::sync::{Condvar, Mutex};

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use tessera_core::{Claims, Keyring, UnixTime, Verified, VerifyError, VerifyOptions};

/// The audience of access tokens.
pub const ACCESS: &str = "access";

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
}

impl HashParams {
    /// OWASP's recommendation: 19 MiB, 2 iterations, 1 lane.
    pub const OWASP: HashParams = HashParams {
        m_cost: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };
}

/// Why hashing could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Too many hashes are running and waiting; try again shortly.
    #[error("too many password checks in progress")]
    Busy,
    /// The parameters are invalid.
    #[error("invalid argon2 parameters")]
    Params,
    /// argon2 failed.
    #[error("password hashing failed")]
    Failed,
}

/// Bounds how many hashes run at once and how many wait; past that, callers are turned away
/// so a login flood cannot exhaust memory or starve token-authenticated requests.
#[derive(Debug)]
struct Gate {
    state: Mutex<(usize, usize)>, // (running, waiting)
    freed: Condvar,
    max_running: usize,
    max_waiting: usize,
}

impl Gate {
    fn run<T>(&self, work: impl FnOnce() -> T) -> Result<T, HashError> {
        {
            let mut s = self.state.lock().map_err(|_| HashError::Failed)?;
            if s.0 >= self.max_running {
                if s.1 >= self.max_waiting {
                    return Err(HashError::Busy);
                }
                s.1 += 1;
                while s.0 >= self.max_running {
                    s = self.freed.wait(s).map_err(|_| HashError::Failed)?;
                }
                s.1 -= 1;
            }
            s.0 += 1;
        }
        let out = work();
        if let Ok(mut s) = self.state.lock() {
            s.0 -= 1;
        }
        self.freed.notify_one();
        Ok(out)
    }
}

/// Hashes and checks passwords.
#[derive(Debug)]
pub struct Passwords {
    argon: Argon2<'static>,
    dummy: String,
    gate: Gate,
}

impl Passwords {
    /// A hasher with these parameters, letting `max_running` hashes run and `max_waiting` wait.
    ///
    /// # Errors
    ///
    /// [`HashError::Params`] for parameters argon2 rejects.
    pub fn new(
        params: HashParams,
        max_running: usize,
        max_waiting: usize,
    ) -> Result<Passwords, HashError> {
        let params = Params::new(params.m_cost, params.t_cost, params.p_cost, None)
            .map_err(|_| HashError::Params)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        // The dummy is hashed with the live parameters, so verifying against it costs the same.
        let dummy = argon
            .hash_password(b"tessera dummy password")
            .map_err(|_| HashError::Failed)?
            .to_string();
        Ok(Passwords {
            argon,
            dummy,
            gate: Gate {
                state: Mutex::new((0, 0)),
                freed: Condvar::new(),
                max_running: max_running.max(1),
                max_waiting,
            },
        })
    }

    /// A PHC string for `password`, with a fresh random salt.
    ///
    /// # Errors
    ///
    /// [`HashError::Busy`] when the gate is full, [`HashError::Failed`] otherwise.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        self.gate.run(|| {
            self.argon
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|_| HashError::Failed)
        })?
    }

    /// Whether `password` matches `stored`; with `None` (unknown user) it checks against the dummy
    /// hash and says no, doing the same work.
    ///
    /// # Errors
    ///
    /// [`HashError::Busy`] when the gate is full.
    pub fn check(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        self.gate.run(|| {
            let phc = stored.unwrap_or(&self.dummy);
            let matched = PasswordHash::new(phc)
                .map(|hash| {
                    self.argon
                        .verify_password(password.as_bytes(), &hash)
                        .is_ok()
                })
                .unwrap_or(false);
            matched && stored.is_some()
        })
    }
}

/// Token policy: lifetime, leeway, maximum session age; and the keyring.
#[derive(Debug)]
pub struct Tokens {
    /// The keys.
    pub keyring: Keyring,
    /// Lifetime of a new token, in seconds.
    pub ttl: u64,
    /// Accepted clock skew, in seconds.
    pub leeway: u64,
    /// How long after a password login tokens may still be renewed with a token, in seconds.
    pub max_session: u64,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// The token itself is invalid.
    Invalid(VerifyError),
    /// The user no longer exists, or revoked the token (password change, log out everywhere).
    Revoked,
    /// The session is older than the maximum session age: log in with the password.
    SessionTooOld,
}

impl Tokens {
    /// Mints an access token for `user_id` at `now`, for a session that started at `auth_time`.
    ///
    /// # Errors
    ///
    /// [`TokenRejection::SessionTooOld`] if `auth_time` is older than the maximum session age.
    pub fn mint(
        &self,
        user_id: u64,
        generation: u64,
        auth_time: UnixTime,
        now: UnixTime,
    ) -> Result<Minted, TokenRejection> {
        if now.as_secs().saturating_sub(auth_time.as_secs()) > self.max_session {
            return Err(TokenRejection::SessionTooOld);
        }
        let mut claims = Claims::new(&user_id.to_string(), ACCESS, now, self.ttl);
        claims.auth_time = auth_time.min(now);
        claims.generation = generation;
        // Our own claims always fit the format's limits.
        let token = self
            .keyring
            .mint(&claims)
            .map_err(|_| TokenRejection::Revoked)?;
        Ok(Minted {
            token,
            expires_at: claims.expires_at.as_secs(),
            duration: self.ttl,
        })
    }

    /// Verifies an access token's signature, audience and times.
    ///
    /// # Errors
    ///
    /// [`TokenRejection::Invalid`] with the core's reason.
    pub fn verify(&self, token: &str, now: UnixTime) -> Result<Verified, TokenRejection> {
        let options = VerifyOptions::new(ACCESS).with_leeway_secs(self.leeway);
        self.keyring
            .verify(token, &options, now)
            .map_err(TokenRejection::Invalid)
    }
}

/// A freshly minted token.
#[derive(Debug)]
pub struct Minted {
    /// The token text.
    pub token: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// Lifetime in seconds.
    pub duration: u64,
}
