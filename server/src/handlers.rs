//! One function per endpoint: decode the request, call the user service, shape the reply.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::net::IpAddr;

use serde::Deserialize;
use serde_json::json;
use tessera_core::UnixTime;

use crate::api::{ApiRequest, Reply};
use crate::error::ApiError;
use crate::store::User;
use crate::users::{App, Authenticated, Credentials};

fn user_json(user: &User) -> serde_json::Value {
    json!({ "id": user.id, "username": user.username })
}

/// Parses a JSON object body. Only `application/json` (any parameters) is accepted.
fn json_body<T: for<'de> Deserialize<'de>>(req: &ApiRequest) -> Result<T, ApiError> {
    let is_json = req
        .content_type
        .as_deref()
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let value: serde_json::Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::BadRequest(format!("body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::BadRequest("body must be a JSON object".into()));
    }
    serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("invalid body: {e}")))
}

/// Reads credentials from the `Authorization` header: `Basic` (username and password, or a token
/// as the username) or `Bearer`.
fn credentials(req: &ApiRequest) -> Result<Credentials, ApiError> {
    let header = req
        .authorization
        .as_deref()
        .ok_or(ApiError::MissingCredentials)?;
    let (scheme, value) = header
        .trim()
        .split_once(' ')
        .ok_or(ApiError::MissingCredentials)?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Credentials::Token(value.to_owned()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::MissingCredentials);
    }
    let decoded = STANDARD
        .decode(value)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            ApiError::BadRequest("Basic credentials are not valid base64 of UTF-8".into())
        })?;
    let (username, password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    // Usernames never contain '.', tokens always do: `curl -u <token>:unused` sends a token.
    if username.contains('.') {
        return Ok(Credentials::Token(username.to_owned()));
    }
    Ok(Credentials::Password {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

fn authenticate(app: &App, req: &ApiRequest, now: UnixTime) -> Result<Authenticated, ApiError> {
    app.authenticate(
        &credentials(req)?,
        client_address(req, &app.trusted_proxies),
        now,
    )
}

/// The client's address: the connection's peer, unless the peer is a trusted proxy, in which
/// case the nearest address in `X-Forwarded-For` that is not a trusted proxy.
fn client_address(req: &ApiRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let Some(chain) = req.forwarded_for.as_deref() else {
        return Some(peer);
    };
    let mut nearest = peer;
    for hop in chain.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => nearest = ip,
            Ok(ip) => return Some(ip),
            // A garbled hop: believe nothing further out than the last good one.
            Err(_) => return Some(nearest),
        }
    }
    Some(nearest)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: Option<String>,
    password: Option<String>,
}

/// `POST /api/users`
pub fn register(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let body: NewUser = json_body(req)?;
    let username = body
        .username
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::BadRequest("username is required".into()))?;
    let password = body
        .password
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::BadRequest("password is required".into()))?;
    let user = app.register(
        &username,
        &password,
        client_address(req, &app.trusted_proxies),
    )?;
    Ok(Reply::json(201, &user_json(&user))
        .with_header("Location", format!("/api/users/{}", user.id))
        .for_user(user.id))
}

/// `GET /api/users/{id}`
pub fn get_user(app: &App, id: &str) -> Result<Reply, ApiError> {
    let id: u64 = id.parse().map_err(|_| ApiError::NotFound)?;
    Ok(Reply::json(200, &user_json(&app.user(id)?)))
}

/// `GET|POST /api/token`
pub fn token(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let now = (app.clock)();
    let who = authenticate(app, req, now)?;
    let minted = app.issue_token(&who, now)?;
    Ok(Reply::json(
        200,
        &json!({
            "token": minted.token,
            "duration": minted.duration,
            "expires_at": minted.expires_at,
        }),
    )
    .for_user(who.user.id))
}

/// `GET /api/resource`
pub fn resource(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let who = authenticate(app, req, (app.clock)())?;
    Ok(Reply::json(
        200,
        &json!({ "data": format!("Hello, {}!", who.user.username) }),
    )
    .for_user(who.user.id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    password: Option<String>,
}

/// `PUT /api/users/me/password`
pub fn change_password(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let who = authenticate(app, req, (app.clock)())?;
    let body: NewPassword = json_body(req)?;
    let password = body
        .password
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::BadRequest("password is required".into()))?;
    let user = app.change_password(&who, &password)?;
    Ok(Reply::json(
        200,
        &json!({ "id": user.id, "username": user.username, "tokens_revoked": true }),
    )
    .for_user(user.id))
}

/// `POST /api/logout-all`
pub fn logout_all(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let who = authenticate(app, req, (app.clock)())?;
    let user = app.logout_all(&who)?;
    Ok(Reply::json(200, &json!({ "id": user.id, "tokens_revoked": true })).for_user(user.id))
}

/// `GET /api/users/me`: who the credentials belong to.
pub fn me(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let who = authenticate(app, req, (app.clock)())?;
    Ok(Reply::json(200, &user_json(&who.user)).for_user(who.user.id))
}

/// `DELETE /api/users/me`
pub fn delete_me(app: &App, req: &ApiRequest) -> Result<Reply, ApiError> {
    let who = authenticate(app, req, (app.clock)())?;
    let user = app.delete_account(&who)?;
    Ok(Reply::json(200, &json!({ "id": user.id, "deleted": true })).for_user(user.id))
}

/// `GET /healthz`
pub fn health() -> Reply {
    Reply::json(200, &json!({ "status": "ok" }))
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use proptest::prelude::*;

    use super::*;
    use crate::api::Method;

    fn request(authorization: Option<String>, forwarded_for: Option<String>) -> ApiRequest {
        ApiRequest {
            method: Method::Get,
            path: "/".into(),
            authorization,
            content_type: None,
            body: Vec::new(),
            forwarded_for,
            peer: Some(SocketAddr::from(([127, 0, 0, 1], 9))),
        }
    }

    proptest! {
        #[test]
        fn any_authorization_header_is_parsed_without_panicking(header in "\\PC{0,200}") {
            let _ = credentials(&request(Some(header), None));
        }

        #[test]
        fn basic_credentials_round_trip(user in "[a-z0-9_-]{1,32}", password in "\\PC{0,64}") {
            let header = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
            match credentials(&request(Some(header), None)) {
                Ok(Credentials::Password { username, password: p }) => {
                    prop_assert_eq!(username, user);
                    prop_assert_eq!(p, password);
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn a_token_as_the_basic_username_is_a_token(token in "tsr1\\.[A-Za-z0-9_-]{1,60}\\.[A-Za-z0-9_-]{43}") {
            let header = format!("Basic {}", STANDARD.encode(format!("{token}:unused")));
            match credentials(&request(Some(header), None)) {
                Ok(Credentials::Token(t)) => prop_assert_eq!(t, token),
                other => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn the_client_address_is_the_peer_or_a_forwarded_one(chain in "[0-9., a-f:]{0,80}", trusted in any::<bool>()) {
            let req = request(None, Some(chain.clone()));
            let proxies: Vec<IpAddr> = if trusted { vec![[127, 0, 0, 1].into()] } else { Vec::new() };
            let got = client_address(&req, &proxies);
            let peer: IpAddr = [127, 0, 0, 1].into();
            if trusted {
                let listed = chain.split(',').any(|hop| hop.trim().parse::<IpAddr>().ok() == got);
                prop_assert!(got == Some(peer) || listed, "{got:?} from {chain:?}");
            } else {
                prop_assert_eq!(got, Some(peer), "X-Forwarded-For is ignored without a trusted proxy");
            }
        }
    }
}
