//! Members and cards: who may read which member (personal data goes through
//! [`PersonalReads`](crate::PersonalReads)), lists of members, card checks,
//! and the commands on members and their cards.
//!
//! A member is read by roles that read members (not ANALYST), where the
//! member's (last) home is inside the viewer's subtree; changed by roles that
//! change members, likewise.

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::ids::PersonId;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalDataPatch, Profession, ProfilePatch,
};
use projections::archive::HistoryEntry;
use projections::registry::{CardCheck, CardView, MemberFilter, MemberStatus, MemberView};
use serde::{Deserialize, Serialize};

use crate::audit::PersonalReads;
use crate::commands::{self, NewMember};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS, PersonalForm};
use crate::page::{Page, Window};
use crate::rate_limit::ClientAddr;
use crate::running::App;

/// `members(orgId, includeDescendants, status, search, first, after)`.
#[derive(Clone, Debug)]
pub struct MembersQuery {
    /// The organisation.
    pub org_id: String,
    /// Its whole subtree (the default) or only its own members.
    pub include_descendants: bool,
    /// Active (the default) or former members.
    pub status: MemberStatus,
    /// A prefix of "surname name patronymic", any case, ё = е.
    pub search: Option<String>,
    /// Page size.
    pub first: i64,
    /// The cursor to go on after.
    pub after: Option<String>,
}

/// `admitMember(input)`: an admission, on the date of the written application.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmitMember {
    /// The home organisation.
    pub org_id: String,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub birth_date: NaiveDate,
    /// SNILS.
    pub snils: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Category.
    pub category: MemberCategory,
    /// Profession, for workers.
    pub profession: Option<Profession>,
    /// Position held.
    pub position: Option<String>,
    /// The date of the application: membership and tenure start on it.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub admitted_on: NaiveDate,
    /// A card to issue in the same command.
    pub issue_card: Option<CardKind>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `transferMember(memberId, toOrgId, effectiveOn, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferMember {
    /// The member.
    pub member_id: String,
    /// The new home.
    pub to_org_id: String,
    /// From when.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub effective_on: NaiveDate,
    /// The version the client expects the member to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `endMembership(memberId, reason, effectiveOn, basis, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndMembership {
    /// The member.
    pub member_id: String,
    /// Why.
    pub reason: EndReason,
    /// From when.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub effective_on: NaiveDate,
    /// The basis of an expulsion (which body decided, when).
    pub basis: Option<String>,
    /// The version the client expects the member to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// Changes to a member; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberChanges {
    /// Surname.
    pub last_name: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// SNILS.
    pub snils: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Category.
    pub category: Option<MemberCategory>,
    /// Profession.
    pub profession: Option<Profession>,
    /// Position held.
    pub position: Option<String>,
}

/// `updateMember(memberId, input, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMember {
    /// The member.
    pub member_id: String,
    /// The changes.
    pub input: MemberChanges,
    /// The version the client expects the member to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `issueCard(memberId, kind, issuedOn, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueCard {
    /// The member.
    pub member_id: String,
    /// Plastic (the default) or virtual.
    pub kind: Option<CardKind>,
    /// The date of issue (today when absent).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub issued_on: Option<NaiveDate>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `blockCard(number, reason, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockCard {
    /// The card number.
    pub number: String,
    /// Why.
    pub reason: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `erasePersonalData(memberId, basis, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErasePersonalData {
    /// The member.
    pub member_id: String,
    /// The legal basis.
    pub basis: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

impl MemberChanges {
    fn into_patches(self) -> Result<(ProfilePatch, PersonalDataPatch), Error> {
        // A name cannot be cleared: a blank one goes on to the charter's refusal.
        let name = |value: Option<String>, field| {
            value
                .map(|value| input::text(value, field, MAX_NAME_CHARS))
                .transpose()
        };
        let profile = ProfilePatch {
            category: self.category,
            profession: self.profession,
            position: input::optional_text(self.position, "position", MAX_NAME_CHARS)?,
        };
        let personal = PersonalDataPatch {
            last_name: name(self.last_name, "lastName")?,
            first_name: name(self.first_name, "firstName")?,
            patronymic: input::optional_text(self.patronymic, "patronymic", MAX_NAME_CHARS)?,
            snils: input::optional_snils(self.snils)?,
            email: input::optional_email(self.email)?,
            phone: input::optional_text(self.phone, "phone", MAX_NAME_CHARS)?,
        };
        Ok((profile, personal))
    }
}

impl App {
    /// The person `person` as `viewer` may see them.
    ///
    /// # Errors
    /// `NOT_FOUND`, or `FORBIDDEN` for a role that reads no members or a person
    /// whose (last) home is outside the viewer's subtree.
    pub fn member(&self, viewer: &Viewer, person: PersonId) -> Result<MemberView, Error> {
        if *viewer == Viewer::Member(person) {
            // A member in their cabinet: their own record, wherever it is.
            return self
                .models
                .registry
                .member(person)
                .ok_or(Error::NotFound { what: "member" });
        }
        viewer.may(Action::ReadMembers)?;
        let view = self
            .models
            .registry
            .member(person)
            .ok_or(Error::NotFound { what: "member" })?;
        viewer.may_at(Action::ReadMembers, view.home, &self.models.registry)?;
        Ok(view)
    }

    /// The holder of the card `number`, as [`App::member`]; `None` for a
    /// number no card has.
    ///
    /// # Errors
    /// A malformed number; as [`App::member`].
    pub fn member_by_card(
        &self,
        viewer: &Viewer,
        number: &str,
    ) -> Result<Option<MemberView>, Error> {
        viewer.may(Action::ReadMembers)?;
        let number = input::card_number(number)?;
        let Some(card) = self.models.registry.card(number) else {
            return Ok(None);
        };
        self.member(viewer, card.holder).map(Some)
    }

    /// A page of the members whose home is the organisation (or anywhere in
    /// its subtree). A search by name confirms who is where even when no name
    /// is asked for: each member it returns is noted in `reads` as shown.
    ///
    /// # Errors
    /// Bad ids, pages, cursors; `NOT_FOUND`; `FORBIDDEN` outside the subtree
    /// (and for a search, to roles that see no personal data).
    pub fn members(
        &self,
        reads: &PersonalReads,
        query: MembersQuery,
    ) -> Result<Page<MemberView>, Error> {
        let window = Window::forward(query.first, query.after.clone());
        self.members_window(reads, query, &window)
    }

    /// [`App::members`] either way: the page `window` asks for (the query's
    /// own `first` and `after` give way to it); the same guard, the same
    /// reads noted.
    ///
    /// # Errors
    /// As [`App::members`].
    pub fn members_window(
        &self,
        reads: &PersonalReads,
        query: MembersQuery,
        window: &Window,
    ) -> Result<Page<MemberView>, Error> {
        let viewer = reads.viewer();
        let org = input::id(&query.org_id, "id")?;
        let checked = window.checked()?;
        self.organization_target(viewer, Action::ReadMembers, org)?;
        let filter = MemberFilter {
            org_id: org,
            include_descendants: query.include_descendants,
            status: query.status,
            search: query.search.as_deref(),
        };
        let page: Page<MemberView> = self
            .models
            .registry
            .members_window(&filter, checked)
            .map_err(|e| window.refused(e))?
            .into();
        if filter.search.is_some() {
            for (_, member) in &page.items {
                reads.show(member.person_id)?;
            }
        }
        Ok(page)
    }

    /// Public: whether the card `number` is VALID (with the issuing
    /// organisation), BLOCKED or UNKNOWN.
    ///
    /// # Errors
    /// `RATE_LIMITED` for an anonymous address past its pace. A malformed
    /// number is UNKNOWN, never an error (DESIGN: a card verifies valid,
    /// blocked or unknown only).
    pub fn verify_card(
        &self,
        viewer: &Viewer,
        client: Option<ClientAddr>,
        number: &str,
    ) -> Result<CardCheck, Error> {
        // Public, so limited per address: one number a request (the API
        // takes one) and a guard's pace, never a roster.
        if matches!(viewer, Viewer::Anonymous) {
            self.card_checks.check(client)?;
        }
        Ok(match input::card_number(number) {
            Ok(number) => self.models.registry.verify_card(number),
            Err(_) => CardCheck::unknown(number),
        })
    }

    /// Every event of `person`, oldest first, in plain words: the membership
    /// archive, for a viewer who may read the member.
    ///
    /// # Errors
    /// As [`App::member`]; the log failed.
    pub async fn history(
        &self,
        viewer: &Viewer,
        person: PersonId,
    ) -> Result<Vec<HistoryEntry>, Error> {
        self.member(viewer, person)?;
        self.models
            .archive
            .history(&self.log, person)
            .await
            .map_err(Error::internal)
    }

    /// `admitMember`: a newcomer, or the former member with the same SNILS
    /// again; optionally a card in the same command. Returns the member once
    /// the read models include the admission.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`, `FORBIDDEN`; the charter's refusals; conflicts.
    pub async fn admit_member(
        &self,
        viewer: &Viewer,
        input: AdmitMember,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let home_org = input::id(&input.org_id, "orgId")?;
        let member = NewMember {
            home_org,
            personal: input::personal_data(PersonalForm {
                last_name: input.last_name,
                first_name: input.first_name,
                patronymic: input.patronymic,
                birth_date: input.birth_date,
                snils: input.snils,
                email: input.email,
                phone: input.phone,
            })?,
            gender: input.gender,
            category: input.category,
            profession: input.profession,
            position: input::optional_text(input.position, "position", MAX_NAME_CHARS)?,
            admitted_on: input.admitted_on,
            issue_card: input.issue_card,
        };
        self.organization_target(viewer, Action::WriteMembers, home_org)?;
        self.look_up_snils(viewer, member.personal.snils).await?;
        let (person, appended) = commands::admit_member(&self.commands, &issued, member).await?;
        if appended.duplicate {
            // A repeat answers with the first command's member: shown only
            // if the viewer may read them now.
            self.member(viewer, person)?;
        }
        self.member_after(person, appended.last_position).await
    }

    /// `transferMember`: to another home from `effectiveOn`. The viewer must
    /// hold both homes: a chair changes only its own subtree, so a transfer
    /// between two subtrees is made by a holder above both.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn transfer_member(
        &self,
        viewer: &Viewer,
        input: TransferMember,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let person = input::id(&input.member_id, "memberId")?;
        let to_org = input::id(&input.to_org_id, "toOrgId")?;
        self.member_target(viewer, person)?;
        self.organization_target(viewer, Action::WriteMembers, to_org)?;
        let appended =
            commands::transfer_member(&self.commands, &issued, person, to_org, input.effective_on)
                .await?;
        self.member_after(person, appended.last_position).await
    }

    /// `endMembership`: voluntary exit, expulsion (basis required), leaving
    /// education, death.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn end_membership(
        &self,
        viewer: &Viewer,
        input: EndMembership,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let person = input::id(&input.member_id, "memberId")?;
        let basis = input::optional_text(input.basis, "basis", MAX_TEXT_CHARS)?;
        self.member_target(viewer, person)?;
        let appended = commands::end_membership(
            &self.commands,
            &issued,
            person,
            input.reason,
            basis,
            input.effective_on,
        )
        .await?;
        self.member_after(person, appended.last_position).await
    }

    /// `updateMember`: profile and personal data, from today.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn update_member(
        &self,
        viewer: &Viewer,
        input: UpdateMember,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let person = input::id(&input.member_id, "memberId")?;
        let (profile, personal) = input.input.into_patches()?;
        self.member_target(viewer, person)?;
        self.look_up_snils(viewer, personal.snils).await?;
        let appended =
            commands::update_member(&self.commands, &issued, person, profile, personal).await?;
        self.member_after(person, appended.last_position).await
    }

    /// `issueCard`, blocking the active one as replaced.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn issue_card(&self, viewer: &Viewer, input: IssueCard) -> Result<CardView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let person = input::id(&input.member_id, "memberId")?;
        let issued_on = input::date_or(input.issued_on, issued.today);
        self.member_target(viewer, person)?;
        let kind = input.kind.unwrap_or(CardKind::Plastic);
        let (number, appended) =
            commands::issue_card(&self.commands, &issued, person, kind, issued_on).await?;
        self.card_after(number, appended.last_position).await
    }

    /// `blockCard`, on request.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn block_card(&self, viewer: &Viewer, input: BlockCard) -> Result<CardView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let number = input::card_number(&input.number)?;
        let reason = input::text(input.reason, "reason", MAX_TEXT_CHARS)?;
        let card = self
            .models
            .registry
            .card(number)
            .ok_or(Error::NotFound { what: "card" })?;
        self.member_target(viewer, card.holder)?;
        let (_, appended) = commands::block_card(&self.commands, &issued, number, reason).await?;
        self.card_after(number, appended.last_position).await
    }

    /// `erasePersonalData`: crypto-shreds the person's personal data; history
    /// and statistics remain.
    ///
    /// # Errors
    /// As [`App::admit_member`].
    pub async fn erase_personal_data(
        &self,
        viewer: &Viewer,
        input: ErasePersonalData,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let person = input::id(&input.member_id, "memberId")?;
        let basis = input::text(input.basis, "basis", MAX_TEXT_CHARS)?;
        self.member_target(viewer, person)?;
        // The questions they asked are sealed under keys of their own.
        let asked = self
            .models
            .consultations
            .asked_by_member(person)
            .into_iter()
            .map(|id| id.stream())
            .collect();
        let appended =
            commands::erase_personal_data(&self.commands, &issued, person, basis, asked).await?;
        self.member_after(person, appended.last_position).await
    }

    /// The person `person`, whom the viewer may change: their (last) home is
    /// in the viewer's subtree.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown person; `FORBIDDEN` outside the viewer's subtree.
    fn member_target(&self, viewer: &Viewer, person: PersonId) -> Result<MemberView, Error> {
        let view = self
            .models
            .registry
            .member(person)
            .ok_or(Error::NotFound { what: "member" })?;
        viewer.may_at(Action::WriteMembers, view.home, &self.models.registry)?;
        Ok(view)
    }

    /// The person once the read models include `position`. Access was checked
    /// before the command ran; a transfer may take them out of the viewer's
    /// subtree, and the answer still shows the result.
    pub(crate) async fn member_after(
        &self,
        person: PersonId,
        position: u64,
    ) -> Result<MemberView, Error> {
        self.reach(position).await?;
        self.models
            .registry
            .member(person)
            .ok_or(Error::NotFound { what: "member" })
    }

    /// The card once the read models include `position`.
    async fn card_after(&self, number: CardNumber, position: u64) -> Result<CardView, Error> {
        self.reach(position).await?;
        self.models
            .registry
            .card(number)
            .ok_or(Error::NotFound { what: "card" })
    }
}
