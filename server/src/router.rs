//! One `match` from (method, path) to a handler. No logic.

use crate::api::{ApiRequest, Method, Reply};
use crate::error::ApiError;
use crate::handlers;
use crate::users::App;

/// Routes a request to its handler and turns errors into replies.
pub fn route(app: &App, req: &ApiRequest) -> Reply {
    use Method::{Delete, Get, Head, Post, Put};
    let path = req
        .path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(&req.path);
    let segments: Vec<&str> = path.split('/').collect();
    let result = match (req.method, segments.as_slice()) {
        (Post, ["", "api", "users"]) => handlers::register(app, req),
        (_, ["", "api", "users"]) => Err(ApiError::MethodNotAllowed("POST")),
        (Put, ["", "api", "users", "me", "password"]) => handlers::change_password(app, req),
        (_, ["", "api", "users", "me", "password"]) => Err(ApiError::MethodNotAllowed("PUT")),
        (Get | Head, ["", "api", "users", "me"]) => handlers::me(app, req),
        (Delete, ["", "api", "users", "me"]) => handlers::delete_me(app, req),
        (_, ["", "api", "users", "me"]) => Err(ApiError::MethodNotAllowed("GET, HEAD, DELETE")),
        (Get | Head, ["", "api", "users", id]) => handlers::get_user(app, id),
        (_, ["", "api", "users", _]) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        (Get | Post, ["", "api", "token"]) => handlers::token(app, req),
        (_, ["", "api", "token"]) => Err(ApiError::MethodNotAllowed("GET, POST")),
        (Get | Head, ["", "api", "resource"]) => handlers::resource(app, req),
        (_, ["", "api", "resource"]) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        (Post, ["", "api", "logout-all"]) => handlers::logout_all(app, req),
        (_, ["", "api", "logout-all"]) => Err(ApiError::MethodNotAllowed("POST")),
        (Get | Head, ["", "healthz"]) => Ok(handlers::health()),
        (_, ["", "healthz"]) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(Reply::from)
}
