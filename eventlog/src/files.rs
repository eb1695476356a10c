//! Files kept beside the log, addressed by the SHA-256 of their bytes: the
//! library's documents. An event names a file by its hash
//! ([`domain::library::FileHash`]); the bytes are here, written before the
//! event is appended (a file no event names is harmless: it is never shown),
//! and checked against their hash whenever they are read back.
//!
//! The embedded log keeps them as files in a directory beside its database
//! ([`DirectoryFiles`], `0700`, each file `0600`); PostgreSQL in a table
//! ([`PostgresFiles`]), so every node of one database has them.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use domain::consultation::FileKey;
use domain::library::FileHash;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// A content-addressed store of files.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Keeps `bytes` under their SHA-256 and returns it. Storing the same
    /// bytes again changes nothing.
    ///
    /// # Errors
    /// Storage failures.
    async fn put(&self, bytes: &[u8]) -> Result<FileHash, Error>;

    /// The bytes kept under `hash`; `None` when there are none.
    ///
    /// # Errors
    /// [`Error::CorruptFile`] when the bytes kept no longer have that hash;
    /// storage failures.
    async fn get(&self, hash: &FileHash) -> Result<Option<Vec<u8>>, Error>;
}

/// Keeps `bytes` in `store` encrypted under `key` ([`crate::vault::seal_file`])
/// and returns the ciphertext's hash, its name in the store: a file whose key
/// is sealed in an event, so the file dies with that event's vault key.
///
/// # Errors
/// As [`FileStore::put`].
pub async fn put_sealed(
    store: &dyn FileStore,
    key: &FileKey,
    bytes: &[u8],
) -> Result<FileHash, Error> {
    store.put(&crate::vault::seal_file(key, bytes)).await
}

/// What [`put_sealed`] kept under `hash`, opened with `key`; `None` when the
/// store holds nothing under `hash`.
///
/// # Errors
/// [`Error::UnreadableFile`] when the bytes do not open with `key`;
/// as [`FileStore::get`].
pub async fn get_sealed(
    store: &dyn FileStore,
    hash: &FileHash,
    key: &FileKey,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(sealed) = store.get(hash).await? else {
        return Ok(None);
    };
    crate::vault::open_file(key, &sealed)
        .map(Some)
        .ok_or_else(|| Error::UnreadableFile {
            sha256: hash.to_string(),
        })
}

/// The SHA-256 of `bytes`.
pub fn hash_of(bytes: &[u8]) -> FileHash {
    let digest = Sha256::digest(bytes);
    FileHash::parse(&hex::encode(digest)).expect("a SHA-256 is 64 hexadecimal digits")
}

/// `bytes` if they hash to `hash`, else [`Error::CorruptFile`].
pub(crate) fn checked(hash: &FileHash, bytes: Vec<u8>) -> Result<Vec<u8>, Error> {
    if hash_of(&bytes) == *hash {
        Ok(bytes)
    } else {
        Err(Error::CorruptFile {
            sha256: hash.to_string(),
        })
    }
}

/// Files in memory, for a log that has no place of its own for them (tests,
/// wrappers of a log).
#[derive(Default)]
pub struct MemoryFiles {
    files: Mutex<HashMap<FileHash, Vec<u8>>>,
}

#[async_trait]
impl FileStore for MemoryFiles {
    async fn put(&self, bytes: &[u8]) -> Result<FileHash, Error> {
        let hash = hash_of(bytes);
        self.files
            .lock()
            .expect("the lock is never poisoned")
            .entry(hash.clone())
            .or_insert_with(|| bytes.to_vec());
        Ok(hash)
    }

    async fn get(&self, hash: &FileHash) -> Result<Option<Vec<u8>>, Error> {
        let bytes = self
            .files
            .lock()
            .expect("the lock is never poisoned")
            .get(hash)
            .cloned();
        bytes.map(|b| checked(hash, b)).transpose()
    }
}

/// Files in a directory: `DIR/<first two digits>/<hash>`, the directories
/// `0700` and every file `0600`, written to a temporary file and renamed, so a
/// file is whole or absent.
pub struct DirectoryFiles {
    dir: PathBuf,
}

/// The directory of files beside an embedded log's database file.
pub const FILES_DIR: &str = "files";

impl DirectoryFiles {
    /// The store in `dir` (made when the first file is kept).
    pub fn new(dir: impl Into<PathBuf>) -> DirectoryFiles {
        DirectoryFiles { dir: dir.into() }
    }

    /// The store beside the database file `database` (`DIR/files` for
    /// `DIR/reestr.sqlite`).
    pub fn beside(database: &Path) -> DirectoryFiles {
        let parent = database.parent().unwrap_or(Path::new("."));
        DirectoryFiles::new(parent.join(FILES_DIR))
    }

    fn path(&self, hash: &FileHash) -> PathBuf {
        self.dir.join(&hash.as_str()[..2]).join(hash.as_str())
    }

    fn put_blocking(&self, hash: &FileHash, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path(hash);
        if path.exists() {
            return Ok(());
        }
        let shard = path.parent().expect("a file's path has its shard");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(shard)?;
        let temporary = shard.join(format!(".{}.{}", hash.as_str(), uuid::Uuid::new_v4()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)?;
        std::fs::File::open(shard)?.sync_all()?;
        Ok(())
    }

    fn get_blocking(&self, hash: &FileHash) -> Result<Option<Vec<u8>>, Error> {
        match std::fs::read(self.path(hash)) {
            Ok(bytes) => checked(hash, bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait]
impl FileStore for DirectoryFiles {
    async fn put(&self, bytes: &[u8]) -> Result<FileHash, Error> {
        let hash = hash_of(bytes);
        self.put_blocking(&hash, bytes)?;
        Ok(hash)
    }

    async fn get(&self, hash: &FileHash) -> Result<Option<Vec<u8>>, Error> {
        self.get_blocking(hash)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[tokio::test]
    async fn a_file_is_kept_once_under_its_hash_and_read_back_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirectoryFiles::new(dir.path().join(FILES_DIR));
        let hash = store.put("Коллективный договор".as_bytes()).await.unwrap();
        assert_eq!(
            store.put("Коллективный договор".as_bytes()).await.unwrap(),
            hash
        );
        let bytes = store.get(&hash).await.unwrap().unwrap();
        assert_eq!(bytes, "Коллективный договор".as_bytes());
        let path = store.path(&hash);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(&path, b"changed").unwrap();
        assert!(matches!(
            store.get(&hash).await,
            Err(Error::CorruptFile { .. })
        ));
        let other = hash_of(b"never kept");
        assert!(store.get(&other).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_sealed_file_is_stored_as_ciphertext_and_opens_with_its_key_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirectoryFiles::new(dir.path().join(FILES_DIR));
        let plain = "Скан паспорта Ивановой".as_bytes();
        let key = crate::vault::new_file_key();
        let hash = put_sealed(&store, &key, plain).await.unwrap();
        let on_disk = std::fs::read(store.path(&hash)).unwrap();
        assert!(!on_disk.windows(plain.len()).any(|w| w == plain));
        assert_ne!(hash, hash_of(plain), "named by the ciphertext");
        let opened = get_sealed(&store, &hash, &key).await.unwrap();
        assert_eq!(opened.as_deref(), Some(plain));
        let wrong = crate::vault::new_file_key();
        assert!(matches!(
            get_sealed(&store, &hash, &wrong).await,
            Err(Error::UnreadableFile { .. })
        ));
        let clear = store.put(plain).await.unwrap();
        assert!(matches!(
            get_sealed(&store, &clear, &key).await,
            Err(Error::UnreadableFile { .. })
        ));
        let other = hash_of(b"never kept");
        assert!(get_sealed(&store, &other, &key).await.unwrap().is_none());
    }
}
