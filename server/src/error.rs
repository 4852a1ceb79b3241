//! ApiError, and the one place that maps errors to HTTP statuses, headers and JSON bodies.

use tessera_core::VerifyError;

use crate::auth::TokenRejection;

/// Everything a request can fail with, as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The request is malformed; the message says how.
    BadRequest(String),
    /// No credentials were sent where they are required.
    MissingCredentials,
    /// Unknown user or wrong password: deliberately the same.
    InvalidCredentials,
    /// The token was rejected.
    Token(TokenRejection),
    /// This operation needs the password, not a token.
    PasswordRequired,
    /// No such resource.
    NotFound,
    /// The path exists but not with this method.
    MethodNotAllowed(&'static str),
    /// The username is taken.
    UsernameTaken,
    /// The body is larger than the limit.
    PayloadTooLarge(usize),
    /// The body was sent chunked; this API wants a `Content-Length`.
    LengthRequired,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// Too much password hashing in progress.
    Busy,
    /// Too many failed logins (for this name or from this address) or registrations (from this
    /// address): retry after this many seconds.
    TooManyRequests(u64),
    /// The server's disk is full: nothing was written.
    InsufficientStorage,
    /// Something broke on our side; the detail went to the log.
    Internal,
}

impl ApiError {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::MissingCredentials
            | ApiError::InvalidCredentials
            | ApiError::Token(_)
            | ApiError::PasswordRequired => 401,
            ApiError::NotFound => 404,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::UsernameTaken => 409,
            ApiError::LengthRequired => 411,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::UnsupportedMediaType => 415,
            ApiError::TooManyRequests(_) => 429,
            ApiError::Internal => 500,
            ApiError::InsufficientStorage => 507,
            ApiError::Busy => 503,
        }
    }

    /// The stable machine-readable code in the body's `error` field.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::MissingCredentials => "missing_credentials",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Token(TokenRejection::Invalid(e)) => e.code(),
            ApiError::Token(TokenRejection::Revoked) => "revoked",
            ApiError::Token(TokenRejection::SessionTooOld) => "session_too_old",
            ApiError::PasswordRequired => "password_required",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::UsernameTaken => "username_taken",
            ApiError::LengthRequired => "length_required",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Busy => "busy",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::Internal => "internal",
            ApiError::InsufficientStorage => "insufficient_storage",
        }
    }

    /// A sentence for people.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            ApiError::BadRequest(m) => m.clone(),
            ApiError::MissingCredentials => {
                "authentication required: send HTTP Basic credentials or a Bearer token".into()
            }
            ApiError::InvalidCredentials => "invalid username or password".into(),
            ApiError::Token(TokenRejection::Invalid(e)) => e.to_string(),
            ApiError::Token(TokenRejection::Revoked) => {
                "token has been revoked (password changed, logged out everywhere, or user deleted)"
                    .into()
            }
            ApiError::Token(TokenRejection::SessionTooOld) => {
                "session is older than the maximum session age; log in with your password".into()
            }
            ApiError::PasswordRequired => {
                "this operation requires your password (HTTP Basic), not a token".into()
            }
            ApiError::NotFound => "not found".into(),
            ApiError::MethodNotAllowed(allow) => format!("method not allowed; allowed: {allow}"),
            ApiError::UsernameTaken => "username is already taken".into(),
            ApiError::LengthRequired => {
                "send the request body with a Content-Length header, not chunked".into()
            }
            ApiError::PayloadTooLarge(limit) => {
                format!("request body is larger than {limit} bytes")
            }
            ApiError::UnsupportedMediaType => {
                "request body must be JSON (Content-Type: application/json)".into()
            }
            ApiError::Busy => "server is busy checking passwords; retry shortly".into(),
            ApiError::TooManyRequests(secs) => format!("too many attempts; retry in {secs} s"),
            ApiError::Internal => "internal server error".into(),
            ApiError::InsufficientStorage => {
                "the server's storage is full; nothing was saved, try again later".into()
            }
        }
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> String {
        serde_json::json!({ "error": self.code(), "message": self.message() }).to_string()
    }

    /// Extra headers: `WWW-Authenticate` (RFC 7617 and RFC 6750), `Allow`, `Retry-After`.
    #[must_use]
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        const BASIC: &str = "Basic realm=\"tessera\", charset=\"UTF-8\"";
        match self {
            ApiError::MissingCredentials
            | ApiError::InvalidCredentials
            | ApiError::PasswordRequired => vec![
                ("WWW-Authenticate", BASIC.into()),
                ("WWW-Authenticate", "Bearer realm=\"tessera\"".into()),
            ],
            ApiError::Token(rejection) => {
                let description = match rejection {
                    TokenRejection::Invalid(VerifyError::Expired { .. }) => {
                        "token expired".to_owned()
                    }
                    _ => self.message(),
                };
                vec![
                    ("WWW-Authenticate", BASIC.into()),
                    (
                        "WWW-Authenticate",
                        format!(
                            "Bearer realm=\"tessera\", error=\"invalid_token\", error_description=\"{}\"",
                            description.replace(['"', '\\'], "'")
                        ),
                    ),
                ]
            }
            ApiError::MethodNotAllowed(allow) => vec![("Allow", (*allow).into())],
            ApiError::Busy => vec![("Retry-After", "1".into())],
            ApiError::TooManyRequests(secs) => vec![("Retry-After", secs.to_string())],
            _ => Vec::new(),
        }
    }
}
