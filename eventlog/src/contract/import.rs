//! The contract of [`EventLog::import`]: a bulk load stores what appends would.

use futures::StreamExt;
use uuid::Uuid;

use crate::contract::{TestBackend, event};
use crate::envelope::{AppendRequest, ExpectedVersion, Personal, StreamAppend};
use crate::error::Error;
use crate::log::read_all;

fn request(streams: Vec<(&str, ExpectedVersion, usize)>) -> AppendRequest {
    AppendRequest {
        streams: streams
            .into_iter()
            .map(|(stream, expected, n)| StreamAppend {
                stream: stream.into(),
                expected,
                events: (0..n).map(|_| event("Imported")).collect(),
            })
            .collect(),
        actor: "import".into(),
        correlation_id: Some(Uuid::new_v4()),
        ..AppendRequest::default()
    }
}

/// Every imported event reads back with gap-free positions from 1, its stream
/// version, its envelope and its personal data; versions go on across batches
/// and into appends after the import, also once the log is opened again.
pub async fn an_import_stores_what_appends_would_across_batches(backend: &dyn TestBackend) {
    let mut admitted = event("MemberAdmitted");
    admitted.personal = Some("{\"last_name\":\"Кузнецова\"}".into());
    let mut first = request(vec![
        ("person-i", ExpectedVersion::NoStream, 0),
        ("org-i", ExpectedVersion::NoStream, 2),
    ]);
    first.streams[0].events.push(admitted.clone());
    let correlation = first.correlation_id;
    let second = request(vec![
        ("person-i", ExpectedVersion::Exact(1), 2),
        ("card-i", ExpectedVersion::NoStream, 1),
    ]);
    let third = request(vec![("org-i", ExpectedVersion::Exact(2), 1)]);
    {
        let log = backend.open().await;
        assert_eq!(log.import(vec![first, second]).await.unwrap(), 6);
        assert_eq!(*log.head().borrow(), 6);
        assert_eq!(log.import(vec![third]).await.unwrap(), 7);
        assert_eq!(log.import(vec![]).await.unwrap(), 7);
        log.finish_import().await.unwrap();
        let appended = log
            .append(AppendRequest::single(
                "person-i",
                ExpectedVersion::Exact(3),
                vec![event("Appended")],
                "contract",
            ))
            .await
            .unwrap();
        assert_eq!(appended.last_position, 8);
        log.shutdown().await.unwrap();
    }
    let log = backend.open().await;
    let stored: Vec<_> = read_all(log.clone(), 0).map(|e| e.unwrap()).collect().await;
    let found: Vec<(u64, &str, u64)> = stored
        .iter()
        .map(|e| (e.position, e.stream.as_str(), e.version))
        .collect();
    assert_eq!(
        found,
        vec![
            (1, "person-i", 1),
            (2, "org-i", 1),
            (3, "org-i", 2),
            (4, "person-i", 2),
            (5, "person-i", 3),
            (6, "card-i", 1),
            (7, "org-i", 3),
            (8, "person-i", 4),
        ]
    );
    assert_eq!(stored[0].event_id, admitted.event_id);
    assert_eq!(stored[0].payload, admitted.payload);
    assert_eq!(stored[0].actor, "import");
    assert_eq!(stored[0].correlation_id, correlation);
    assert_eq!(
        stored[0].personal,
        Personal::Plain("{\"last_name\":\"Кузнецова\"}".into())
    );
    assert_eq!(log.read_stream("person-i", 2).await.unwrap().len(), 2);
    assert_eq!(log.read_stream("org-i", 0).await.unwrap().len(), 3);
}

/// An import checks expected versions as appends do: a conflict is reported
/// and the log goes on from what it holds.
pub async fn an_import_refuses_a_version_conflict(backend: &dyn TestBackend) {
    let log = backend.open().await;
    log.import(vec![request(vec![("s", ExpectedVersion::NoStream, 1)])])
        .await
        .unwrap();
    let refused = log
        .import(vec![request(vec![("s", ExpectedVersion::NoStream, 1)])])
        .await;
    assert!(
        matches!(refused, Err(Error::Conflict { actual: 1, .. })),
        "{refused:?}"
    );
    let refused = log
        .import(vec![request(vec![("s", ExpectedVersion::Exact(4), 1)])])
        .await;
    assert!(
        matches!(refused, Err(Error::Conflict { .. })),
        "{refused:?}"
    );
    let malformed = log.import(vec![request(vec![])]).await;
    assert!(
        matches!(malformed, Err(Error::InvalidAppend(_))),
        "{malformed:?}"
    );
    assert_eq!(*log.head().borrow(), 1);
    log.finish_import().await.unwrap();
    let appended = log
        .append(AppendRequest::single(
            "s",
            ExpectedVersion::Exact(1),
            vec![event("A")],
            "contract",
        ))
        .await
        .unwrap();
    assert_eq!(
        (appended.last_position, appended.stream_versions[0].1),
        (2, 2)
    );
}

/// An imported erasure deletes the key in the same request: the stream's
/// personal data reads as erased, and none may be stored under it again.
pub async fn an_import_honours_erasure(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let mut admitted = event("MemberAdmitted");
    admitted.personal = Some("{\"last_name\":\"Смирнова\"}".into());
    let mut other = event("MemberAdmitted");
    other.personal = Some("{\"last_name\":\"Попов\"}".into());
    let mut erasure = request(vec![("person-e", ExpectedVersion::Exact(1), 1)]);
    erasure.erase_personal_data_of = vec!["person-e".into()];
    let admit = |stream: &str, admitted| {
        AppendRequest::single(stream, ExpectedVersion::NoStream, vec![admitted], "import")
    };
    log.import(vec![
        admit("person-e", admitted),
        admit("person-o", other),
        erasure,
    ])
    .await
    .unwrap();
    let erased = log.read_stream("person-e", 0).await.unwrap();
    assert_eq!(erased[0].personal, Personal::Erased);
    assert_eq!(erased[1].personal, Personal::None);
    let kept = log.read_stream("person-o", 0).await.unwrap();
    assert!(matches!(&kept[0].personal, Personal::Plain(p) if p.contains("Попов")));
    let mut again = event("MemberProfileUpdated");
    again.personal = Some("{\"phone\":\"1\"}".into());
    let refused = log
        .import(vec![AppendRequest::single(
            "person-e",
            ExpectedVersion::Exact(2),
            vec![again],
            "import",
        )])
        .await;
    assert!(matches!(refused, Err(Error::Erased { .. })), "{refused:?}");
    assert_eq!(*log.head().borrow(), 3);
}

/// Into a log that already holds events, an import continues it: positions
/// and versions go on from the appended ones.
pub async fn an_import_after_appends_continues_the_log(backend: &dyn TestBackend) {
    let log = backend.open().await;
    for n in 0..3 {
        let expected = if n == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(n)
        };
        log.append(AppendRequest::single(
            "a",
            expected,
            vec![event("A")],
            "contract",
        ))
        .await
        .unwrap();
    }
    let head = log
        .import(vec![
            request(vec![("a", ExpectedVersion::Exact(3), 2)]),
            request(vec![("b", ExpectedVersion::NoStream, 1)]),
        ])
        .await
        .unwrap();
    assert_eq!(head, 6);
    log.finish_import().await.unwrap();
    let versions: Vec<u64> = log
        .read_stream("a", 0)
        .await
        .unwrap()
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5]);
    let positions: Vec<u64> = read_all(log.clone(), 0)
        .map(|e| e.unwrap().position)
        .collect()
        .await;
    assert_eq!(positions, (1..=6).collect::<Vec<_>>());
}
