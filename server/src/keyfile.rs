//! The keyring file: every signing and verifying key, newest first, readable by the owner only.
//! The only file that reads key material from disk or asks the OS for random bytes.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use tessera_core::{Key, Keyring};
use zeroize::{Zeroize, Zeroizing};

/// Bytes of a newly generated secret.
const SECRET_LEN: usize = 32;

/// One key as stored. The secret is zeroized on drop and never printed.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKey {
    /// The key id tokens carry.
    pub id: String,
    /// Unpadded base64url.
    pub secret: String,
    /// Unix seconds.
    pub created_at: u64,
}

impl Drop for StoredKey {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The file's contents: newest (signing) key first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    /// Newest first; the first one signs.
    pub keys: Vec<StoredKey>,
}

/// Why the keyring file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Group or others can read or write it.
    #[error("{0} is accessible by other users (mode {1:o}); run `chmod 600 {0}`")]
    Permissions(String, u32),
    /// It is not a keyring.
    #[error("{0} is not a valid tessera keyring: {1}")]
    Invalid(String, String),
    /// The OS random generator failed.
    #[error("the operating system's random generator failed: {0}")]
    Random(String),
    /// Reading or writing failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

impl KeyFile {
    /// Loads the keyring at `path`, creating one with a fresh key if it does not exist.
    ///
    /// # Errors
    ///
    /// [`KeyFileError::Permissions`] if anyone but the owner can access it, [`KeyFileError::Invalid`]
    /// for a file that does not parse or holds an invalid key, I/O and RNG failures otherwise.
    pub fn load_or_create(path: &Path, now: u64) -> Result<KeyFile, KeyFileError> {
        if !path.exists() {
            let file = KeyFile {
                keys: vec![generate("k1", now)?],
            };
            file.save(path)?;
            return Ok(file);
        }
        KeyFile::load(path)
    }

    /// Loads an existing keyring.
    ///
    /// # Errors
    ///
    /// As [`KeyFile::load_or_create`].
    pub fn load(path: &Path) -> Result<KeyFile, KeyFileError> {
        let shown = path.display().to_string();
        let meta = fs::metadata(path).map_err(|e| KeyFileError::Io(shown.clone(), e))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Permissions(shown, mode));
        }
        let text = Zeroizing::new(
            fs::read_to_string(path).map_err(|e| KeyFileError::Io(shown.clone(), e))?,
        );
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| KeyFileError::Invalid(shown.clone(), e.to_string()))?;
        file.to_keyring()
            .map_err(|e| KeyFileError::Invalid(shown, e))?;
        Ok(file)
    }

    /// Writes the keyring atomically (a 0600 temporary file renamed over the old one).
    ///
    /// # Errors
    ///
    /// [`KeyFileError::Io`].
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        let shown = path.display().to_string();
        let err = |e| KeyFileError::Io(shown.clone(), e);
        let tmp = temp_path(path);
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(err)?;
        let json = Zeroizing::new(serde_json::to_string_pretty(self).map_err(|e| err(e.into()))?);
        f.write_all(json.as_bytes()).map_err(err)?;
        f.sync_all().map_err(err)?;
        fs::rename(&tmp, path).map_err(err)?;
        Ok(())
    }

    /// The keyring tokens are minted and verified with.
    ///
    /// # Errors
    ///
    /// A message naming the invalid key.
    pub fn to_keyring(&self) -> Result<Keyring, String> {
        let mut keys = self.keys.iter().map(|k| {
            let secret = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(&k.secret)
                    .map_err(|_| format!("key {}: secret is not base64url", k.id))?,
            );
            Key::new(&k.id, &secret).map_err(|e| format!("key {}: {e}", k.id))
        });
        let mut ring = Keyring::new(keys.next().ok_or("the keyring has no keys")??);
        for key in keys {
            ring.add_verify_only(key?).map_err(|e| e.to_string())?;
        }
        Ok(ring)
    }

    /// Adds a fresh key that signs from now on; the others keep verifying.
    ///
    /// # Errors
    ///
    /// [`KeyFileError::Random`] if the OS generator fails.
    pub fn rotate(&mut self, now: u64) -> Result<&StoredKey, KeyFileError> {
        let next = (1..)
            .map(|n| format!("k{n}"))
            .find(|id| self.keys.iter().all(|k| &k.id != id))
            .unwrap_or_else(|| format!("k{now}"));
        self.keys.insert(0, generate(&next, now)?);
        Ok(&self.keys[0])
    }
}

fn generate(id: &str, now: u64) -> Result<StoredKey, KeyFileError> {
    let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
    getrandom::fill(secret.as_mut()).map_err(|e| KeyFileError::Random(e.to_string()))?;
    Ok(StoredKey {
        id: id.to_owned(),
        secret: URL_SAFE_NO_PAD.encode(secret.as_ref()),
        created_at: now,
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Makes `dir` exist and be private (0700) if this call creates it.
///
/// # Errors
///
/// The I/O error.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "it exists and is not a directory",
        ));
    }
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}
