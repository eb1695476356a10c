//! Every event of the registry, one enum per aggregate, and their stored names.
//!
//! The log keeps these forever: the stored type names below are written out by
//! hand (never derived from `Debug`), and a change to a variant's fields needs a
//! new schema version plus an upcaster in `eventlog`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::AUDIT_STREAM;
pub use crate::audit::AuditEvent;
use crate::card_number::CardNumber;
pub use crate::consultation::ConsultationEvent;
use crate::ids::{ApplicationId, MeetingId, OrgId, PersonId, UserId};
pub use crate::library::DocumentEvent;
use crate::library::FileHash;
pub use crate::mailing::MailingEvent;
use crate::vocabulary::access::Role;
use crate::vocabulary::card::{CardBlockReason, CardKind};
use crate::vocabulary::organization::{OrgLevel, Passport};
use crate::vocabulary::person::{
    EndReason, PersonalData, PersonalDataPatch, Profile, ProfilePatch,
};

/// Any event of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An event of an organisation's stream.
    Organization(OrganizationEvent),
    /// An event of a person's stream.
    Person(PersonEvent),
    /// An event of an application's stream.
    Application(ApplicationEvent),
    /// An event of a card number's stream.
    Card(CardEvent),
    /// An event of an access holder's stream.
    Access(AccessEvent),
    /// An event of the audit trail.
    Audit(AuditEvent),
    /// An event of a meeting's stream.
    Meeting(MeetingEvent),
    /// An event of a mailing or of a person's consent to mailings.
    Mailing(MailingEvent),
    /// An event of a library document's stream.
    Library(DocumentEvent),
    /// An event of a consultation's stream.
    Consultation(ConsultationEvent),
}

/// Events of an organisation (stream `org-<uuid>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OrganizationEvent {
    /// A new organisation joined the tree.
    #[serde(rename = "OrganizationRegistered")]
    Registered {
        /// The new organisation.
        org_id: OrgId,
        /// Its parent; `None` only for the CENTRAL organisation.
        parent_id: Option<OrgId>,
        /// Full name.
        name: String,
        /// Short name.
        short_name: Option<String>,
        /// Level in the tree.
        level: OrgLevel,
        /// Region code (01..99), for regional organisations.
        region_code: Option<u8>,
        /// A primary with the rights of a territorial organisation.
        territorial_rights: bool,
        /// The day it was entered in the registry.
        registered_on: NaiveDate,
        /// The day it was established; `None`: an organisation the registry
        /// found in place, which takes backdated admissions, moves and
        /// passports (schema v3; older registrations read as `None`).
        established_on: Option<NaiveDate>,
    },
    /// The organisation took a new name.
    #[serde(rename = "OrganizationRenamed")]
    Renamed {
        /// The organisation.
        org_id: OrgId,
        /// New full name.
        name: String,
        /// New short name.
        short_name: Option<String>,
        /// The day of the renaming.
        renamed_on: NaiveDate,
    },
    /// The organisation moved under another parent, from `effective_on` on.
    #[serde(rename = "OrganizationMoved")]
    Moved {
        /// The organisation.
        org_id: OrgId,
        /// The parent until the day before `effective_on`.
        from_parent: OrgId,
        /// The parent from `effective_on`.
        to_parent: OrgId,
        /// The first day under the new parent.
        effective_on: NaiveDate,
    },
    /// The passport was replaced by a new version.
    #[serde(rename = "OrganizationPassportUpdated")]
    PassportUpdated {
        /// The organisation.
        org_id: OrgId,
        /// The whole passport as it is now.
        passport: Passport,
        /// The day it was entered.
        updated_on: NaiveDate,
        /// The day it takes effect, when the update is dated; undated, the
        /// first passport describes the organisation from its beginning and a
        /// later one applies from `updated_on` (`organization::PassportFrom`;
        /// schema v2, older updates read as undated).
        effective_on: Option<NaiveDate>,
    },
    /// The organisation ceased to exist, from `effective_on` on.
    #[serde(rename = "OrganizationDissolved")]
    Dissolved {
        /// The organisation.
        org_id: OrgId,
        /// The first day it no longer exists.
        effective_on: NaiveDate,
    },
}

/// Events of a person: membership, profile, cards, erasure (stream `person-<uuid>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PersonEvent {
    /// The person became a member (first admission or re-admission).
    #[serde(rename = "MemberAdmitted")]
    Admitted {
        /// The person.
        person_id: PersonId,
        /// The home organisation.
        home_org: OrgId,
        /// The date of the application: membership and tenure start on it.
        effective_on: NaiveDate,
        /// Non-identifying attributes.
        profile: Profile,
        /// Personal data, encrypted in the log; `None` once erased.
        personal: Option<PersonalData>,
        /// The online application this admission approved, if any.
        application_id: Option<ApplicationId>,
    },
    /// The member moved to another home; membership goes on.
    #[serde(rename = "MemberTransferred")]
    Transferred {
        /// The person.
        person_id: PersonId,
        /// The home until the day before `effective_on`.
        from_org: OrgId,
        /// The home from `effective_on`.
        to_org: OrgId,
        /// The first day at the new home.
        effective_on: NaiveDate,
    },
    /// Profile or personal data changed.
    #[serde(rename = "MemberProfileUpdated")]
    ProfileUpdated {
        /// The person.
        person_id: PersonId,
        /// Changes to the non-identifying profile.
        profile: ProfilePatch,
        /// Changes to personal data, encrypted in the log; `None` once erased.
        personal: Option<PersonalDataPatch>,
        /// The day of the change.
        updated_on: NaiveDate,
    },
    /// The membership ended, from `effective_on` on.
    #[serde(rename = "MembershipEnded")]
    MembershipEnded {
        /// The person.
        person_id: PersonId,
        /// The home at the end.
        home_org: OrgId,
        /// Why it ended.
        reason: EndReason,
        /// The basis of an expulsion (which body decided, when); optional otherwise.
        basis: Option<String>,
        /// The first day the person is no longer a member.
        effective_on: NaiveDate,
    },
    /// The person's personal data was crypto-shredded.
    #[serde(rename = "PersonalDataErased")]
    PersonalDataErased {
        /// The person.
        person_id: PersonId,
        /// The basis of the erasure as given (people write the person's SNILS
        /// or name into it), stored as personal data under the person's key,
        /// which the same append deletes: it dies with what it erases, so it is
        /// `None` whenever read back from the log. (Schema v1 kept it in clear.)
        #[serde(rename = "personal", default)]
        basis: Option<String>,
        /// The day of the erasure.
        erased_on: NaiveDate,
    },
    /// A card was issued to the member.
    #[serde(rename = "CardIssued")]
    CardIssued {
        /// The person.
        person_id: PersonId,
        /// The new card's number.
        number: CardNumber,
        /// Plastic or virtual.
        kind: CardKind,
        /// The day of issue.
        issued_on: NaiveDate,
    },
    /// A card of the member was blocked.
    #[serde(rename = "CardBlocked")]
    CardBlocked {
        /// The person.
        person_id: PersonId,
        /// The blocked card.
        number: CardNumber,
        /// Why.
        reason: CardBlockReason,
        /// The day it was blocked.
        blocked_on: NaiveDate,
    },
}

/// Events of a card number (stream `card-<13 digits>`). The stream exists to keep
/// numbers unique: it is appended to with "no stream yet" when a card is issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum CardEvent {
    /// The number was taken by a card of `person_id`; it is never reused.
    #[serde(rename = "CardNumberReserved")]
    NumberReserved {
        /// The number.
        number: CardNumber,
        /// The holder.
        person_id: PersonId,
        /// The day of issue.
        issued_on: NaiveDate,
    },
}

/// Events of an online application (stream `application-<uuid>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ApplicationEvent {
    /// Someone applied to join a primary organisation.
    #[serde(rename = "ApplicationSubmitted")]
    Submitted {
        /// The application.
        application_id: ApplicationId,
        /// The organisation applied to.
        org_id: OrgId,
        /// The day of submission: on approval, membership starts on it.
        submitted_on: NaiveDate,
        /// Non-identifying attributes.
        profile: Profile,
        /// Personal data, encrypted in the log; `None` once erased.
        personal: Option<PersonalData>,
    },
    /// The chair approved; the person was admitted.
    #[serde(rename = "ApplicationApproved")]
    Approved {
        /// The application.
        application_id: ApplicationId,
        /// The admitted person.
        person_id: PersonId,
        /// The day of the decision.
        decided_on: NaiveDate,
    },
    /// The chair rejected the application.
    #[serde(rename = "ApplicationRejected")]
    Rejected {
        /// The application.
        application_id: ApplicationId,
        /// Why.
        reason: String,
        /// The day of the decision.
        decided_on: NaiveDate,
    },
}

/// Events of an access holder (stream `user-<uuid>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AccessEvent {
    /// A role over a subtree was granted; only the token's hash is kept.
    #[serde(rename = "RoleGranted")]
    RoleGranted {
        /// The holder.
        user_id: UserId,
        /// The role.
        role: Role,
        /// The root of the subtree the role covers.
        org_id: OrgId,
        /// A label for the holder, e.g. a name or e-mail.
        holder: String,
        /// SHA-256 of the bearer token, hex.
        token_hash: String,
    },
    /// The role was revoked; the token no longer works.
    #[serde(rename = "RoleRevoked")]
    RoleRevoked {
        /// The holder.
        user_id: UserId,
    },
}

/// Events of a meeting (stream `meeting-<uuid>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum MeetingEvent {
    /// An organisation convened a meeting (conference, plenum, seminar).
    #[serde(rename = "MeetingConvened")]
    Convened {
        /// The meeting.
        meeting_id: MeetingId,
        /// The organisation holding it.
        org_id: OrgId,
        /// What it is.
        title: String,
        /// The day it is held.
        held_on: NaiveDate,
    },
    /// A member was present, recorded by their card.
    #[serde(rename = "AttendanceRecorded")]
    AttendanceRecorded {
        /// The meeting.
        meeting_id: MeetingId,
        /// The member present.
        person_id: PersonId,
        /// The card presented.
        number: CardNumber,
        /// The day it was recorded.
        recorded_on: NaiveDate,
    },
}

impl MeetingEvent {
    /// The meeting the event is about.
    pub fn meeting_id(&self) -> MeetingId {
        match self {
            MeetingEvent::Convened { meeting_id, .. }
            | MeetingEvent::AttendanceRecorded { meeting_id, .. } => *meeting_id,
        }
    }
}

impl From<MeetingEvent> for Event {
    fn from(e: MeetingEvent) -> Event {
        Event::Meeting(e)
    }
}

/// The schema version events of `event_type` are written with today; `None` for a
/// type the registry does not know. Older versions are read through upcasters.
///
/// History: `OrganizationRegistered` v1 (the first import of the paper registry)
/// had the region as text and no `territorial_rights`; v2 had no
/// `established_on` (every registration then was undated: v3 reads it as `None`).
/// `OrganizationPassportUpdated` v1 had no `effective_on` (undated).
/// `PersonalDataErased` v1 kept the erasure's basis in clear; v2 seals it with
/// the person's other personal data.
/// `ConsultationAsked` v1 had no clear `file`: an attachment was stored in
/// clear and named only in the sealed part (v2 reads it as `None`).
pub fn current_schema_version(event_type: &str) -> Option<u32> {
    match event_type {
        "OrganizationRegistered" => Some(3),
        "OrganizationPassportUpdated" | "PersonalDataErased" | "ConsultationAsked" => Some(2),
        "OrganizationRenamed"
        | "OrganizationMoved"
        | "OrganizationDissolved"
        | "MemberAdmitted"
        | "MemberTransferred"
        | "MemberProfileUpdated"
        | "MembershipEnded"
        | "CardIssued"
        | "CardBlocked"
        | "CardNumberReserved"
        | "ApplicationSubmitted"
        | "ApplicationApproved"
        | "ApplicationRejected"
        | "RoleGranted"
        | "RoleRevoked"
        | "PersonalDataRead"
        | "MeetingConvened"
        | "AttendanceRecorded" => Some(1),
        other if MailingEvent::TYPES.contains(&other) => Some(1),
        other if DocumentEvent::TYPES.contains(&other) => Some(1),
        other if ConsultationEvent::TYPES.contains(&other) => Some(1),
        _ => None,
    }
}

/// Whether events stored under `event_type` may name a file of the file store
/// ([`Event::file`]): a copy of the log decodes only those to find the files
/// it must take along. Beside [`Event::file`], so both change together.
pub fn names_file(event_type: &str) -> bool {
    matches!(
        event_type,
        "DocumentUploaded" | "DocumentRevised" | "ConsultationAsked"
    )
}

impl Event {
    /// The file of the file store (by its SHA-256) the event names, if any;
    /// its type is one [`names_file`] admits.
    pub fn file(&self) -> Option<&FileHash> {
        match self {
            Event::Library(e) => e.file(),
            Event::Consultation(e) => e.file(),
            _ => None,
        }
    }

    /// The stored type name, e.g. `MemberAdmitted`. Written out by hand: the log keeps it.
    pub fn event_type(&self) -> &'static str {
        match self {
            Event::Organization(e) => match e {
                OrganizationEvent::Registered { .. } => "OrganizationRegistered",
                OrganizationEvent::Renamed { .. } => "OrganizationRenamed",
                OrganizationEvent::Moved { .. } => "OrganizationMoved",
                OrganizationEvent::PassportUpdated { .. } => "OrganizationPassportUpdated",
                OrganizationEvent::Dissolved { .. } => "OrganizationDissolved",
            },
            Event::Person(e) => match e {
                PersonEvent::Admitted { .. } => "MemberAdmitted",
                PersonEvent::Transferred { .. } => "MemberTransferred",
                PersonEvent::ProfileUpdated { .. } => "MemberProfileUpdated",
                PersonEvent::MembershipEnded { .. } => "MembershipEnded",
                PersonEvent::PersonalDataErased { .. } => "PersonalDataErased",
                PersonEvent::CardIssued { .. } => "CardIssued",
                PersonEvent::CardBlocked { .. } => "CardBlocked",
            },
            Event::Application(e) => match e {
                ApplicationEvent::Submitted { .. } => "ApplicationSubmitted",
                ApplicationEvent::Approved { .. } => "ApplicationApproved",
                ApplicationEvent::Rejected { .. } => "ApplicationRejected",
            },
            Event::Card(CardEvent::NumberReserved { .. }) => "CardNumberReserved",
            Event::Access(e) => match e {
                AccessEvent::RoleGranted { .. } => "RoleGranted",
                AccessEvent::RoleRevoked { .. } => "RoleRevoked",
            },
            Event::Audit(AuditEvent::PersonalDataRead { .. }) => "PersonalDataRead",
            Event::Meeting(MeetingEvent::Convened { .. }) => "MeetingConvened",
            Event::Meeting(MeetingEvent::AttendanceRecorded { .. }) => "AttendanceRecorded",
            Event::Mailing(e) => e.event_type(),
            Event::Library(e) => e.event_type(),
            Event::Consultation(e) => e.event_type(),
        }
    }

    /// The schema version the event is written with.
    pub fn schema_version(&self) -> u32 {
        current_schema_version(self.event_type()).unwrap_or(1)
    }

    /// The stream the event belongs to, e.g. `person-<uuid>`.
    pub fn stream(&self) -> String {
        match self {
            Event::Organization(e) => e.org_id().stream(),
            Event::Person(e) => e.person_id().stream(),
            Event::Application(e) => e.application_id().stream(),
            Event::Card(CardEvent::NumberReserved { number, .. }) => card_stream(*number),
            Event::Access(AccessEvent::RoleGranted { user_id, .. })
            | Event::Access(AccessEvent::RoleRevoked { user_id }) => user_id.stream(),
            Event::Audit(_) => AUDIT_STREAM.to_string(),
            Event::Meeting(e) => e.meeting_id().stream(),
            Event::Mailing(e) => e.stream(),
            Event::Library(e) => e.document_id().stream(),
            Event::Consultation(e) => e.consultation_id().stream(),
        }
    }

    /// The business date the event takes effect on; `None` for events without one.
    pub fn effective_on(&self) -> Option<NaiveDate> {
        match self {
            Event::Organization(e) => Some(match e {
                OrganizationEvent::Registered {
                    registered_on,
                    established_on,
                    ..
                } => established_on.unwrap_or(*registered_on),
                OrganizationEvent::Renamed { renamed_on, .. } => *renamed_on,
                OrganizationEvent::Moved { effective_on, .. } => *effective_on,
                OrganizationEvent::PassportUpdated {
                    updated_on,
                    effective_on,
                    ..
                } => effective_on.unwrap_or(*updated_on),
                OrganizationEvent::Dissolved { effective_on, .. } => *effective_on,
            }),
            Event::Person(e) => Some(match e {
                PersonEvent::Admitted { effective_on, .. }
                | PersonEvent::Transferred { effective_on, .. }
                | PersonEvent::MembershipEnded { effective_on, .. } => *effective_on,
                PersonEvent::ProfileUpdated { updated_on, .. } => *updated_on,
                PersonEvent::PersonalDataErased { erased_on, .. } => *erased_on,
                PersonEvent::CardIssued { issued_on, .. } => *issued_on,
                PersonEvent::CardBlocked { blocked_on, .. } => *blocked_on,
            }),
            Event::Application(e) => Some(match e {
                ApplicationEvent::Submitted { submitted_on, .. } => *submitted_on,
                ApplicationEvent::Approved { decided_on, .. }
                | ApplicationEvent::Rejected { decided_on, .. } => *decided_on,
            }),
            Event::Card(CardEvent::NumberReserved { issued_on, .. }) => Some(*issued_on),
            Event::Meeting(MeetingEvent::Convened { held_on, .. }) => Some(*held_on),
            Event::Meeting(MeetingEvent::AttendanceRecorded { recorded_on, .. }) => {
                Some(*recorded_on)
            }
            Event::Access(_) | Event::Audit(_) => None,
            Event::Mailing(e) => e.effective_on(),
            Event::Library(e) => Some(e.effective_on()),
            Event::Consultation(e) => Some(e.effective_on()),
        }
    }

    /// The stream whose vault key encrypts this event's `personal` field, if it has one.
    /// An application's data is under the application's own key until it is approved.
    pub fn personal_subject(&self) -> Option<String> {
        match self {
            Event::Person(PersonEvent::Admitted { person_id, .. })
            | Event::Person(PersonEvent::ProfileUpdated { person_id, .. })
            | Event::Person(PersonEvent::PersonalDataErased { person_id, .. }) => {
                Some(person_id.stream())
            }
            Event::Application(ApplicationEvent::Submitted { application_id, .. }) => {
                Some(application_id.stream())
            }
            Event::Consultation(e) if e.has_personal() => Some(e.consultation_id().stream()),
            _ => None,
        }
    }
}

/// The stream that reserves a card number.
pub fn card_stream(number: CardNumber) -> String {
    format!("card-{number}")
}

impl OrganizationEvent {
    /// The organisation the event is about.
    pub fn org_id(&self) -> OrgId {
        match self {
            OrganizationEvent::Registered { org_id, .. }
            | OrganizationEvent::Renamed { org_id, .. }
            | OrganizationEvent::Moved { org_id, .. }
            | OrganizationEvent::PassportUpdated { org_id, .. }
            | OrganizationEvent::Dissolved { org_id, .. } => *org_id,
        }
    }
}

impl PersonEvent {
    /// The person the event is about.
    pub fn person_id(&self) -> PersonId {
        match self {
            PersonEvent::Admitted { person_id, .. }
            | PersonEvent::Transferred { person_id, .. }
            | PersonEvent::ProfileUpdated { person_id, .. }
            | PersonEvent::MembershipEnded { person_id, .. }
            | PersonEvent::PersonalDataErased { person_id, .. }
            | PersonEvent::CardIssued { person_id, .. }
            | PersonEvent::CardBlocked { person_id, .. } => *person_id,
        }
    }
}

impl ApplicationEvent {
    /// The application the event is about.
    pub fn application_id(&self) -> ApplicationId {
        match self {
            ApplicationEvent::Submitted { application_id, .. }
            | ApplicationEvent::Approved { application_id, .. }
            | ApplicationEvent::Rejected { application_id, .. } => *application_id,
        }
    }
}

impl From<OrganizationEvent> for Event {
    fn from(e: OrganizationEvent) -> Event {
        Event::Organization(e)
    }
}
impl From<PersonEvent> for Event {
    fn from(e: PersonEvent) -> Event {
        Event::Person(e)
    }
}
impl From<ApplicationEvent> for Event {
    fn from(e: ApplicationEvent) -> Event {
        Event::Application(e)
    }
}
impl From<CardEvent> for Event {
    fn from(e: CardEvent) -> Event {
        Event::Card(e)
    }
}
impl From<AuditEvent> for Event {
    fn from(e: AuditEvent) -> Event {
        Event::Audit(e)
    }
}
impl From<MailingEvent> for Event {
    fn from(e: MailingEvent) -> Event {
        Event::Mailing(e)
    }
}
impl From<DocumentEvent> for Event {
    fn from(e: DocumentEvent) -> Event {
        Event::Library(e)
    }
}
impl From<ConsultationEvent> for Event {
    fn from(e: ConsultationEvent) -> Event {
        Event::Consultation(e)
    }
}
impl From<AccessEvent> for Event {
    fn from(e: AccessEvent) -> Event {
        Event::Access(e)
    }
}
