//! The admin command line: users, tokens and keys, working on the data directory directly.
//! Commands that open the database refuse clearly while a server holds it.

use std::io::BufRead as _;
use std::path::Path;

use serde_json::json;
use tessera_core::{TokenClaims, UnixTime, VerifyError};

use crate::auth::{ACCESS, HashParams, Passwords, Tokens};
use crate::config::{Command, KeyCommand, TokenCommand, UserCommand};
use crate::keyfile::KeyFile;
use crate::store::{Store, User};
use crate::users::{check_password, normalize_username};
use crate::{DB_FILE, KEY_FILE, hash_params};

/// Runs an admin command; the error is the message to print.
///
/// # Errors
///
/// A message for the operator.
pub fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(_) => Err("serve is not an admin command".into()),
        Command::User(c) => user(c),
        Command::Token(c) => token(c),
        Command::Key(c) => key(c),
    }
}

fn open_store(dir: &Path) -> Result<Store, String> {
    let path = dir.join(DB_FILE);
    if !path.exists() {
        return Err(format!(
            "no tessera database in {} (run `tessera serve` once, or pass --data-dir)",
            dir.display()
        ));
    }
    Store::open(&path).map_err(|e| e.to_string())
}

fn find_user(store: &Store, who: &str) -> Result<User, String> {
    let found = match who.parse::<u64>() {
        Ok(id) => store.user(id),
        Err(_) => store.user_by_name(&normalize_username(who).unwrap_or_default()),
    };
    found
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no such user: {who}"))
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    check_password(&password)?;
    Ok(password)
}

/// A PHC string for `password` with the given argon2 parameters.
fn hash_password(argon2: &crate::config::Argon2Args, password: &str) -> Result<String, String> {
    Passwords::new(hash_params(argon2), 1, 1)
        .and_then(|p| p.hash(password))
        .map_err(|e| e.to_string())
}

fn user(command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add {
            username,
            data,
            argon2,
        } => {
            let store = open_store(&data.data_dir)?;
            let username = normalize_username(&username)?;
            let password = read_password()?;
            let hash = hash_password(&argon2, &password)?;
            let user = store
                .create_user(&username, &hash, UnixTime::now().as_secs())
                .map_err(|e| e.to_string())?;
            println!("{}", json!({ "id": user.id, "username": user.username }));
        }
        UserCommand::List { data } => {
            for u in open_store(&data.data_dir)?
                .users()
                .map_err(|e| e.to_string())?
            {
                println!(
                    "{}",
                    json!({
                        "id": u.id,
                        "username": u.username,
                        "created_at": u.created_at,
                        "password": HashParams::describe(&u.password_hash),
                    })
                );
            }
        }
        UserCommand::Delete { user, data } => {
            let store = open_store(&data.data_dir)?;
            let u = find_user(&store, &user)?;
            store.delete_user(u.id).map_err(|e| e.to_string())?;
            println!("{}", json!({ "id": u.id, "deleted": true }));
        }
        UserCommand::Passwd { user, data, argon2 } => {
            let store = open_store(&data.data_dir)?;
            let u = find_user(&store, &user)?;
            let password = read_password()?;
            let hash = hash_password(&argon2, &password)?;
            store
                .update_user(u.id, |u| {
                    u.password_hash = hash;
                    u.generation += 1;
                })
                .map_err(|e| e.to_string())?;
            println!("{}", json!({ "id": u.id, "tokens_revoked": true }));
        }
    }
    Ok(())
}

fn token(command: TokenCommand) -> Result<(), String> {
    match command {
        TokenCommand::Mint {
            user,
            ttl,
            now,
            data,
        } => {
            let store = open_store(&data.data_dir)?;
            let u = find_user(&store, &user)?;
            let keyring = KeyFile::load(&data.data_dir.join(KEY_FILE))
                .map_err(|e| e.to_string())?
                .to_keyring()?;
            let now = now.map_or_else(UnixTime::now, UnixTime::from_secs);
            let tokens = Tokens {
                keyring,
                ttl,
                leeway: 0,
                max_session: u64::MAX,
            };
            let minted = tokens
                .mint(u.id, u.generation, now, now)
                .map_err(|e| e.to_string())?;
            println!("{}", minted.token);
        }
        TokenCommand::Inspect { token } => {
            let seen = tessera_core::inspect(&token).map_err(|e| e.to_string())?;
            let mut shown = claims_json(seen.untrusted_claims());
            shown["verified"] = false.into();
            println!("{shown}");
        }
        TokenCommand::Verify {
            token,
            leeway,
            data,
        } => {
            let keyring = KeyFile::load(&data.data_dir.join(KEY_FILE))
                .map_err(|e| e.to_string())?
                .to_keyring()?;
            let options = tessera_core::VerifyOptions::new(ACCESS).with_leeway_secs(leeway);
            match keyring.verify(&token, &options, UnixTime::now()) {
                Ok(v) => {
                    let mut shown = claims_json(v.claims());
                    shown["valid"] = true.into();
                    println!("{shown}");
                }
                Err(e) => {
                    println!(
                        "{}",
                        json!({ "valid": false, "reason": e.code(), "detail": e.to_string() })
                    );
                    return Err(match e {
                        VerifyError::Expired { .. } => "token expired".into(),
                        other => format!("token invalid: {other}"),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Every claim of a token, as `token inspect` and `token verify` print them.
fn claims_json(c: &TokenClaims) -> serde_json::Value {
    json!({
        "key_id": c.key_id(), "subject": c.subject(), "audience": c.audience(),
        "issued_at": c.issued_at().as_secs(), "expires_at": c.expires_at().as_secs(),
        "auth_time": c.auth_time().as_secs(), "generation": c.generation(),
        "scopes": c.scopes().collect::<Vec<_>>(),
    })
}

fn key(command: KeyCommand) -> Result<(), String> {
    let (KeyCommand::List { data }
    | KeyCommand::Rotate { data }
    | KeyCommand::Remove { data, .. }
    | KeyCommand::Export { data }) = &command;
    let path = data.data_dir.join(KEY_FILE);
    // Changing keys while a server runs would leave it on the old keyring: require it stopped.
    if !matches!(command, KeyCommand::List { .. } | KeyCommand::Export { .. }) {
        drop(open_store(&data.data_dir)?);
    }
    let mut file = KeyFile::load(&path).map_err(|e| e.to_string())?;
    match command {
        KeyCommand::List { .. } => {
            for (i, k) in file.keys.iter().enumerate() {
                println!(
                    "{}",
                    json!({ "id": k.id, "signing": i == 0, "created_at": k.created_at })
                );
            }
        }
        KeyCommand::Rotate { .. } => {
            let id = file
                .rotate(UnixTime::now().as_secs())
                .map_err(|e| e.to_string())?
                .id
                .clone();
            file.save(&path).map_err(|e| e.to_string())?;
            println!("{}", json!({ "id": id, "signing": true }));
        }
        KeyCommand::Remove { id, .. } => {
            match file.keys.iter().position(|k| k.id == id) {
                None => return Err(format!("no key with id {id}")),
                Some(0) => return Err("that is the signing key; rotate to a new key first".into()),
                Some(i) => {
                    file.keys.remove(i);
                }
            }
            file.save(&path).map_err(|e| e.to_string())?;
            println!("{}", json!({ "id": id, "removed": true }));
        }
        KeyCommand::Export { .. } => {
            let keys: Vec<_> = file
                .keys
                .iter()
                .map(|k| json!({ "id": k.id, "secret": k.secret }))
                .collect();
            println!("{}", serde_json::Value::Array(keys));
        }
    }
    Ok(())
}
