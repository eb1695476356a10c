//! A mailing's segment: a subtree and filters, and the one rule of who is in it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::OrgId;
use crate::vocabulary::organization::Sector;
use crate::vocabulary::person::{MemberCategory, Profession};

/// Whom a segment addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Audience {
    /// Active members whose home is in the subtree.
    #[default]
    Members,
    /// The union's activists there: holders of roles over organisations in
    /// the subtree and the chairs named in its organisations' passports.
    Activists,
}

/// Who a mailing goes to: the subtree of `org_id`, narrowed by filters (an
/// empty list filters nothing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// The root of the subtree.
    pub org_id: OrgId,
    /// Members or activists.
    #[serde(default)]
    pub audience: Audience,
    /// Members of these categories.
    #[serde(default)]
    pub categories: Vec<MemberCategory>,
    /// Members of these professions.
    #[serde(default)]
    pub professions: Vec<Profession>,
    /// Members (or chairs) whose home organisation has one of these sectors.
    #[serde(default)]
    pub sectors: Vec<Sector>,
    /// The youngest age, in years this calendar year.
    #[serde(default)]
    pub min_age: Option<u8>,
    /// The oldest age, in years this calendar year.
    #[serde(default)]
    pub max_age: Option<u8>,
}

/// What a segment asks of a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    /// The member's category.
    pub category: MemberCategory,
    /// Their profession.
    pub profession: Option<Profession>,
    /// Their birth year.
    pub birth_year: i32,
    /// Their home organisation's sector, from its passport.
    pub sector: Option<Sector>,
}

impl Segment {
    /// Every active member of `org_id`'s subtree.
    pub fn members(org_id: OrgId) -> Segment {
        Segment {
            org_id,
            audience: Audience::Members,
            categories: vec![],
            professions: vec![],
            sectors: vec![],
            min_age: None,
            max_age: None,
        }
    }

    /// Refuses filters that make no sense.
    ///
    /// # Errors
    /// What is wrong, in words.
    pub fn check(&self) -> Result<(), &'static str> {
        if let (Some(min), Some(max)) = (self.min_age, self.max_age)
            && min > max
        {
            return Err("the youngest age is above the oldest");
        }
        let member_filters = !self.categories.is_empty()
            || !self.professions.is_empty()
            || self.min_age.is_some()
            || self.max_age.is_some();
        if self.audience == Audience::Activists && member_filters {
            return Err("activists are chosen by subtree and sector only");
        }
        Ok(())
    }

    /// Whether a member with `facts` is in the segment on `today` (the
    /// subtree is the caller's: this is the filters).
    pub fn admits(&self, facts: &MemberFacts, today: NaiveDate) -> bool {
        let age = today.year() - facts.birth_year;
        self.audience == Audience::Members
            && (self.categories.is_empty() || self.categories.contains(&facts.category))
            && (self.professions.is_empty()
                || facts
                    .profession
                    .is_some_and(|p| self.professions.contains(&p)))
            && self.admits_sector(facts.sector)
            && self.min_age.is_none_or(|min| age >= i32::from(min))
            && self.max_age.is_none_or(|max| age <= i32::from(max))
    }

    /// Whether an organisation of `sector` passes the sector filter.
    pub fn admits_sector(&self, sector: Option<Sector>) -> bool {
        self.sectors.is_empty() || sector.is_some_and(|s| self.sectors.contains(&s))
    }
}
