//! The user service: registration, login, token renewal and the account lifecycle. It joins the
//! password hasher, the token policy and the store; handlers call it, it never sees HTTP.

use std::net::IpAddr;
use std::time::Instant;

use tessera_core::UnixTime;

use crate::auth::{HashError, MintRefusal, Minted, Passwords, TokenRejection, Tokens};
use crate::error::ApiError;
use crate::store::{Store, StoreError, User};
use crate::throttle::Throttle;

/// Shortest and longest username, in characters.
pub const USERNAME_LEN: std::ops::RangeInclusive<usize> = 3..=32;
/// Shortest and longest password, in bytes of UTF-8.
pub const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 8..=1024;

/// Everything a request handler needs.
#[derive(Debug)]
pub struct App {
    /// The user database.
    pub store: Store,
    /// Password hashing.
    pub passwords: Passwords,
    /// Token policy and keys.
    pub tokens: Tokens,
    /// Brute-force counters.
    pub throttle: Throttle,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The clock, read once per request.
    pub clock: fn() -> UnixTime,
}

/// Credentials a client presented. `Debug` shows neither the password nor the token.
pub enum Credentials {
    /// Username and password (HTTP Basic).
    Password {
        /// As sent.
        username: String,
        /// As sent. Never logged.
        password: String,
    },
    /// A token (Bearer, or Basic with the token as username).
    Token(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::Token(_) => f.write_str("Token(..)"),
        }
    }
}

/// A user who proved who they are, and how.
#[derive(Debug)]
pub struct Authenticated {
    /// The user.
    pub user: User,
    /// When the session's password login happened: now for a password, the token's `auth_time`
    /// for a token.
    pub auth_time: UnixTime,
    /// Whether the password was presented (not just a token).
    pub with_password: bool,
}

/// Normalises a username: ASCII letters (folded to lower case), digits, `_` and `-`, 3 to 32
/// characters. Anything else (including all non-ASCII, so no Unicode look-alikes) is refused.
///
/// # Errors
///
/// A message saying which rule was broken.
pub fn normalize_username(raw: &str) -> Result<String, String> {
    let name = raw.to_ascii_lowercase();
    if !USERNAME_LEN.contains(&name.chars().count()) {
        return Err(format!(
            "username must be {} to {} characters",
            USERNAME_LEN.start(),
            USERNAME_LEN.end()
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return Err("username may contain only letters a-z, digits, '_' and '-'".into());
    }
    Ok(name)
}

/// Checks a password's length.
///
/// # Errors
///
/// A message saying the limits.
pub fn check_password(password: &str) -> Result<(), String> {
    if PASSWORD_LEN.contains(&password.len()) {
        Ok(())
    } else {
        Err(format!(
            "password must be {} to {} bytes",
            PASSWORD_LEN.start(),
            PASSWORD_LEN.end()
        ))
    }
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::UsernameTaken => ApiError::UsernameTaken,
        StoreError::NoSuchUser => ApiError::NotFound,
        full if full.is_disk_full() => {
            eprintln!("tessera: store error: {full}");
            ApiError::InsufficientStorage
        }
        other => {
            eprintln!("tessera: store error: {other}");
            ApiError::Internal
        }
    }
}

fn hash_error(e: HashError) -> ApiError {
    match e {
        HashError::Busy => ApiError::Busy,
        other => {
            eprintln!("tessera: password hashing error: {other}");
            ApiError::Internal
        }
    }
}

impl App {
    /// Registers a user.
    ///
    /// # Errors
    ///
    /// [`ApiError::BadRequest`] for a name or password that breaks the rules,
    /// [`ApiError::UsernameTaken`], [`ApiError::Busy`], [`ApiError::Internal`].
    pub fn register(
        &self,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<User, ApiError> {
        self.throttle
            .register(address, Instant::now())
            .map_err(|t| ApiError::TooManyRequests(t.retry_after))?;
        let username = normalize_username(username).map_err(ApiError::BadRequest)?;
        check_password(password).map_err(ApiError::BadRequest)?;
        if self
            .store
            .user_by_name(&username)
            .map_err(store_error)?
            .is_some()
        {
            return Err(ApiError::UsernameTaken);
        }
        let hash = self.passwords.hash(password).map_err(hash_error)?;
        self.store
            .create_user(&username, &hash, (self.clock)().as_secs())
            .map_err(store_error)
    }

    /// The user with this id.
    ///
    /// # Errors
    ///
    /// [`ApiError::NotFound`], or the store's failure.
    pub fn user(&self, id: u64) -> Result<User, ApiError> {
        self.store
            .user(id)
            .map_err(store_error)?
            .ok_or(ApiError::NotFound)
    }

    /// Checks credentials. Unknown users and wrong passwords are indistinguishable, in answer and
    /// in work done.
    ///
    /// # Errors
    ///
    /// [`ApiError::InvalidCredentials`], [`ApiError::Token`], [`ApiError::Busy`], [`ApiError::Internal`].
    pub fn authenticate(
        &self,
        credentials: &Credentials,
        address: Option<IpAddr>,
        now: UnixTime,
    ) -> Result<Authenticated, ApiError> {
        match credentials {
            Credentials::Password { username, password } => {
                let name = normalize_username(username);
                // Invalid names are counted (and locked) like any other, so a lock says nothing
                // about whether a name exists.
                let key = name
                    .clone()
                    .unwrap_or_else(|_| username.to_ascii_lowercase().chars().take(64).collect());
                let started = Instant::now();
                self.throttle
                    .check_login(&key, address, started)
                    .map_err(|t| ApiError::TooManyRequests(t.retry_after))?;
                let user = match name {
                    Ok(name) => self.store.user_by_name(&name).map_err(store_error)?,
                    Err(_) => None,
                };
                let checked = self
                    .passwords
                    .check(password, user.as_ref().map(|u| u.password_hash.as_str()))
                    .map_err(hash_error)?;
                match user {
                    Some(user) if checked.matched => {
                        self.throttle.login_succeeded(&key);
                        let user = if checked.outdated {
                            self.rehash(user, password)
                        } else {
                            user
                        };
                        Ok(Authenticated {
                            user,
                            auth_time: now,
                            with_password: true,
                        })
                    }
                    _ => {
                        self.throttle.login_failed(&key, address, started);
                        Err(ApiError::InvalidCredentials)
                    }
                }
            }
            Credentials::Token(token) => {
                let verified = self.tokens.verify(token, now).map_err(ApiError::Token)?;
                let claims = verified.claims();
                let revoked = ApiError::Token(TokenRejection::Revoked);
                let id: u64 = claims.subject().parse().map_err(|_| revoked.clone())?;
                let user = self
                    .store
                    .user(id)
                    .map_err(store_error)?
                    .ok_or(revoked.clone())?;
                if user.generation != claims.generation() {
                    return Err(revoked);
                }
                Ok(Authenticated {
                    user,
                    auth_time: claims.auth_time(),
                    with_password: false,
                })
            }
        }
    }

    /// Re-hashes a password that matched a hash with weaker parameters than the live ones. A
    /// failure leaves the old hash (the login itself already succeeded).
    fn rehash(&self, user: User, password: &str) -> User {
        let Ok(hash) = self.passwords.hash(password) else {
            return user;
        };
        let id = user.id;
        self.store
            .update_user(id, |u| u.password_hash = hash)
            .unwrap_or(user)
    }

    /// A new access token for an authenticated user; a token bought with a token keeps its
    /// session's login time.
    ///
    /// # Errors
    ///
    /// [`ApiError::Token`] with `SessionTooOld` past the maximum session age;
    /// [`ApiError::Internal`] if the clock says the end of time.
    pub fn issue_token(&self, who: &Authenticated, now: UnixTime) -> Result<Minted, ApiError> {
        self.tokens
            .mint(who.user.id, who.user.generation, who.auth_time, now)
            .map_err(|refusal| match refusal {
                MintRefusal::SessionTooOld => ApiError::Token(TokenRejection::SessionTooOld),
                unrepresentable @ MintRefusal::Unrepresentable { .. } => {
                    eprintln!("tessera: {unrepresentable}");
                    ApiError::Internal
                }
            })
    }

    /// Changes the password and revokes every earlier token. Requires the current password.
    ///
    /// # Errors
    ///
    /// [`ApiError::PasswordRequired`] when authenticated by token, [`ApiError::BadRequest`],
    /// [`ApiError::Busy`], [`ApiError::Internal`].
    pub fn change_password(
        &self,
        who: &Authenticated,
        new_password: &str,
    ) -> Result<User, ApiError> {
        if !who.with_password {
            return Err(ApiError::PasswordRequired);
        }
        check_password(new_password).map_err(ApiError::BadRequest)?;
        let hash = self.passwords.hash(new_password).map_err(hash_error)?;
        self.store
            .update_user(who.user.id, |u| {
                u.password_hash = hash;
                u.generation += 1;
            })
            .map_err(store_error)
    }

    /// Revokes every token of the user.
    ///
    /// # Errors
    ///
    /// [`ApiError::Internal`].
    pub fn logout_all(&self, who: &Authenticated) -> Result<User, ApiError> {
        self.store
            .update_user(who.user.id, |u| u.generation += 1)
            .map_err(store_error)
    }

    /// Deletes the account. Requires the password.
    ///
    /// # Errors
    ///
    /// [`ApiError::PasswordRequired`] when authenticated by token, [`ApiError::Internal`].
    pub fn delete_account(&self, who: &Authenticated) -> Result<User, ApiError> {
        if !who.with_password {
            return Err(ApiError::PasswordRequired);
        }
        self.store.delete_user(who.user.id).map_err(store_error)
    }
}
