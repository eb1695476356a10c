//! What a member sees and does in their cabinet (their own record only), and
//! the desks' side of their requests to erase: listed for a chair or admin
//! over the member's home, confirmed by `erasePersonalData`, or declined.

use chrono::NaiveDate;
use domain::ids::PersonId;
use domain::mailing::cabinet::{self, cabinet_stream};
use domain::vocabulary::person::{PersonalDataPatch, ProfilePatch};
use projections::archive::HistoryEntry;
use projections::registry::{MemberView, OrganizationView};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::audit::PersonalReads;
use crate::commands::load::load;
use crate::commands::{self, Decision};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;

/// The longest reason for declining, in characters.
const MAX_REASON_CHARS: usize = 2000;

/// What a member sees in their cabinet.
#[derive(Clone, Debug)]
pub struct CabinetView {
    /// Their record (personal data included: noted as read).
    pub member: MemberView,
    /// Their home's path from the root, the home last.
    pub path: Vec<OrganizationView>,
    /// The membership archive.
    pub history: Vec<HistoryEntry>,
    /// Whether they unsubscribed from mailings.
    pub unsubscribed: bool,
    /// The day they asked for erasure, while it waits.
    pub erasure_requested: Option<NaiveDate>,
}

/// `updateMyContacts`: a member's own phone and e-mail.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactsUpdate {
    /// New e-mail (blank: unchanged).
    pub email: Option<String>,
    /// New phone (blank: unchanged).
    pub phone: Option<String>,
}

/// A member's request to erase, on a desk.
#[derive(Clone, Debug)]
pub struct ErasureRequest {
    /// The member (their name shown through [`PersonalReads::show`]).
    pub member: MemberView,
    /// The day of the request.
    pub requested_on: NaiveDate,
}

impl App {
    /// The signed-in member's own cabinet; their data's read is noted in `reads`.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`/`FORBIDDEN` for anyone but a member in a session;
    /// the log failed.
    pub async fn cabinet(&self, reads: &PersonalReads) -> Result<CabinetView, Error> {
        let person = reads.viewer().member()?;
        let member = self.member(reads.viewer(), person)?;
        reads.show(person)?;
        let history = self.history(reads.viewer(), person).await?;
        Ok(CabinetView {
            path: self.path(member.home),
            history,
            unsubscribed: self.unsubscribed(person),
            erasure_requested: self.models.outbox.erasure_requested(person),
            member,
        })
    }

    /// The member's own phone and e-mail, changed by the same command as a
    /// chair's `updateMember`.
    ///
    /// # Errors
    /// As [`App::cabinet`]; a malformed e-mail; the charter's refusals.
    pub async fn update_my_contacts(
        &self,
        viewer: &Viewer,
        input: ContactsUpdate,
    ) -> Result<MemberView, Error> {
        let person = viewer.member()?;
        let issued = self.issue(viewer, &input, None, None)?;
        let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let email = input::optional_email(blank(input.email))?;
        let phone = input::optional_text(blank(input.phone), "phone", 50)?;
        let personal = PersonalDataPatch {
            email,
            phone,
            ..PersonalDataPatch::default()
        };
        if personal.is_empty() {
            return self.member(viewer, person);
        }
        let appended = commands::update_member(
            &self.commands,
            &issued,
            person,
            ProfilePatch::default(),
            personal,
        )
        .await?;
        self.member_after(person, appended.last_position).await
    }

    /// The member stops (`false`) or resumes (`true`) taking mailings.
    ///
    /// # Errors
    /// As [`App::cabinet`]; the log failed.
    pub async fn set_my_mailings(&self, viewer: &Viewer, take: bool) -> Result<(), Error> {
        let person = viewer.member()?;
        if take {
            self.resubscribe(viewer, person).await
        } else {
            let token = self.unsubscribe_token(person);
            self.unsubscribe(&token).await.map(|_| ())
        }
    }

    /// The member asks that their personal data be erased: a request for a
    /// chair or admin over their home; once while one waits.
    ///
    /// # Errors
    /// As [`App::cabinet`]; the log failed.
    pub async fn request_my_erasure(&self, viewer: &Viewer) -> Result<(), Error> {
        let person = viewer.member()?;
        let issued = self.issue(viewer, &person, None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || async move {
                let loaded = load(log, cabinet_stream(person), cabinet::evolve).await?;
                let events = cabinet::request_erasure(&loaded.state, person, issued.today);
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        self.reach(appended.last_position).await
    }

    /// The erasure requests waiting from members whose home is in the
    /// viewer's subtree, oldest first; each member shown is noted in `reads`.
    ///
    /// # Errors
    /// `FORBIDDEN` for a role that does not change members.
    pub fn erasure_requests(&self, reads: &PersonalReads) -> Result<Vec<ErasureRequest>, Error> {
        let viewer = reads.viewer();
        viewer.may(Action::WriteMembers)?;
        let mut requests = Vec::new();
        for (person, requested_on) in self.models.outbox.erasure_requests() {
            let Some(member) = self.models.registry.member(person) else {
                continue;
            };
            if viewer
                .may_at(Action::WriteMembers, member.home, &self.models.registry)
                .is_err()
            {
                continue;
            }
            reads.show(person)?;
            requests.push(ErasureRequest {
                member,
                requested_on,
            });
        }
        requests.sort_by_key(|r| r.requested_on);
        Ok(requests)
    }

    /// Declines `person`'s waiting erasure request with `reason`.
    ///
    /// # Errors
    /// `FORBIDDEN` outside the viewer's subtree; `NOT_FOUND` when no request waits.
    pub async fn decline_erasure(
        &self,
        viewer: &Viewer,
        person: PersonId,
        reason: String,
    ) -> Result<(), Error> {
        viewer.may(Action::WriteMembers)?;
        let reason = input::text(reason, "reason", MAX_REASON_CHARS)?;
        let member = self
            .models
            .registry
            .member(person)
            .ok_or(Error::NotFound { what: "member" })?;
        viewer.may_at(Action::WriteMembers, member.home, &self.models.registry)?;
        if self.models.outbox.erasure_requested(person).is_none() {
            return Err(Error::NotFound {
                what: "erasure request",
            });
        }
        let issued = self.issue(viewer, &(person, &reason), None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || {
                let reason = reason.clone();
                async move {
                    let loaded = load(log, cabinet_stream(person), cabinet::evolve).await?;
                    let events =
                        cabinet::decline_erasure(&loaded.state, person, reason, issued.today);
                    Ok(Decision::of(vec![loaded.append(events)?]))
                }
            })
            .await?;
        self.reach(appended.last_position).await
    }
}
