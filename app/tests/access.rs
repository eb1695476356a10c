//! Tokens over the access read model and a real log: they resolve until revoked.

use std::sync::Arc;

use app::tokens;
use domain::access::{self, AccessCommand, GrantRole, GrantTarget, GranterFacts, RevokeRole};
use domain::event::Event;
use domain::ids::{OrgId, UserId};
use domain::vocabulary::access::Role;
use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog, codec};
use projections::access::{Access, Holder};
use projections::runtime::{Projection, Projector};
use tempfile::TempDir;
use uuid::Uuid;

async fn decide_and_append(
    log: &Arc<dyn EventLog>,
    grant: &mut Option<access::Grant>,
    command: AccessCommand,
) {
    let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let events = access::decide(grant, &command, today).unwrap();
    let encoded: Vec<_> = events
        .iter()
        .map(|e| codec::encode(&Event::from(e.clone())).unwrap())
        .collect();
    let stream = Event::from(events[0].clone()).stream();
    log.append(AppendRequest::single(
        stream,
        ExpectedVersion::Any,
        encoded,
        "test",
    ))
    .await
    .unwrap();
    events.iter().for_each(|e| access::evolve(grant, e));
}

#[tokio::test]
async fn a_token_resolves_to_its_holder_until_the_role_is_revoked() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let school = OrgId(Uuid::new_v4());
    let user_id = UserId(Uuid::new_v4());
    let minted = tokens::mint();
    let admin = Some(GranterFacts {
        role: Role::Admin,
        subtree_contains_target: true,
    });
    let mut grant = None;
    let command = GrantRole {
        user_id,
        role: Role::Chair,
        org_id: school,
        holder: "chair@17".into(),
        token_hash: minted.hash.clone(),
        by: admin,
        target: GrantTarget::Open,
    };
    decide_and_append(&log, &mut grant, command.into()).await;

    let model = Arc::new(Access::new());
    let projector = Projector::new(
        Arc::clone(&log),
        vec![model.clone() as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.unwrap();
    let expected = Holder {
        user_id,
        role: Role::Chair,
        org_id: school,
        holder: "chair@17".into(),
    };
    assert_eq!(
        tokens::holder_of(&model, &minted.token),
        Some(expected.clone())
    );
    assert_eq!(model.holder(user_id), Some(expected));
    assert_eq!(
        tokens::holder_of(&model, &tokens::mint().token),
        None,
        "another token is nobody"
    );
    assert_eq!(
        tokens::holder_of(&model, &minted.hash),
        None,
        "the stored hash is not a token"
    );
    let digest_before = model.digest();

    decide_and_append(&log, &mut grant, RevokeRole { user_id, by: admin }.into()).await;
    projector.catch_up().await.unwrap();
    assert_eq!(tokens::holder_of(&model, &minted.token), None);
    assert_eq!(model.holder(user_id), None);
    assert_ne!(model.digest(), digest_before);

    let rebuilt = Arc::new(Access::new());
    Projector::new(
        Arc::clone(&log),
        vec![rebuilt.clone() as Arc<dyn Projection>],
        0,
    )
    .catch_up()
    .await
    .unwrap();
    assert_eq!(rebuilt.digest(), model.digest(), "live equals rebuilt");
}
