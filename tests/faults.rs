//! Faults that must not mislead, through `reestr serve` and the command line:
//! the data file reached under another name gets no second writer; a changed
//! byte in an event or a vault key is reported by `/health` as corruption;
//! a full disk refuses writes clearly, `/health` says degraded, and writing
//! resumes with nothing lost once space returns.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use support::{ADMIT, Server, admission, admit, branch, init, reestr, stdout};

fn change(database: &Path, statement: &str) {
    let changed = rusqlite::Connection::open(database)
        .unwrap()
        .execute(statement, [])
        .unwrap();
    assert_eq!(changed, 1, "{statement}");
}

/// Polls `/health` until its status is `status` (at most 20 s); its body.
async fn health_until(server: &Server, status: &str) -> (StatusCode, Value) {
    let started = Instant::now();
    loop {
        let (code, body) = server.health().await;
        if body["status"] == status {
            return (code, body);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "/health is still {body}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_data_file_under_another_name_gets_no_second_writer() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let parent = TempDir::new().unwrap();
    let linked_dir = parent.path().join("linked");
    std::os::unix::fs::symlink(dir.path(), &linked_dir).unwrap();
    let linked_file = parent.path().join("alias.sqlite");
    std::os::unix::fs::symlink(dir.path().join("reestr.sqlite"), &linked_file).unwrap();
    let mut key_file = dir.path().as_os_str().to_owned();
    key_file.push(".key");

    let through_dir = reestr(&linked_dir).arg("events").output().unwrap();
    let through_file = reestr(Path::new("/nonexistent"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", linked_file.display()))
        .arg("--key-file")
        .arg(&key_file)
        .arg("events")
        .output()
        .unwrap();
    for (spelling, output) in [("directory", through_dir), ("file", through_file)] {
        assert!(
            !output.status.success(),
            "a second writer through the {spelling}"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("in use by another process"),
            "{spelling}: {stderr}"
        );
    }
    drop(server);
}

#[tokio::test]
async fn a_changed_byte_in_a_stored_event_makes_health_say_corrupt_not_catching_up() {
    let (dir, _, _) = init();
    change(
        &dir.path().join("reestr.sqlite"),
        "UPDATE events SET payload = replace(payload, 'CENTRAL', 'CENTRAX') WHERE position = 1",
    );
    let server = Server::start_listening(dir.path()).await;
    let (code, body) = health_until(&server, "failed").await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains("position 1") && reason.contains("corrupt"),
        "{body}"
    );
}

#[tokio::test]
async fn a_changed_byte_in_a_stored_vault_key_makes_health_say_which_key_is_corrupt() {
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;
    let (_, _, school) = branch(&server, &token, &central, 1).await;
    let member = admit(
        &server,
        &token,
        admission(&school, "Ковалёва", "1990-01-02", "2024-09-01"),
    )
    .await;
    assert!(server.terminate(Duration::from_secs(20)).success());

    let database = dir.path().join("reestr.sqlite");
    let stream = format!("person-{}", member["id"].as_str().unwrap());
    let conn = rusqlite::Connection::open(&database).unwrap();
    let mut key: Vec<u8> = conn
        .query_row(
            "SELECT key FROM vault WHERE stream = ?1",
            [&stream],
            |row| row.get(0),
        )
        .unwrap_or_else(|e| panic!("no key for {stream}: {e}"));
    key[40] ^= 0x01;
    conn.execute(
        "UPDATE vault SET key = ?2 WHERE stream = ?1",
        rusqlite::params![stream, key],
    )
    .unwrap();
    drop(conn);

    let server = Server::start_listening(dir.path()).await;
    let (code, body) = health_until(&server, "failed").await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains(&stream) && reason.contains("vault key"),
        "{body}"
    );
}

/// A tmpfs of `megabytes` mounted on `at`, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, megabytes: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|status| status.success());
        mounted.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros to `path` until the file system refuses.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    let _ = file.write_all(&[0; 512]);
    let _ = file.sync_all();
}

#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_and_writing_resumes_when_space_returns() {
    let parent = TempDir::new().unwrap();
    let Some(disk) = Tmpfs::mount(&parent.path().join("disk"), 16) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true: this test needs to mount a tmpfs (root)"
        );
        eprintln!("warning: skipped: cannot mount a tmpfs here (not root?)");
        return;
    };
    let data = disk.0.join("data");
    let out = stdout(reestr(&data).arg("init").output().unwrap());
    let central = out
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let token = out.lines().last().unwrap().to_string();
    let server = Server::start(&data).await;
    let (_, _, school) = branch(&server, &token, &central, 1).await;
    let mut admitted = Vec::new();
    admitted.push(
        admit(
            &server,
            &token,
            admission(&school, "Первая", "1990-01-02", "2024-09-01"),
        )
        .await,
    );

    let filler = disk.0.join("filler");
    fill(&filler);
    let mut refused = None;
    for n in 0..200 {
        let surname = format!("Полная{n}");
        let input = admission(&school, &surname, "1990-01-02", "2024-09-01");
        let response = server
            .graphql(ADMIT, json!({ "input": input }), Some(&token))
            .await;
        if response["errors"].is_array() {
            refused = Some((response, surname));
            break;
        }
        admitted.push(response["data"]["admitMember"].clone());
    }
    let (refused, refused_surname) = refused.expect("the full disk refused no admission");
    let error = &refused["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{refused}");
    assert_eq!(error["extensions"]["reason"], "UNAVAILABLE", "{refused}");
    assert!(
        error["message"].as_str().unwrap().contains("disk is full"),
        "{refused}"
    );
    let (code, body) = health_until(&server, "degraded").await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["reason"].as_str().unwrap().contains("disk is full"),
        "{body}"
    );

    std::fs::remove_file(&filler).unwrap();
    let (code, _) = health_until(&server, "ok").await;
    assert_eq!(code, StatusCode::OK);
    admitted.push(
        admit(
            &server,
            &token,
            admission(&school, "После", "1990-01-02", "2024-09-01"),
        )
        .await,
    );

    assert!(server.terminate(Duration::from_secs(20)).success());
    let journal = stdout(reestr(&data).arg("events").output().unwrap());
    for member in &admitted {
        let id = member["id"].as_str().unwrap();
        assert!(journal.contains(id), "admitted {id} is not in the journal");
    }
    assert!(
        !journal.contains(&refused_surname),
        "the refused admission was written"
    );
    drop(disk);
}
