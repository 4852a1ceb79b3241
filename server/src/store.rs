//! The only redb file: users by id, a unique username index, per-user session generations, and
//! the schema version. Every acknowledged write is committed (durably) before it returns.

use std::path::Path;
use std::sync::RwLock;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

/// User id → JSON-encoded [`UserRecord`].
const USERS: TableDefinition<u64, &[u8]> = TableDefinition::new("users");
/// Normalised username → user id. Enforces uniqueness.
const USERNAMES: TableDefinition<&str, u64> = TableDefinition::new("usernames");
/// `schema_version`, `next_user_id`.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

const SCHEMA_VERSION: u64 = 1;

/// A stored user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable numeric id, never reused.
    pub id: u64,
    /// The normalised username.
    pub username: String,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Bumped to revoke every token minted before.
    pub generation: u64,
    /// Unix seconds.
    pub created_at: u64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// What went wrong in the store. No redb type leaves this file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (a running `tessera serve`, or an admin command) has the database open.
    #[error("the database {0} is in use by another tessera process; stop it first")]
    Locked(String),
    /// The file exists but is not a Tessera database.
    #[error(
        "{path} is not a tessera database ({detail}); move it away or point --data-dir elsewhere"
    )]
    NotADatabase {
        /// The file.
        path: String,
        /// What redb or the schema check said.
        detail: String,
    },
    /// The username is already registered.
    #[error("username is already taken")]
    UsernameTaken,
    /// No user has that id.
    #[error("no such user")]
    NoSuchUser,
    /// Reading or writing failed (I/O error, disk full, corruption).
    #[error("storage failure: {0}")]
    Io(String),
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

impl StoreError {
    /// Whether the failure was the disk running out of space.
    #[must_use]
    pub fn is_disk_full(&self) -> bool {
        let StoreError::Io(detail) = self else {
            return false;
        };
        let detail = detail.to_ascii_lowercase();
        detail.contains("no space left")
            || detail.contains("no storage space")
            || detail.contains("quota")
    }
}

/// How to open the database again after a storage failure.
type Reopen = Box<dyn Fn() -> Result<Database, redb::DatabaseError> + Send + Sync>;

/// The user database.
///
/// After a failed write redb refuses every further operation until the database is reopened;
/// the store does that itself, so a full disk costs the writes that hit it and nothing after
/// space is freed.
pub struct Store {
    db: RwLock<Option<Database>>,
    reopen: Reopen,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `path`, creating it (with the current schema) if the file does not
    /// exist. An existing file must be a Tessera database of a known schema version.
    ///
    /// # Errors
    ///
    /// [`StoreError::Locked`] if another process holds it, [`StoreError::NotADatabase`] for an
    /// empty or foreign file, [`StoreError::Io`] otherwise.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let not_db = |detail: String| StoreError::NotADatabase {
            path: shown.clone(),
            detail,
        };
        let exists = path.exists();
        if exists && std::fs::metadata(path).map_err(io)?.len() == 0 {
            // redb would silently initialise an empty file; an empty file where data should be
            // means something went wrong, and replacing it would hide that.
            return Err(not_db("the file is empty".into()));
        }
        let db = if exists {
            Database::builder()
                .set_check_integrity_on_open(true)
                .open(path)
        } else {
            create_private(path)?;
            Database::create(path)
        };
        let db = db.map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(shown.clone()),
            redb::DatabaseError::Storage(redb::StorageError::Io(e))
                if e.kind() != std::io::ErrorKind::InvalidData =>
            {
                io(e)
            }
            other => not_db(other.to_string()),
        })?;
        let owned = path.to_owned();
        let reopen: Reopen = Box::new(move || Database::builder().open(&owned));
        let store = Store {
            db: RwLock::new(Some(db)),
            reopen,
        };
        store.check_schema(exists).map_err(|e| match e {
            StoreError::Io(detail) if exists => not_db(detail),
            other => other,
        })?;
        Ok(store)
    }

    /// A write transaction with two-phase commit, which redb recommends when stored data is
    /// influenced by untrusted input (usernames, here): a commit is only trusted on recovery
    /// once a second, separate fsync has confirmed it.
    fn write(db: &Database) -> Result<redb::WriteTransaction, StoreError> {
        let mut txn = db.begin_write().map_err(io)?;
        txn.set_two_phase_commit(true);
        Ok(txn)
    }

    /// A store on redb storage backends made by `backend` (tests use one that fails on demand);
    /// it is called again to reopen after a failure.
    ///
    /// # Errors
    ///
    /// As [`Store::open`].
    pub fn with_backend<B: redb::StorageBackend>(
        backend: impl Fn() -> B + Send + Sync + 'static,
    ) -> Result<Store, StoreError> {
        let db = Database::builder()
            .create_with_backend(backend())
            .map_err(io)?;
        let reopen: Reopen = Box::new(move || Database::builder().create_with_backend(backend()));
        let store = Store {
            db: RwLock::new(Some(db)),
            reopen,
        };
        store.check_schema(false)?;
        Ok(store)
    }

    /// Runs `op` on the database; after a storage error, closes and reopens it for the next one.
    fn run<T>(&self, op: impl FnOnce(&Database) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // A reopen that failed (say, the disk was still full) is retried first.
        if self.db.read().map_or(true, |db| db.is_none()) {
            self.recover();
        }
        let result = match self.db.read() {
            Ok(guard) => match guard.as_ref() {
                Some(db) => op(db),
                None => Err(StoreError::Io(
                    "the database could not be reopened after a storage failure".into(),
                )),
            },
            Err(_) => Err(StoreError::Io("the database lock is poisoned".into())),
        };
        if matches!(result, Err(StoreError::Io(_))) {
            self.recover();
        }
        result
    }

    /// Closes the database (releasing its file lock) and opens it again.
    fn recover(&self) {
        let Ok(mut slot) = self.db.write() else {
            return;
        };
        drop(slot.take());
        match (self.reopen)() {
            Ok(db) => *slot = Some(db),
            Err(e) => eprintln!("tessera: reopening the database failed: {e}"),
        }
    }

    fn check_schema(&self, existed: bool) -> Result<(), StoreError> {
        self.run(|db| Store::schema(db, existed))
    }

    fn schema(db: &Database, existed: bool) -> Result<(), StoreError> {
        let txn = Store::write(db)?;
        {
            let mut meta = txn.open_table(META).map_err(io)?;
            let version = meta.get("schema_version").map_err(io)?.map(|v| v.value());
            match version {
                Some(SCHEMA_VERSION) => {}
                Some(other) => {
                    return Err(StoreError::Io(format!(
                        "schema version {other}, this tessera understands {SCHEMA_VERSION}"
                    )));
                }
                None if existed && meta.len().map_err(io)? > 0 => {
                    return Err(StoreError::Io("no schema version".into()));
                }
                None => {
                    meta.insert("schema_version", SCHEMA_VERSION).map_err(io)?;
                    meta.insert("next_user_id", 1).map_err(io)?;
                }
            }
            txn.open_table(USERS).map_err(io)?;
            txn.open_table(USERNAMES).map_err(io)?;
        }
        txn.commit().map_err(io)
    }

    /// Registers a user. Exactly one of many concurrent registrations of a name succeeds.
    ///
    /// # Errors
    ///
    /// [`StoreError::UsernameTaken`], or [`StoreError::Io`].
    pub fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: u64,
    ) -> Result<User, StoreError> {
        self.run(|db| {
            let txn = Store::write(db)?;
            let user = {
                let mut names = txn.open_table(USERNAMES).map_err(io)?;
                if names.get(username).map_err(io)?.is_some() {
                    return Err(StoreError::UsernameTaken);
                }
                let mut meta = txn.open_table(META).map_err(io)?;
                let id = meta
                    .get("next_user_id")
                    .map_err(io)?
                    .map_or(1, |v| v.value());
                meta.insert("next_user_id", id + 1).map_err(io)?;
                let user = User {
                    id,
                    username: username.to_owned(),
                    password_hash: password_hash.to_owned(),
                    generation: 0,
                    created_at: now,
                };
                names.insert(username, id).map_err(io)?;
                txn.open_table(USERS)
                    .map_err(io)?
                    .insert(id, encode(&user)?.as_slice())
                    .map_err(io)?;
                user
            };
            txn.commit().map_err(io)?;
            Ok(user)
        })
    }

    /// The user with this id.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`].
    pub fn user(&self, id: u64) -> Result<Option<User>, StoreError> {
        self.run(|db| user_in(&db.begin_read().map_err(io)?, id))
    }

    /// The user with this (normalised) username.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`].
    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.run(|db| {
            let txn = db.begin_read().map_err(io)?;
            let names = txn.open_table(USERNAMES).map_err(io)?;
            let Some(id) = names.get(username).map_err(io)?.map(|v| v.value()) else {
                return Ok(None);
            };
            user_in(&txn, id)
        })
    }

    /// Every user, by id.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`].
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.run(|db| {
            let txn = db.begin_read().map_err(io)?;
            let users = txn.open_table(USERS).map_err(io)?;
            users
                .iter()
                .map_err(io)?
                .map(|entry| decode(entry.map_err(io)?.1.value()))
                .collect()
        })
    }

    /// Applies `change` to a user and stores it, in one transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchUser`], or [`StoreError::Io`].
    pub fn update_user(&self, id: u64, change: impl FnOnce(&mut User)) -> Result<User, StoreError> {
        self.run(|db| {
            let txn = Store::write(db)?;
            let user = {
                let mut users = txn.open_table(USERS).map_err(io)?;
                let mut user = match users.get(id).map_err(io)? {
                    Some(v) => decode(v.value())?,
                    None => return Err(StoreError::NoSuchUser),
                };
                change(&mut user);
                users.insert(id, encode(&user)?.as_slice()).map_err(io)?;
                user
            };
            txn.commit().map_err(io)?;
            Ok(user)
        })
    }

    /// Deletes a user; their id is never reused.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchUser`], or [`StoreError::Io`].
    pub fn delete_user(&self, id: u64) -> Result<User, StoreError> {
        self.run(|db| {
            let txn = Store::write(db)?;
            let user = {
                let mut users = txn.open_table(USERS).map_err(io)?;
                let user = match users.remove(id).map_err(io)? {
                    Some(v) => decode(v.value())?,
                    None => return Err(StoreError::NoSuchUser),
                };
                txn.open_table(USERNAMES)
                    .map_err(io)?
                    .remove(user.username.as_str())
                    .map_err(io)?;
                user
            };
            txn.commit().map_err(io)?;
            Ok(user)
        })
    }
}

/// Creates an empty file readable by the owner only, so the database is never world-readable.
fn create_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    Ok(())
}

fn encode(user: &User) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(user).map_err(io)
}

/// The user with this id, read in `txn`.
fn user_in(txn: &redb::ReadTransaction, id: u64) -> Result<Option<User>, StoreError> {
    let users = txn.open_table(USERS).map_err(io)?;
    users
        .get(id)
        .map_err(io)?
        .map(|v| decode(v.value()))
        .transpose()
}

fn decode(bytes: &[u8]) -> Result<User, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Io(format!("corrupt user record: {e}")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use redb::StorageBackend;
    use redb::backends::InMemoryBackend;

    use super::*;

    /// An in-memory disk that can be made full: writes, resizes and syncs then fail with ENOSPC.
    /// Its contents outlive a reopen, like a file's.
    #[derive(Debug)]
    struct FlakyDisk {
        inner: Arc<InMemoryBackend>,
        full: Arc<AtomicBool>,
    }

    impl FlakyDisk {
        fn check(&self) -> Result<(), redb::BackendError> {
            if self.full.load(Ordering::SeqCst) {
                Err(redb::BackendError::Io(std::io::Error::from(
                    std::io::ErrorKind::StorageFull,
                )))
            } else {
                Ok(())
            }
        }
    }

    impl StorageBackend for FlakyDisk {
        fn len(&self) -> Result<u64, redb::BackendError> {
            self.inner.len()
        }
        fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), redb::BackendError> {
            self.inner.read(offset, out)
        }
        fn set_len(&self, len: u64) -> Result<(), redb::BackendError> {
            self.check()?;
            self.inner.set_len(len)
        }
        fn sync_data(&self) -> Result<(), redb::BackendError> {
            self.check()?;
            self.inner.sync_data()
        }
        fn write(&self, offset: u64, data: &[u8]) -> Result<(), redb::BackendError> {
            self.check()?;
            self.inner.write(offset, data)
        }
    }

    #[test]
    fn a_failed_write_is_an_error_and_leaves_no_trace() {
        let full = Arc::new(AtomicBool::new(false));
        let (inner, flag) = (Arc::new(InMemoryBackend::new()), full.clone());
        let store = Store::with_backend(move || FlakyDisk {
            inner: inner.clone(),
            full: flag.clone(),
        })
        .unwrap();
        let alice = store.create_user("alice", "$argon2id$x", 1).unwrap();

        full.store(true, Ordering::SeqCst);
        let err = store.create_user("bob", "$argon2id$y", 2).unwrap_err();
        assert!(matches!(err, StoreError::Io(_)), "{err:?}");
        assert!(err.is_disk_full(), "{err}");
        let err = store
            .update_user(alice.id, |u| u.generation += 1)
            .unwrap_err();
        assert!(matches!(err, StoreError::Io(_)), "{err:?}");

        full.store(false, Ordering::SeqCst);
        assert_eq!(store.user(alice.id).unwrap().map(|u| u.generation), Some(0));
        assert!(
            store.user_by_name("bob").unwrap().is_none(),
            "no half-written user"
        );
        let bob = store.create_user("bob", "$argon2id$y", 3).unwrap();
        assert_eq!(
            store.user_by_name("bob").unwrap().map(|u| u.id),
            Some(bob.id)
        );
        assert_eq!(store.users().unwrap().len(), 2);
    }
}
