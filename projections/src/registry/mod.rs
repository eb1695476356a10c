//! The registry: the union as it stands now, folded from the log.
//!
//! The organisation tree (names, levels, passports, member counts per subtree),
//! members (profile, personal data unless erased, memberships, cards), cards by
//! number, applications, and the facts the command path needs (`HomeFacts`,
//! `ParentFacts`, the SNILS holder, stream versions). Everything the GraphQL
//! `Organization`, `Member`, `Card`, `Application` and `CardCheck` types show
//! comes from here, except a member's history (see [`crate::archive`]).
//!
//! Layout: [`model`] folds events; [`orgs`], [`members`], [`cards`],
//! [`applications`] are its tables; [`personal`] keeps personal data compact
//! (names by number in [`dictionary`], e-mail and phone in [`contacts`], both
//! in [`text`]'s byte forms), [`names`] is the name search; [`queries`] pages
//! lists; [`views`] are the answers; [`facts`] what commands need.
//!
//! Sharing: one `RwLock` around the model. The projector takes the write lock
//! for [`APPLY_SLICE`] events at a time, so a reader waits a fraction of a
//! millisecond at most; readers hold the read lock only to copy out a view.
//!
//! Memory: members are `u32` indexes into compact records (see `members.rs`) in
//! fixed segments (`crate::columns::Segmented`): about 177 bytes a person with one card,
//! indexes included (measured by the allocator in `tests/registry/memory.rs`),
//! within the budget of 179 (700 MB for 3.9M). Every person ever admitted is
//! kept (6.6M in the full synthetic union), so the full scale holds more.

mod applications;
mod cards;
mod contacts;
mod dictionary;
mod digest;
mod facts;
mod members;
mod model;
mod names;
mod orgs;
mod personal;
mod queries;
mod text;
mod tree_walk;
mod views;

use std::sync::Arc;

use domain::card_number::CardNumber;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::vocabulary::organization::OrgLevel;
use parking_lot::RwLock;

use crate::registry::model::Model;
use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};
use crate::window::Window;

pub use crate::registry::applications::{ApplicantNames, ApplicationStatus, ApplicationStatusKind};
pub use crate::registry::names::normalize;
pub use crate::registry::orgs::MemberStatus;
pub use crate::registry::queries::{MAX_PAGE, MemberFilter, QueryError};
pub use crate::registry::views::{
    ApplicationView, CardCheck, CardCheckResult, CardStatus, CardView, MemberView, Membership,
    OrganizationView, Page,
};

pub use crate::runtime::APPLY_SLICE;

/// The registry read model. Cheap to share behind an `Arc`.
#[derive(Default)]
pub struct Registry {
    model: RwLock<Model>,
}

impl Registry {
    /// An empty registry, to be fed from position 0.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The position of the last event applied.
    pub fn position(&self) -> u64 {
        self.model.read().position
    }

    /// The organisation `org_id`, if registered.
    pub fn organization(&self, org_id: OrgId) -> Option<OrganizationView> {
        let model = self.model.read();
        let idx = model.orgs.find(org_id)?;
        model.orgs.get(idx).filter(|o| o.registered)?;
        model.organization_view(idx)
    }

    /// From the root down to `org_id`, both included; empty when unknown.
    pub fn path(&self, org_id: OrgId) -> Vec<OrganizationView> {
        let model = self.model.read();
        let Some(idx) = model.orgs.find(org_id) else {
            return Vec::new();
        };
        let mut path: Vec<OrganizationView> = model
            .orgs
            .ancestry(idx)
            .filter_map(|i| model.organization_view(i))
            .collect();
        path.reverse();
        path
    }

    /// A page of the children of `org_id`, by name then id.
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn children(
        &self,
        org_id: OrgId,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<OrganizationView>, QueryError> {
        self.children_window(org_id, Window::After { first, after })
    }

    /// [`Registry::children`] either way (see [`Window`]).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn children_window(
        &self,
        org_id: OrgId,
        window: Window<&str>,
    ) -> Result<Page<OrganizationView>, QueryError> {
        self.model
            .read()
            .organizations_page(Some(org_id), None, None, window)
    }

    /// A page of organisations (`organizations(parentId, level, search, …)`): the
    /// children of `parent` by name, or all organisations in order of
    /// registration; `search` is a part of the name or short name (any case, ё = е).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`] for an unknown parent, [`QueryError::BadCursor`].
    pub fn organizations(
        &self,
        parent: Option<OrgId>,
        level: Option<OrgLevel>,
        search: Option<&str>,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<OrganizationView>, QueryError> {
        let window = Window::After { first, after };
        self.organizations_window(parent, level, search, window)
    }

    /// [`Registry::organizations`] either way (see [`Window`]).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`] for an unknown parent, [`QueryError::BadCursor`].
    pub fn organizations_window(
        &self,
        parent: Option<OrgId>,
        level: Option<OrgLevel>,
        search: Option<&str>,
        window: Window<&str>,
    ) -> Result<Page<OrganizationView>, QueryError> {
        self.model
            .read()
            .organizations_page(parent, level, search, window)
    }

    /// The person `person_id`, member or former member.
    pub fn member(&self, person_id: PersonId) -> Option<MemberView> {
        let model = self.model.read();
        let idx = model.members.find(person_id)?;
        model.member_view(idx)
    }

    /// The holder of the card `number`, whatever the card's status.
    pub fn member_by_card(&self, number: CardNumber) -> Option<MemberView> {
        let model = self.model.read();
        let card = model.cards.find(number)?;
        model.member_view(model.cards.get(card)?.member)
    }

    /// A page of members of an organisation or its subtree (see [`MemberFilter`]).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn members(
        &self,
        filter: &MemberFilter<'_>,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        self.members_window(filter, Window::After { first, after })
    }

    /// [`Registry::members`] either way (see [`Window`]).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn members_window(
        &self,
        filter: &MemberFilter<'_>,
        window: Window<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        self.model.read().members_page(filter, window)
    }

    /// What the registry holds as of one position: that position, how many
    /// persons it has heard of and every organisation it has heard of, read
    /// under one lock so the three agree. Persons and organisations are in the
    /// order the log first named each (a person: by one of their events; an
    /// organisation: by any event, its own or one naming it), so
    /// [`Registry::person_ids`] pages a list that grows only at the end.
    pub fn extent(&self) -> (u64, usize, Vec<OrgId>) {
        let model = self.model.read();
        let orgs = model.orgs.records.iter().map(|o| o.org_id).collect();
        (model.position, model.members.records.len(), orgs)
    }

    /// The persons from index `from` (in the order of [`Registry::extent`]),
    /// at most `limit`: members, former members and erased persons alike.
    pub fn person_ids(&self, from: usize, limit: usize) -> Vec<PersonId> {
        let model = self.model.read();
        let records = &model.members.records;
        (from..records.len().min(from.saturating_add(limit)))
            .filter_map(|idx| records.get(idx).map(|r| r.person_id))
            .collect()
    }

    /// The first version of `person`'s stream that belongs to their current
    /// (or last) membership: that of the re-admission opening it; `None` for
    /// a person admitted once (their whole stream is one membership).
    pub fn current_membership_from(&self, person: PersonId) -> Option<u64> {
        let model = self.model.read();
        let idx = model.members.find(person)?;
        model.members.readmitted_at.get(&idx).map(|&v| u64::from(v))
    }

    /// The application `application_id`.
    pub fn application(&self, application_id: ApplicationId) -> Option<ApplicationView> {
        let model = self.model.read();
        model.application_view(model.applications.find(application_id)?)
    }

    /// A page of the applications to `org_id` with `status`, oldest first.
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn applications(
        &self,
        org_id: OrgId,
        status: ApplicationStatusKind,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<ApplicationView>, QueryError> {
        self.applications_window(org_id, status, Window::After { first, after })
    }

    /// [`Registry::applications`] either way (see [`Window`]).
    ///
    /// # Errors
    /// [`QueryError::UnknownOrganization`], [`QueryError::BadCursor`].
    pub fn applications_window(
        &self,
        org_id: OrgId,
        status: ApplicationStatusKind,
        window: Window<&str>,
    ) -> Result<Page<ApplicationView>, QueryError> {
        self.model.read().applications_page(org_id, status, window)
    }

    /// The card `number`, if issued.
    pub fn card(&self, number: CardNumber) -> Option<CardView> {
        let model = self.model.read();
        model.card_view(model.cards.find(number)?)
    }

    /// Checks a card: VALID (with the issuing organisation's name), BLOCKED or UNKNOWN.
    pub fn verify_card(&self, number: CardNumber) -> CardCheck {
        let model = self.model.read();
        let card = model
            .cards
            .find(number)
            .and_then(|idx| model.cards.get(idx));
        let (result, organization_name) = match card {
            None => (CardCheckResult::Unknown, None),
            Some(card) if card.blocked_on.is_some() => (CardCheckResult::Blocked, None),
            Some(card) => (
                CardCheckResult::Valid,
                model.orgs.get(card.issued_by).map(|o| o.name.to_string()),
            ),
        };
        CardCheck {
            number: number.to_string(),
            result,
            organization_name,
        }
    }

    /// Active members whose home is in the subtree of `org_id`, now.
    pub fn member_count(&self, org_id: OrgId) -> Option<u32> {
        let model = self.model.read();
        Some(model.orgs.get(model.orgs.find(org_id)?)?.subtree_active)
    }

    /// Bytes the registry holds in its main tables, roughly: members and their
    /// indexes, personal data, cards (organisations and applications aside).
    pub fn heap_bytes(&self) -> usize {
        let model = self.model.read();
        model.members.heap_bytes() + model.cards.heap_bytes()
    }

    /// Bytes held per table (capacity, estimated for tree and hash nodes), for
    /// memory reports: every table, organisations and applications included.
    pub fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let model = self.model.read();
        let mut report = model.members.heap_report();
        report.extend(model.cards.heap_report());
        report.push(("organisations", model.orgs.heap_bytes()));
        report.push(("applications", model.applications.heap_bytes()));
        report
    }
}

impl Projection for Registry {
    fn name(&self) -> &'static str {
        "registry"
    }

    fn apply(&self, events: &[Applied]) {
        for slice in events.chunks(APPLY_SLICE) {
            let mut model = self.model.write();
            for applied in slice {
                model.apply(applied);
            }
        }
    }

    fn digest(&self) -> u64 {
        self.model.read().digest()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: Model = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}
