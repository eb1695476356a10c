//! The registry at rest, as a thief of its data directory would try it: the
//! files are the owner's alone whatever the umask, the personal data's keys are
//! wrapped by a key file kept beside (not inside) the directory, and a data
//! directory of an earlier version is migrated on open and keeps working.
//!
//! Every test here runs `reestr` under umask 000 (set for this whole test
//! process), the worst an operator's shell may have.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use eventlog::vault::{KeyEncryptionKey, VaultKey};
use serde_json::json;
use tempfile::TempDir;

use support::{Server, admission, admit, branch, reestr, snils, stdout};

const SURNAME: &str = "Землянская";

fn umask_000() {
    static ONCE: Once = Once::new();
    // SAFETY: umask only sets the process's file mode mask; no memory is involved.
    ONCE.call_once(|| unsafe {
        libc::umask(0);
    });
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A registry in `parent/data` with one member (surname [`SURNAME`], a SNILS),
/// written by `reestr init` and `reestr serve`; the server stopped. Returns
/// the data directory and the root ADMIN token.
async fn registry_with_a_member(parent: &Path) -> (PathBuf, String) {
    umask_000();
    let data = parent.join("data");
    let out = stdout(reestr(&data).arg("init").output().unwrap());
    let central = out.lines().next().unwrap().rsplit(' ').next().unwrap();
    let token = out.lines().last().unwrap();
    let server = Server::start(&data).await;
    let (_, _, school) = branch(&server, token, central, 1).await;
    let mut input = admission(&school, SURNAME, "1990-05-17", "2024-09-01");
    input["snils"] = json!(snils(112_233_445));
    admit(&server, token, input).await;
    assert!(server.terminate(Duration::from_secs(20)).success());
    (data, token.to_string())
}

/// Stored vault keys (stream, key) and sealed personal data (stream, event id, blob).
type Stored = (Vec<(String, Vec<u8>)>, Vec<(String, Vec<u8>, Vec<u8>)>);

/// The data file's vault keys, as stored, and the sealed personal data of
/// each event, by stream.
fn stored_keys_and_sealed(database: &Path) -> Stored {
    let conn = rusqlite::Connection::open(database).unwrap();
    let keys = conn
        .prepare("SELECT stream, key FROM vault")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let sealed = conn
        .prepare("SELECT stream, event_id, personal FROM events WHERE personal IS NOT NULL")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (keys, sealed)
}

/// `reestr events` as the root ADMIN (personal data is withheld without a
/// token), which records its reads in the log it reads.
fn journal_of(data: &Path, key_file: Option<&Path>, token: &str) -> std::process::Output {
    let mut command = reestr(data);
    if let Some(key_file) = key_file {
        command.arg("--key-file").arg(key_file);
    }
    command.args(["events", "--token", token]).output().unwrap()
}

#[tokio::test]
async fn a_data_directory_is_the_owner_s_alone_and_opens_no_personal_data_without_its_key_file() {
    let parent = TempDir::new().unwrap();
    let (data, token) = registry_with_a_member(parent.path()).await;
    let key_file = beside(&data, ".key");

    assert_eq!(mode(&data), 0o700, "the data directory");
    for file in [
        "reestr.sqlite",
        "reestr.sqlite-wal",
        "reestr.sqlite-shm",
        "reestr.sqlite.lock",
    ] {
        let path = data.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    assert_eq!(mode(&data.join("reestr.sqlite")), 0o600);
    assert_eq!(mode(&key_file), 0o600, "the key file");

    // The thief copies the directory and reads the file: no stored key opens
    // any sealed personal data, raw or otherwise.
    let (keys, sealed) = stored_keys_and_sealed(&data.join("reestr.sqlite"));
    assert!(!keys.is_empty() && !sealed.is_empty());
    for (stream, event_id, blob) in &sealed {
        let event_id = uuid::Uuid::from_slice(event_id).unwrap();
        for (_, key) in keys.iter().filter(|(s, _)| s == stream) {
            let opened = VaultKey::from_bytes(key).and_then(|key| key.open(event_id, blob));
            assert!(
                opened.is_none(),
                "a stored key opens {stream}'s personal data"
            );
        }
    }
    let stolen = parent.path().join("stolen");
    std::fs::create_dir(&stolen).unwrap();
    for file in ["reestr.sqlite", "reestr.sqlite-wal"] {
        if data.join(file).exists() {
            std::fs::copy(data.join(file), stolen.join(file)).unwrap();
        }
    }
    let refused = journal_of(&stolen, None, &token);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("key file") && stderr.contains("missing"),
        "{stderr}"
    );
    assert!(!beside(&stolen, ".key").exists(), "a key file was made up");

    // Another log's key file is refused as such.
    let other = TempDir::new().unwrap();
    let other_key = other.path().join("other.key");
    stdout(
        reestr(&other.path().join("data"))
            .arg("--key-file")
            .arg(&other_key)
            .arg("init")
            .output()
            .unwrap(),
    );
    let wrong = journal_of(&stolen, Some(&other_key), &token);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("another log's key"));

    // With the key file the same copy reads in full.
    let journal = stdout(journal_of(&stolen, Some(&key_file), &token));
    assert!(journal.contains(SURNAME), "{journal}");
}

#[tokio::test]
async fn a_data_directory_of_an_earlier_version_is_migrated_on_open_and_keeps_its_personal_data() {
    let parent = TempDir::new().unwrap();
    let (data, token) = registry_with_a_member(parent.path()).await;
    let key_file = beside(&data, ".key");
    let database = data.join("reestr.sqlite");

    // Turn it into what an earlier version wrote: raw keys, no check value,
    // no key file, 0755 and 0644.
    let kek_hex = std::fs::read_to_string(&key_file).unwrap();
    let kek: [u8; 32] = hex_bytes(kek_hex.trim()).try_into().unwrap();
    let kek = KeyEncryptionKey::from_bytes(kek);
    {
        let conn = rusqlite::Connection::open(&database).unwrap();
        let (keys, _) = stored_keys_and_sealed(&database);
        for (stream, wrapped) in keys {
            let key = kek.unwrap(&stream, &wrapped).unwrap();
            conn.execute(
                "UPDATE vault SET key = ?2 WHERE stream = ?1",
                rusqlite::params![stream, &key.as_bytes()[..]],
            )
            .unwrap();
        }
        conn.execute("DELETE FROM meta", []).unwrap();
    }
    std::fs::remove_file(&key_file).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();

    let journal = stdout(journal_of(&data, None, &token));
    assert!(journal.contains(SURNAME), "{journal}");
    assert_eq!(
        mode(&key_file),
        0o600,
        "the key file made for the migration"
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&database), 0o600);
    let kek_hex = std::fs::read_to_string(&key_file).unwrap();
    let kek = KeyEncryptionKey::from_bytes(hex_bytes(kek_hex.trim()).try_into().unwrap());
    let (keys, _) = stored_keys_and_sealed(&database);
    for (stream, stored) in &keys {
        assert!(
            kek.unwrap(stream, stored).is_some(),
            "{stream}'s key is not wrapped by the new key file"
        );
    }

    // And it serves as before.
    // The first read's record of itself follows the same events.
    let again = stdout(journal_of(&data, None, &token));
    assert!(again.starts_with(&journal), "{again}");
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
