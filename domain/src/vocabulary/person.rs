//! A person's vocabulary: personal data, profile, categories, end reasons.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::snils::Snils;

/// Gender, as the union's statistics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// A member's category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MemberCategory {
    /// Employed in education.
    Worker,
    /// A student.
    Student,
    /// A non-working pensioner.
    Pensioner,
    /// Unemployed.
    Unemployed,
}

/// A worker's profession.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Profession {
    /// School teacher.
    Teacher,
    /// Kindergarten educator.
    PreschoolEducator,
    /// University or college lecturer.
    Lecturer,
    /// Head of an educational organisation.
    Head,
    /// Other pedagogical staff.
    OtherPedagogical,
    /// Support staff.
    SupportStaff,
    /// Anything else.
    Other,
}

/// Why a membership ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EndReason {
    /// Voluntary exit: effective on the date of the exit application; cannot be refused.
    VoluntaryExit,
    /// Expulsion: needs its basis (which body decided, when).
    Expulsion,
    /// The person left education.
    LeftEducation,
    /// Death.
    Death,
}

/// Personal data: what identifies a person. Stored encrypted with the person's
/// own key (crypto-shredding); gone for good after erasure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic, when the person has one.
    pub patronymic: Option<String>,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// SNILS, when given.
    pub snils: Option<Snils>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

impl PersonalData {
    /// «Фамилия Имя Отчество», as documents and lists name a person.
    pub fn full_name(&self) -> String {
        [
            Some(self.last_name.as_str()),
            Some(self.first_name.as_str()),
            self.patronymic.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// Changes to personal data; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDataPatch {
    /// New surname.
    pub last_name: Option<String>,
    /// New given name.
    pub first_name: Option<String>,
    /// New patronymic.
    pub patronymic: Option<String>,
    /// New SNILS.
    pub snils: Option<Snils>,
    /// New e-mail.
    pub email: Option<String>,
    /// New phone.
    pub phone: Option<String>,
}

impl PersonalDataPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &PersonalDataPatch::default()
    }

    /// Applies the patch to `data`.
    pub fn apply_to(&self, data: &mut PersonalData) {
        if let Some(v) = &self.last_name {
            data.last_name = v.clone();
        }
        if let Some(v) = &self.first_name {
            data.first_name = v.clone();
        }
        if let Some(v) = &self.patronymic {
            data.patronymic = Some(v.clone());
        }
        if let Some(v) = &self.snils {
            data.snils = Some(*v);
        }
        if let Some(v) = &self.email {
            data.email = Some(v.clone());
        }
        if let Some(v) = &self.phone {
            data.phone = Some(v.clone());
        }
    }
}

/// What stays of a person after erasure: attributes that identify nobody.
/// Statistics are built from these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Gender.
    pub gender: Gender,
    /// Birth year (the birth date itself is personal data).
    pub birth_year: i32,
    /// Category.
    pub category: MemberCategory,
    /// Profession, for workers.
    pub profession: Option<Profession>,
    /// Position held, in the person's own words.
    pub position: Option<String>,
}

impl Profile {
    /// The profile that goes with `personal`: its birth year is the birth date's.
    pub fn new(
        personal: &PersonalData,
        gender: Gender,
        category: MemberCategory,
        profession: Option<Profession>,
        position: Option<String>,
    ) -> Profile {
        Profile {
            gender,
            birth_year: personal.birth_date.year(),
            category,
            profession,
            position,
        }
    }
}

/// Changes to the non-identifying profile; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilePatch {
    /// New category.
    pub category: Option<MemberCategory>,
    /// New profession.
    pub profession: Option<Profession>,
    /// New position.
    pub position: Option<String>,
}

impl ProfilePatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &ProfilePatch::default()
    }

    /// Applies the patch to `profile`.
    pub fn apply_to(&self, profile: &mut Profile) {
        if let Some(v) = self.category {
            profile.category = v;
        }
        if let Some(v) = self.profession {
            profile.profession = Some(v);
        }
        if let Some(v) = &self.position {
            profile.position = Some(v.clone());
        }
    }
}
