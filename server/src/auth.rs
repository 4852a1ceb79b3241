//! Passwords and tokens: argon2id hashing behind a gate that bounds concurrent work, a dummy hash
//! so unknown users cost the same as wrong passwords, and token minting/checking via tessera-core.
//! The only file that names argon2.

use std::sync::mpsc::{SyncSender, TrySendError, channel, sync_channel};
use std::sync::{Arc, Mutex};

use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};
use zeroize::Zeroizing;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use tessera_core::{Claims, Keyring, MintError, UnixTime, Verified, VerifyError, VerifyOptions};

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

    /// The most work a stored hash may ask for: 256 MiB, 16 iterations, 8 lanes. A stored hash
    /// outside this (corrupt, or planted to make every login allocate gigabytes) is never
    /// computed; the login fails with the same work as an unknown user.
    pub const MAX_STORED: HashParams = HashParams {
        m_cost: 256 * 1024,
        t_cost: 16,
        p_cost: 8,
    };

    /// Reads the parameters of an argon2id v19 hash within [`HashParams::MAX_STORED`].
    fn of_stored(hash: &PasswordHash) -> Option<HashParams> {
        if hash.algorithm.as_str() != "argon2id" || hash.version != Some(0x13) {
            return None;
        }
        let p = Params::try_from(hash).ok()?;
        let params = HashParams {
            m_cost: p.m_cost(),
            t_cost: p.t_cost(),
            p_cost: p.p_cost(),
        };
        let max = HashParams::MAX_STORED;
        (params.m_cost <= max.m_cost && params.t_cost <= max.t_cost && params.p_cost <= max.p_cost)
            .then_some(params)
    }

    /// Whether these are weaker than `live` in memory or iterations.
    fn weaker_than(self, live: HashParams) -> bool {
        self.m_cost < live.m_cost || self.t_cost < live.t_cost
    }

    /// The parameters of a stored PHC string, as `argon2id m=…,t=…,p=…`, for operators.
    #[must_use]
    pub fn describe(phc: &str) -> String {
        PasswordHash::new(phc)
            .ok()
            .and_then(|h| HashParams::of_stored(&h).map(|p| (h, p)))
            .map_or_else(
                || "unusable".to_owned(),
                |(h, p)| {
                    format!(
                        "{} m={},t={},p={}",
                        h.algorithm.as_str(),
                        p.m_cost,
                        p.t_cost,
                        p.p_cost
                    )
                },
            )
    }
}

/// What a password check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The password is right (never true for an unknown user).
    pub matched: bool,
    /// It matched a hash with weaker parameters than the live ones: re-hash it.
    pub outdated: bool,
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

/// A unit of hashing work and where its answer goes.
type Job = Box<dyn FnOnce() + Send>;

/// The threads that run password hashing, at a lower CPU priority (nice 10) than the request
/// threads, so a login flood slows logins down instead of starving token-authenticated requests.
/// At most `max_waiting` jobs queue; past that callers are turned away (`503`), so a flood cannot
/// exhaust memory either.
#[derive(Debug)]
struct HashPool {
    jobs: SyncSender<Job>,
}

impl HashPool {
    fn start(threads: usize, max_waiting: usize) -> Result<HashPool, HashError> {
        let (jobs, queue) = sync_channel::<Job>(max_waiting.max(1));
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("tessera-hash-{i}"))
                .spawn(move || {
                    // nice 10: a tenth of a request thread's CPU share when both want the CPU.
                    // Where the OS refuses (some sandboxes), hashing runs at normal priority.
                    if let Ok(p) = ThreadPriorityValue::try_from(25u8) {
                        let _ = set_current_thread_priority(ThreadPriority::Crossplatform(p));
                    }
                    loop {
                        let job = match queue.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the pool was dropped
                        }
                    }
                })
                .map_err(|_| HashError::Failed)?;
        }
        Ok(HashPool { jobs })
    }

    /// Runs `work` on the pool and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (answer, result) = channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => HashError::Busy,
            TrySendError::Disconnected(_) => HashError::Failed,
        })?;
        result.recv().map_err(|_| HashError::Failed)
    }
}

/// Hashes and checks passwords.
#[derive(Debug)]
pub struct Passwords {
    live: HashParams,
    argon: Argon2<'static>,
    dummy: Arc<str>,
    pool: HashPool,
}

impl Passwords {
    /// A hasher with these parameters, running `threads` hashes at once with up to `max_waiting`
    /// more queued.
    ///
    /// # Errors
    ///
    /// [`HashError::Params`] for parameters argon2 rejects.
    pub fn new(
        params: HashParams,
        threads: usize,
        max_waiting: usize,
    ) -> Result<Passwords, HashError> {
        let live = params;
        let params = Params::new(params.m_cost, params.t_cost, params.p_cost, None)
            .map_err(|_| HashError::Params)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        // The dummy is hashed with the live parameters, so verifying against it costs the same.
        let dummy = argon
            .hash_password(b"tessera dummy password")
            .map_err(|_| HashError::Failed)?
            .to_string();
        Ok(Passwords {
            live,
            argon,
            dummy: dummy.into(),
            pool: HashPool::start(threads, max_waiting)?,
        })
    }

    /// A PHC string for `password`, with a fresh random salt.
    ///
    /// # Errors
    ///
    /// [`HashError::Busy`] when the queue is full, [`HashError::Failed`] otherwise.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let argon = self.argon.clone();
        let password = Zeroizing::new(password.to_owned());
        self.pool.run(move || {
            argon
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|_| HashError::Failed)
        })?
    }

    /// Whether `password` matches `stored`. With `None` (unknown user), or a stored hash that is
    /// not argon2id within [`HashParams::MAX_STORED`], it checks against the dummy hash and says
    /// no, doing the same work.
    ///
    /// # Errors
    ///
    /// [`HashError::Busy`] when the queue is full.
    pub fn check(&self, password: &str, stored: Option<&str>) -> Result<Checked, HashError> {
        let argon = self.argon.clone();
        let password = Zeroizing::new(password.to_owned());
        let usable = stored.and_then(|phc| {
            let hash = PasswordHash::new(phc).ok()?;
            HashParams::of_stored(&hash).map(|params| (hash, params))
        });
        let dummy = self.dummy.clone();
        let live = self.live;
        self.pool.run(move || match usable {
            Some((hash, params)) => {
                let matched = argon.verify_password(password.as_bytes(), &hash).is_ok();
                Checked {
                    matched,
                    outdated: matched && params.weaker_than(live),
                }
            }
            None => {
                if let Ok(hash) = PasswordHash::new(&dummy) {
                    let _ = argon.verify_password(password.as_bytes(), &hash);
                }
                Checked {
                    matched: false,
                    outdated: false,
                }
            }
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

/// Why no token was minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MintRefusal {
    /// The session is older than the maximum session age: log in with the password.
    #[error("the session is older than the maximum session age; log in with the password")]
    SessionTooOld,
    /// The format cannot express the token. Our claims always fit its limits, so only the end of
    /// time gets here: at `now` = `u64::MAX` no expiry can come after the issue time.
    #[error("no token can be minted at unix time {now}: {reason}")]
    Unrepresentable {
        /// The time the token was to be minted at.
        now: u64,
        /// What the core refused.
        reason: MintError,
    },
}

impl Tokens {
    /// Mints an access token for `user_id` at `now`, for a session that started at `auth_time`.
    ///
    /// # Errors
    ///
    /// [`MintRefusal::SessionTooOld`] if `auth_time` is older than the maximum session age;
    /// [`MintRefusal::Unrepresentable`] if `now` is so late that no expiry can follow it.
    pub fn mint(
        &self,
        user_id: u64,
        generation: u64,
        auth_time: UnixTime,
        now: UnixTime,
    ) -> Result<Minted, MintRefusal> {
        if now.as_secs().saturating_sub(auth_time.as_secs()) > self.max_session {
            return Err(MintRefusal::SessionTooOld);
        }
        let mut claims = Claims::new(&user_id.to_string(), ACCESS, now, self.ttl);
        claims.auth_time = auth_time.min(now);
        claims.generation = generation;
        let token = self
            .keyring
            .mint(&claims)
            .map_err(|reason| MintRefusal::Unrepresentable {
                now: now.as_secs(),
                reason,
            })?;
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

/// A freshly minted token. `Debug` does not show the token.
pub struct Minted {
    /// The token text.
    pub token: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// Lifetime in seconds.
    pub duration: u64,
}

impl std::fmt::Debug for Minted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minted")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: HashParams = HashParams {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    };

    #[test]
    fn a_password_matches_its_own_hash_only() {
        let p = Passwords::new(FAST, 1, 1).unwrap();
        let phc = p.hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert_eq!(
            p.check("correct horse", Some(&phc)).unwrap(),
            Checked {
                matched: true,
                outdated: false
            }
        );
        assert!(!p.check("wrong horse", Some(&phc)).unwrap().matched);
        assert!(
            !p.check("correct horse", None).unwrap().matched,
            "unknown users never match"
        );
    }

    #[test]
    fn a_hash_with_weaker_parameters_is_reported_outdated() {
        let weak = Passwords::new(FAST, 1, 1)
            .unwrap()
            .hash("pw-123456")
            .unwrap();
        let live = Passwords::new(
            HashParams {
                m_cost: 2048,
                t_cost: 2,
                p_cost: 1,
            },
            1,
            1,
        )
        .unwrap();
        assert_eq!(
            live.check("pw-123456", Some(&weak)).unwrap(),
            Checked {
                matched: true,
                outdated: true
            }
        );
    }

    #[test]
    fn a_planted_hash_demanding_gigabytes_is_never_computed() {
        let p = Passwords::new(FAST, 1, 1).unwrap();
        let real = p.hash("pw-123456").unwrap();
        let planted = real.replace("m=1024,t=1", "m=4194304,t=1000");
        assert_eq!(HashParams::describe(&planted), "unusable");
        assert!(!p.check("pw-123456", Some(&planted)).unwrap().matched);
        for foreign in [
            "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$2b$12$abcdefghijklmnopqrstuu",
            "garbage",
            "",
        ] {
            assert!(
                !p.check("pw-123456", Some(foreign)).unwrap().matched,
                "{foreign}"
            );
        }
        assert_eq!(HashParams::describe(&real), "argon2id m=1024,t=1,p=1");
    }
}
