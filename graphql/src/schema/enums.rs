//! The contract's enums, each the GraphQL face of a domain word.
//!
//! `remote` derives the conversions both ways, so a variant added to the domain
//! and not here fails to compile rather than to answer.

use async_graphql::Enum;

/// Level in the organisation tree.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::organization::OrgLevel")]
pub enum OrgLevel {
    Central,
    Regional,
    Territorial,
    Primary,
    Subdivision,
    Group,
}

/// Type of educational organisation.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::organization::Sector")]
pub enum Sector {
    Preschool,
    School,
    College,
    University,
    Supplementary,
    Governance,
    Other,
}

/// Gender.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::person::Gender")]
pub enum Gender {
    Female,
    Male,
}

/// Member category.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::person::MemberCategory")]
pub enum MemberCategory {
    Worker,
    Student,
    Pensioner,
    Unemployed,
}

/// Profession of a worker.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::person::Profession")]
pub enum Profession {
    Teacher,
    PreschoolEducator,
    Lecturer,
    Head,
    OtherPedagogical,
    SupportStaff,
    Other,
}

/// Why a membership ended.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::person::EndReason")]
pub enum EndReason {
    VoluntaryExit,
    Expulsion,
    LeftEducation,
    Death,
}

/// Whether a membership goes on.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "app::views::MemberStatus")]
pub enum MembershipStatus {
    Active,
    Ended,
}

/// Where an application stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "app::views::ApplicationStatusKind")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

/// Plastic or virtual card.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::card::CardKind")]
pub enum CardKind {
    Plastic,
    Virtual,
}

/// Whether a card may be used.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "app::views::CardStatus")]
pub enum CardStatus {
    Active,
    Blocked,
}

/// What checking a card number answers.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "app::views::CardCheckResult")]
pub enum CardCheckResult {
    Valid,
    Blocked,
    Unknown,
}

/// An access role, bound to a subtree.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::vocabulary::access::Role")]
pub enum Role {
    Admin,
    Chair,
    Auditor,
    Analyst,
}

/// Age band on the report date (bucket keys of `byAgeBand`).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum AgeBand {
    #[graphql(name = "AGE_UP_TO_35")]
    AgeUpTo35,
    #[graphql(name = "AGE_36_TO_45")]
    Age36To45,
    #[graphql(name = "AGE_46_TO_55")]
    Age46To55,
    #[graphql(name = "AGE_56_TO_65")]
    Age56To65,
    #[graphql(name = "AGE_66_PLUS")]
    Age66Plus,
}

/// Tenure band on the report date (bucket keys of `byTenureBand`).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum TenureBand {
    #[graphql(name = "TENURE_UNDER_1")]
    TenureUnder1,
    #[graphql(name = "TENURE_1_TO_5")]
    Tenure1To5,
    #[graphql(name = "TENURE_5_TO_10")]
    Tenure5To10,
    #[graphql(name = "TENURE_10_TO_20")]
    Tenure10To20,
    #[graphql(name = "TENURE_20_PLUS")]
    Tenure20Plus,
}
