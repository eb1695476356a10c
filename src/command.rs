//! `reestr command NAME --input JSON`: one command of the registry from the
//! command line, by the operator (or as a token's holder), through the same
//! application layer as the API. NAME is the GraphQL mutation's name and JSON
//! its arguments as the schema names them; a mutation whose one argument is
//! `input` takes the input object itself. Prints the answer as one JSON line;
//! a refusal prints the API's code and rule and exits with status 2.

use std::sync::Arc;

use anyhow::Context;
use app::views::{CardView, MemberView, OrganizationView};
use app::{App, Viewer};
use eventlog::Backend;
use projections::snapshot::SnapshotStore;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cli::{CommandArgs, CommandName};
use crate::refusal::Refused;

/// Runs the command on `log`: folds the read models first (the facts the
/// charter needs), then decides, appends and answers once they include it.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &CommandArgs,
    operator: &str,
    snapshots: Option<SnapshotStore>,
) -> anyhow::Result<()> {
    let app = App::open_with_snapshots(log.clone(), snapshots)
        .await
        .map_err(Refused)?;
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let input: Value = serde_json::from_str(&args.input)
        .map_err(|e| invalid(format!("--input is not JSON: {e}")))
        .context("reading --input")?;
    let answer = answer(&app, &viewer, args.name, input).await?;
    println!("{answer}");
    app.shutdown().await?;
    Ok(())
}

async fn answer(
    app: &App,
    viewer: &Viewer,
    name: CommandName,
    input: Value,
) -> Result<Value, Refused> {
    Ok(match name {
        CommandName::RegisterOrganization => {
            organization(app.register_organization(viewer, decode(input)?).await?)
        }
        CommandName::RenameOrganization => {
            organization(app.rename_organization(viewer, decode(input)?).await?)
        }
        CommandName::MoveOrganization => {
            organization(app.move_organization(viewer, decode(input)?).await?)
        }
        CommandName::UpdatePassport => {
            organization(app.update_passport(viewer, decode(input)?).await?)
        }
        CommandName::DissolveOrganization => {
            organization(app.dissolve_organization(viewer, decode(input)?).await?)
        }
        CommandName::AdmitMember => member(app.admit_member(viewer, decode(input)?).await?),
        CommandName::TransferMember => member(app.transfer_member(viewer, decode(input)?).await?),
        CommandName::EndMembership => member(app.end_membership(viewer, decode(input)?).await?),
        CommandName::UpdateMember => member(app.update_member(viewer, decode(input)?).await?),
        CommandName::ErasePersonalData => {
            member(app.erase_personal_data(viewer, decode(input)?).await?)
        }
        CommandName::IssueCard => card(&app.issue_card(viewer, decode(input)?).await?),
        CommandName::BlockCard => card(&app.block_card(viewer, decode(input)?).await?),
        CommandName::SubmitApplication => {
            let submitted = app.submit_application(viewer, None, decode(input)?).await?;
            json!({ "id": submitted.view.application_id, "status": "PENDING" })
        }
        CommandName::ApproveApplication => {
            member(app.approve_application(viewer, decode(input)?).await?)
        }
        CommandName::RejectApplication => {
            let rejected = app.reject_application(viewer, decode(input)?).await?;
            json!({ "id": rejected.view.application_id, "status": "REJECTED" })
        }
        CommandName::GrantRole => {
            let granted = app.grant_role(viewer, decode(input)?).await?;
            json!({
                "userId": granted.user_id,
                "role": granted.role,
                "organization": granted.org_id,
                "token": granted.token,
            })
        }
        CommandName::RevokeRole => {
            let revoke: app::access::RevokeRole = decode(input)?;
            let user_id = revoke.user_id.clone();
            app.revoke_role(viewer, revoke).await?;
            json!({ "revoked": user_id })
        }
        CommandName::ConveneMeeting => meeting(&app.convene_meeting(viewer, decode(input)?).await?),
        CommandName::RecordAttendance => {
            let recorded = app.record_attendance(viewer, decode(input)?).await?;
            json!({ "member": recorded.person_id, "meeting": meeting(&recorded.meeting) })
        }
    })
}

/// The command's arguments from JSON, by the names the schema gives them.
fn decode<T: DeserializeOwned>(input: Value) -> Result<T, Refused> {
    serde_json::from_value(input).map_err(|e| invalid(format!("--input: {e}")))
}

fn invalid(message: String) -> Refused {
    Refused(app::Error::Validation {
        message,
        field: None,
    })
}

fn organization(view: OrganizationView) -> Value {
    json!({
        "id": view.org_id,
        "name": view.name,
        "level": view.level,
        "parentId": view.parent_id,
        "dissolvedOn": view.dissolved_on,
        "memberCount": view.member_count,
        "version": view.version,
    })
}

fn member(view: MemberView) -> Value {
    json!({
        "id": view.person_id,
        "status": match view.status {
            app::views::MemberStatus::Active => "ACTIVE",
            app::views::MemberStatus::Ended => "ENDED",
        },
        "organization": view.home,
        "joinedOn": view.joined_on,
        "endedOn": view.ended_on,
        "card": view.card().map(|card| card.number.to_string()),
        "erased": view.erased,
        "version": view.version,
    })
}

fn meeting(view: &app::views::MeetingView) -> Value {
    json!({
        "id": view.meeting_id,
        "organization": view.org_id,
        "title": view.title,
        "heldOn": view.held_on,
        "attendanceCount": view.attendees.len(),
    })
}

fn card(view: &CardView) -> Value {
    json!({
        "number": view.number.to_string(),
        "kind": view.kind,
        "status": match view.status {
            app::views::CardStatus::Active => "ACTIVE",
            app::views::CardStatus::Blocked => "BLOCKED",
        },
        "member": view.holder,
    })
}
