//! The request and reply shapes shared by the HTTP layer and the handlers, free of tiny_http.

use std::net::SocketAddr;

use crate::error::ApiError;

/// HTTP methods the API knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// Anything else.
    Other,
}

/// A request as the handlers see it: already size-checked, body fully read. `Debug` leaves out
/// the `Authorization` header and the body, which carry passwords and tokens.
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The path, without the query string.
    pub path: String,
    /// The `Authorization` header, if any. Never logged.
    pub authorization: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// The `X-Forwarded-For` header, if any (believed only from a trusted proxy).
    pub forwarded_for: Option<String>,
    /// The address of the connection's other end.
    pub peer: Option<SocketAddr>,
}

/// What to send back. `Debug` leaves out the body, which may carry a token.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The authenticated user, for the log line.
    pub user: Option<u64>,
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Reply {
    /// A JSON reply.
    #[must_use]
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            headers: Vec::new(),
            user: None,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// Records the user for the log line.
    #[must_use]
    pub fn for_user(mut self, id: u64) -> Reply {
        self.user = Some(id);
        self
    }

    /// Whether this answer tells the client to come back later (it carries `Retry-After`).
    #[must_use]
    pub fn asks_to_retry_later(&self) -> bool {
        self.headers.iter().any(|(name, _)| *name == "Retry-After")
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Reply {
        Reply {
            status: e.status(),
            body: e.body(),
            headers: e.headers(),
            user: None,
        }
    }
}
