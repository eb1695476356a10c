//! What the registry answers: owned snapshots of organisations, members, cards,
//! applications, and pages of them. Built under a short read lock, used after it.

use chrono::NaiveDate;
use domain::calendar::{self, Spell};
use domain::card_number::CardNumber;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::organization::PassportFrom;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::{OrgLevel, Passport};
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, PersonalData, Profession};

use crate::registry::applications::{ApplicantNames, ApplicationStatus};
use crate::registry::cards::BlockCode;
use crate::registry::model::Model;
use crate::registry::orgs::MemberStatus;

/// An organisation now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationView {
    /// The organisation.
    pub org_id: OrgId,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Level in the tree.
    pub level: OrgLevel,
    /// Region code of the regional organisation at or above it.
    pub region_code: Option<u8>,
    /// A primary with the rights of a territorial organisation.
    pub territorial_rights: bool,
    /// The parent; `None` for the CENTRAL organisation.
    pub parent_id: Option<OrgId>,
    /// The passport and the day of its last update, once filled in.
    pub passport: Option<(Passport, NaiveDate)>,
    /// The first day it no longer exists, once dissolved.
    pub dissolved_on: Option<NaiveDate>,
    /// The day it was established; `None`: registered without one (found in place).
    pub established_on: Option<NaiveDate>,
    /// Where the passport in effect now begins (DESIGN.md §7), once filled in.
    pub passport_from: Option<PassportFrom>,
    /// Active members whose home is in the subtree, now.
    pub member_count: u32,
    /// The version of the organisation's stream.
    pub version: u64,
}

/// One continuous membership: admitted on `start`, ended on `end` (transfers
/// inside it do not break it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The first day.
    pub start: NaiveDate,
    /// The first day no longer a member; `None` while it goes on.
    pub end: Option<NaiveDate>,
}

/// A person now: member or former member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    /// The person.
    pub person_id: PersonId,
    /// Personal data; `None` after erasure (viewers' rights are the caller's job).
    pub personal: Option<PersonalData>,
    /// Gender.
    pub gender: Gender,
    /// Birth year.
    pub birth_year: i32,
    /// Category.
    pub category: MemberCategory,
    /// Profession.
    pub profession: Option<Profession>,
    /// Position held.
    pub position: Option<String>,
    /// Active or ended.
    pub status: MemberStatus,
    /// The home now, or the last one after the membership ended.
    pub home: OrgId,
    /// First day of the current (or last) continuous membership.
    pub joined_on: NaiveDate,
    /// The first day no longer a member, once ended.
    pub ended_on: Option<NaiveDate>,
    /// Why the membership ended.
    pub end_reason: Option<EndReason>,
    /// Every continuous membership, oldest first.
    pub memberships: Vec<Membership>,
    /// Every card, oldest first.
    pub cards: Vec<CardView>,
    /// Whether the personal data was erased.
    pub erased: bool,
    /// The version of the person's stream.
    pub version: u64,
}

impl MemberView {
    /// The active card, if any.
    pub fn card(&self) -> Option<&CardView> {
        self.cards
            .iter()
            .rev()
            .find(|card| card.status == CardStatus::Active)
    }

    /// Union tenure in whole days on `as_of` (DESIGN.md §1).
    pub fn tenure_days(&self, as_of: NaiveDate) -> u32 {
        let spells: Vec<Spell> = self
            .memberships
            .iter()
            .map(|m| Spell {
                home_org: self.home,
                start: m.start,
                end: m.end,
            })
            .collect();
        calendar::tenure_days(&spells, as_of)
    }
}

/// Whether a card may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardStatus {
    /// The member's card now.
    Active,
    /// Replaced, blocked on request, or blocked when the membership ended.
    Blocked,
}

/// A union card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardView {
    /// The number.
    pub number: CardNumber,
    /// Plastic or virtual.
    pub kind: CardKind,
    /// Active or blocked.
    pub status: CardStatus,
    /// The day of issue.
    pub issued_on: NaiveDate,
    /// The day it was blocked.
    pub blocked_on: Option<NaiveDate>,
    /// Why: REPLACED, MEMBERSHIP_ENDED, or the requester's words.
    pub block_reason: Option<String>,
    /// The holder.
    pub holder: PersonId,
    /// The holder's home when the card was issued.
    pub issued_by: Option<OrgId>,
}

/// What checking a card number answers: VALID, BLOCKED or UNKNOWN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardCheckResult {
    /// An active card.
    Valid,
    /// A card that was blocked.
    Blocked,
    /// No card has this number.
    Unknown,
}

/// The answer to `verifyCard`: the result, and the issuing organisation's name
/// when the card is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardCheck {
    /// The number checked, as cards print it (or as typed, when it is no
    /// card number at all).
    pub number: String,
    /// Valid, blocked or unknown.
    pub result: CardCheckResult,
    /// Name of the organisation that issued the card, when valid.
    pub organization_name: Option<String>,
}

impl CardCheck {
    /// The answer for `typed`, which is no card number at all (wrong length
    /// or check digit): UNKNOWN, as for a number nobody holds, so a scanner
    /// shows one of three words whatever it read. At most
    /// [`MAX_TYPED_CHARS`] of it are echoed.
    pub fn unknown(typed: &str) -> CardCheck {
        CardCheck {
            number: typed.trim().chars().take(MAX_TYPED_CHARS).collect(),
            result: CardCheckResult::Unknown,
            organization_name: None,
        }
    }
}

/// How much of a malformed card number a check echoes.
pub const MAX_TYPED_CHARS: usize = 32;

/// An online application now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationView {
    /// The application.
    pub application_id: ApplicationId,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The organisation applied to.
    pub org_id: OrgId,
    /// The day of submission.
    pub submitted_on: NaiveDate,
    /// The applicant's names; `None` after erasure.
    pub names: Option<ApplicantNames>,
    /// The version of the application's stream.
    pub version: u64,
}

/// One page of a list: items with their cursors, whether more follow, the total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, each with the cursor to pass as `after` to continue after it.
    pub items: Vec<(String, T)>,
    /// Whether items follow the last one.
    pub has_next_page: bool,
    /// Whether items precede the first one.
    pub has_previous_page: bool,
    /// Items in the whole list.
    pub total_count: u64,
}

impl Model {
    /// The view of the organisation at `org_idx`.
    pub(crate) fn organization_view(&self, org_idx: u32) -> Option<OrganizationView> {
        let org = self.orgs.get(org_idx)?;
        Some(OrganizationView {
            org_id: org.org_id,
            name: org.name.to_string(),
            short_name: org.short_name.as_deref().map(str::to_string),
            level: org.level,
            region_code: self.orgs.region_code(org_idx),
            territorial_rights: org.territorial_rights,
            parent_id: self.orgs.get(org.parent).map(|p| p.org_id),
            passport: org.passport.as_deref().cloned(),
            dissolved_on: org.dissolved_on,
            established_on: org.established_on,
            passport_from: org.passport_from,
            member_count: org.subtree_active,
            version: u64::from(org.version),
        })
    }

    /// The view of the member at `member_idx`.
    pub(crate) fn member_view(&self, member_idx: u32) -> Option<MemberView> {
        let record = self.members.get(member_idx)?;
        let mut memberships: Vec<Membership> = self
            .members
            .earlier
            .get(&member_idx)
            .into_iter()
            .flatten()
            .map(|&(start, end)| Membership {
                start,
                end: Some(end),
            })
            .collect();
        memberships.push(Membership {
            start: record.joined_on,
            end: record.ended_on,
        });
        let mut cards: Vec<CardView> = self
            .cards
            .chain(record.last_card)
            .filter_map(|card_idx| self.card_view(card_idx))
            .collect();
        cards.reverse();
        Some(MemberView {
            person_id: record.person_id,
            personal: self.members.personal(member_idx),
            gender: record.gender,
            birth_year: i32::from(record.birth_year),
            category: record.category,
            profession: record.profession,
            position: self.members.text(record.position).map(str::to_string),
            status: if record.active {
                MemberStatus::Active
            } else {
                MemberStatus::Ended
            },
            home: self.orgs.get(record.home).map(|o| o.org_id)?,
            joined_on: record.joined_on,
            ended_on: record.ended_on,
            end_reason: record.end_reason,
            memberships,
            cards,
            erased: record.erased,
            version: u64::from(record.version),
        })
    }

    /// The view of the card at `card_idx`.
    pub(crate) fn card_view(&self, card_idx: u32) -> Option<CardView> {
        let card = self.cards.get(card_idx)?;
        Some(CardView {
            number: card.number,
            kind: card.kind,
            status: if card.block == BlockCode::NotBlocked {
                CardStatus::Active
            } else {
                CardStatus::Blocked
            },
            issued_on: card.issued_on,
            blocked_on: card.blocked_on,
            block_reason: self.cards.block_reason(card_idx),
            holder: self.members.get(card.member)?.person_id,
            issued_by: self.orgs.get(card.issued_by).map(|o| o.org_id),
        })
    }

    /// The view of the application at `idx`.
    pub(crate) fn application_view(&self, idx: u32) -> Option<ApplicationView> {
        let record = self.applications.get(idx)?;
        Some(ApplicationView {
            application_id: record.application_id,
            status: record.status.clone(),
            org_id: self.orgs.get(record.org)?.org_id,
            submitted_on: record.submitted_on,
            names: record.names.clone(),
            version: u64::from(record.version),
        })
    }
}
