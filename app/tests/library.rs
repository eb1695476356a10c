//! The library's limits on a real log, through `App` (the GraphQL door's own
//! body limit stops a request long before this one, so only here is a file
//! over the library's limit seen): too large, not base64, a kind of file the
//! library does not take, a file named as another kind than its content; none
//! writes anything.

use std::sync::Arc;

use app::library::{MAX_FILE_BYTES, UploadLibraryDocument};
use app::{App, Error, Operator, Viewer};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::library::{DocumentKind, Readers};
use eventlog::{Coordination, SqliteLog};
use tempfile::TempDir;

fn upload(central: &str, content: String) -> UploadLibraryDocument {
    UploadLibraryDocument {
        title: "Устав".into(),
        kind: DocumentKind::Charter,
        issued_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        issuer: "Съезд".into(),
        audience_org_id: central.into(),
        readers: Readers::Everyone,
        file_name: "Устав.txt".into(),
        content,
        command_id: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_too_large_or_of_another_kind_is_refused_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn Coordination> =
        Arc::new(SqliteLog::open(dir.path().join("reestr.sqlite")).unwrap());
    let initialised = Operator::new(log.clone(), "test")
        .initialise("Профсоюз".into(), None, "admin".into())
        .await
        .unwrap();
    let central = initialised.central.to_string();
    let app = App::open(log.clone()).await.unwrap();
    let operator = Viewer::Operator("test".into());
    let head = *log.head().borrow();
    let field_of = |result: Result<_, Error>| match result {
        Err(Error::Validation { field, .. }) => field,
        other => panic!("not refused as invalid: {other:?}"),
    };
    let too_large = STANDARD.encode(vec![b'a'; MAX_FILE_BYTES + 1]);
    let refused = app
        .upload_library_document(&operator, upload(&central, too_large))
        .await;
    assert_eq!(field_of(refused), Some("content"));
    let not_base64 = app
        .upload_library_document(&operator, upload(&central, "это не base64".into()))
        .await;
    assert_eq!(field_of(not_base64), Some("content"));
    let binary = STANDARD.encode([0u8, 1, 2, 3, 0xff]);
    let binary = app
        .upload_library_document(&operator, upload(&central, binary))
        .await;
    assert_eq!(field_of(binary), Some("content"));
    // Plain text the library takes, but named as a PDF: it would download
    // as one, so it is refused.
    let misnamed = UploadLibraryDocument {
        file_name: "Устав.PDF".into(),
        ..upload(&central, STANDARD.encode("Устав профсоюза".as_bytes()))
    };
    let misnamed = app.upload_library_document(&operator, misnamed).await;
    assert_eq!(field_of(misnamed), Some("content"));
    assert_eq!(*log.head().borrow(), head);
    assert!(
        !dir.path().join("files").exists(),
        "a refused file was kept"
    );

    // At the limit it is taken, kept in the data directory's files.
    let at_limit = STANDARD.encode(vec![b'a'; MAX_FILE_BYTES]);
    let document = app
        .upload_library_document(&operator, upload(&central, at_limit))
        .await
        .unwrap();
    assert_eq!(document.current().file.size, MAX_FILE_BYTES as u64);
    let hash = document.current().file.sha256.to_string();
    assert!(
        dir.path()
            .join("files")
            .join(&hash[..2])
            .join(&hash)
            .exists()
    );
}
