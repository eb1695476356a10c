//! The key file: the [`KeyEncryptionKey`] kept outside the database.
//!
//! 64 hex digits and a newline, created `0600` whatever the umask. By default
//! it sits beside the data directory ([`beside`]: `./reestr-data.key` for
//! `./reestr-data/reestr.sqlite`), so copying or stealing the directory does not
//! take the key along; an operator may keep it anywhere else (another disk, a
//! secrets mount) and name it. A key file readable by anyone but its owner is
//! refused, as ssh refuses such a private key.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::vault::{KEY_LEN, KeyEncryptionKey};

/// Mode of a key file, and the most a readable one may have.
const KEY_FILE_MODE: u32 = 0o600;

/// The default key file of the SQLite log at `database`: `DIR.key` beside its
/// directory `DIR` (made absolute first).
///
/// # Errors
/// [`Error::KeyFile`] when the directory has no name (the file system's root).
pub fn beside(database: &Path) -> Result<PathBuf, Error> {
    let absolute = std::path::absolute(database)?;
    let dir = absolute.parent().unwrap_or(&absolute);
    let Some(name) = dir.file_name() else {
        return Err(key_file_error(
            dir,
            "the data directory has no name to put a key file beside; name one with --key-file",
        ));
    };
    let mut file = name.to_owned();
    file.push(".key");
    Ok(dir.with_file_name(file))
}

/// The key in the key file at `path`; `Ok(None)` when there is no such file.
///
/// # Errors
/// [`Error::KeyFile`] when it is readable by others or is not a key; IO errors.
pub fn read(path: &Path) -> Result<Option<KeyEncryptionKey>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(key_file_error(path, &error.to_string())),
    };
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & !KEY_FILE_MODE != 0 {
        return Err(key_file_error(
            path,
            &format!("is readable by others (mode {mode:o}); `chmod 600` it"),
        ));
    }
    let bytes = hex::decode(text.trim()).ok();
    let Some(bytes) = bytes.and_then(|bytes| <[u8; KEY_LEN]>::try_from(bytes).ok()) else {
        return Err(key_file_error(
            path,
            "is not a key file (expected 64 hexadecimal digits)",
        ));
    };
    Ok(Some(KeyEncryptionKey::from_bytes(bytes)))
}

/// A new key, written to a new key file at `path` (mode `0600`, synced, its
/// directory synced).
///
/// # Errors
/// [`Error::KeyFile`] when the file exists already or cannot be written.
pub fn create(path: &Path) -> Result<KeyEncryptionKey, Error> {
    let key = KeyEncryptionKey::generate();
    let write = || -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(KEY_FILE_MODE)
            .open(path)?;
        // The umask can only take bits away; set the mode anyway, so it is
        // exactly 0600 and not, say, 0400.
        file.set_permissions(std::fs::Permissions::from_mode(KEY_FILE_MODE))?;
        file.write_all(format!("{}\n", hex::encode(key.as_bytes())).as_bytes())?;
        file.sync_all()?;
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|error| key_file_error(path, &format!("cannot be created: {error}")))?;
    Ok(key)
}

pub(crate) fn key_file_error(path: &Path, why: &str) -> Error {
    Error::KeyFile {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_key_file_is_beside_the_data_directory() {
        assert_eq!(
            beside(Path::new("/srv/reestr-data/reestr.sqlite")).unwrap(),
            PathBuf::from("/srv/reestr-data.key")
        );
    }

    #[test]
    fn a_created_key_file_reads_back_and_a_loose_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        assert!(read(&path).unwrap().is_none());
        let key = create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read(&path).unwrap().unwrap().as_bytes(), key.as_bytes());
        assert!(matches!(create(&path), Err(Error::KeyFile { .. })));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(read(&path), Err(Error::KeyFile { .. })));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "not a key\n").unwrap();
        assert!(matches!(read(&path), Err(Error::KeyFile { .. })));
    }
}
