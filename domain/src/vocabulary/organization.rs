//! The organisation tree's vocabulary: levels, sectors, passports.

use serde::{Deserialize, Serialize};

/// The level of an organisation in the union's tree (DESIGN.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrgLevel {
    /// The union itself: the Central Council. Exactly one.
    Central,
    /// A regional or interregional organisation.
    Regional,
    /// A territorial (local) organisation.
    Territorial,
    /// A primary organisation (ППО): a school, a kindergarten, a university…
    Primary,
    /// The organisation of a structural subdivision of a primary.
    Subdivision,
    /// A union group (профгруппа).
    Group,
}

impl OrgLevel {
    /// All levels, from the root down.
    pub const ALL: [OrgLevel; 6] = [
        OrgLevel::Central,
        OrgLevel::Regional,
        OrgLevel::Territorial,
        OrgLevel::Primary,
        OrgLevel::Subdivision,
        OrgLevel::Group,
    ];

    /// Whether a member's home may be an organisation of this level.
    pub fn is_home_level(self) -> bool {
        matches!(
            self,
            OrgLevel::Primary | OrgLevel::Subdivision | OrgLevel::Group
        )
    }

    /// Whether an organisation of this level may sit directly under `parent`.
    /// `territorial_rights` is the child's flag: a primary with the rights of a
    /// territorial organisation sits under its regional organisation.
    pub fn may_sit_under(self, parent: OrgLevel, territorial_rights: bool) -> bool {
        match self {
            OrgLevel::Central => false,
            OrgLevel::Regional => parent == OrgLevel::Central,
            OrgLevel::Territorial => parent == OrgLevel::Regional,
            OrgLevel::Primary if territorial_rights => parent == OrgLevel::Regional,
            OrgLevel::Primary => parent == OrgLevel::Territorial,
            OrgLevel::Subdivision => parent == OrgLevel::Primary,
            OrgLevel::Group => matches!(parent, OrgLevel::Primary | OrgLevel::Subdivision),
        }
    }
}

/// The type of educational organisation a primary organisation serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Sector {
    /// Kindergartens.
    Preschool,
    /// Schools.
    School,
    /// Colleges (vocational education).
    College,
    /// Universities.
    University,
    /// Supplementary education.
    Supplementary,
    /// Education authorities.
    Governance,
    /// Anything else.
    Other,
}

impl Sector {
    /// All sectors, in the contract's order.
    pub const ALL: [Sector; 7] = [
        Sector::Preschool,
        Sector::School,
        Sector::College,
        Sector::University,
        Sector::Supplementary,
        Sector::Governance,
        Sector::Other,
    ];
}

/// The passport of a primary organisation: what it is and how large.
/// Every field is optional: a passport is filled in over time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passport {
    /// Type of educational organisation.
    pub sector: Option<Sector>,
    /// Number of employees, for worker coverage.
    pub employees: Option<u32>,
    /// Number of students, for student coverage.
    pub students: Option<u32>,
    /// The chair's name, as the organisation publishes it.
    pub chair_name: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
}
