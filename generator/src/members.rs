//! Who the members are: gender, age, category and profession per sector, and
//! their personal data (names, SNILS, contacts).

use chrono::{Datelike, NaiveDate};
use domain::snils::Snils;
use domain::vocabulary::organization::Sector;
use domain::vocabulary::person::{Gender, MemberCategory, PersonalData, Profession, Profile};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::names::{full_name, latin};
use crate::random::{Weighted, chance, normal, plus_years};

/// What a person is, fixed when the person is planned (12 bytes, kept for everyone).
#[derive(Clone, Copy, Debug)]
pub struct Traits {
    /// Gender.
    pub gender: Gender,
    /// Category.
    pub category: MemberCategory,
    /// Profession (workers only).
    pub profession: Option<Profession>,
    /// Birth date.
    pub birth: NaiveDate,
    /// Whether the person gave a SNILS.
    pub has_snils: bool,
}

/// Share of members who give a SNILS.
const SNILS_SHARE: f64 = 0.93;

/// Draws the traits of someone joining a home of `sector` on `admitted`.
pub fn traits(rng: &mut impl Rng, sector: Sector, admitted: NaiveDate, today: NaiveDate) -> Traits {
    let higher = matches!(sector, Sector::College | Sector::University);
    let x = rng.random::<f64>();
    let category = match (higher, x) {
        (true, x) if x < 0.695 => MemberCategory::Student,
        (_, x) if x > 0.9705 => MemberCategory::Pensioner,
        (_, x) if x > 0.9685 => MemberCategory::Unemployed,
        _ => MemberCategory::Worker,
    };
    let female_share = match (category, sector) {
        (MemberCategory::Student, _) => 0.6,
        (_, Sector::Preschool) => 0.96,
        (_, Sector::School) => 0.84,
        (_, Sector::College) => 0.7,
        (_, Sector::University) => 0.6,
        _ => 0.78,
    };
    let gender = if chance(rng, female_share) {
        Gender::Female
    } else {
        Gender::Male
    };
    let (age_at, on) = match category {
        MemberCategory::Student => (rng.random_range(17.0..19.5), admitted),
        MemberCategory::Worker => ((44.0 + 12.0 * normal(rng)).clamp(21.0, 70.0), today),
        MemberCategory::Pensioner => (rng.random_range(60.0..86.0), today),
        MemberCategory::Unemployed => (rng.random_range(25.0..60.0), today),
    };
    let mut birth = plus_years(on, -age_at);
    let min_age = if category == MemberCategory::Student {
        16.0
    } else {
        19.0
    };
    if plus_years(birth, min_age) > admitted {
        birth = plus_years(admitted, -(min_age + rng.random_range(0.0..3.0)));
    }
    let profession = (category == MemberCategory::Worker).then(|| profession(rng, sector));
    Traits {
        gender,
        category,
        profession,
        birth,
        has_snils: chance(rng, SNILS_SHARE),
    }
}

fn profession(rng: &mut impl Rng, sector: Sector) -> Profession {
    use Profession::{
        Head, Lecturer, Other, OtherPedagogical, PreschoolEducator, SupportStaff, Teacher,
    };
    let (main, share) = match sector {
        Sector::Preschool => (PreschoolEducator, 0.6),
        Sector::School => (Teacher, 0.65),
        Sector::College | Sector::University => (Lecturer, 0.55),
        Sector::Supplementary => (OtherPedagogical, 0.6),
        Sector::Governance | Sector::Other => (Other, 0.55),
    };
    if chance(rng, share) {
        return main;
    }
    let rest = Weighted::new([0.12, 0.25, 0.55, 0.08]);
    [Head, OtherPedagogical, SupportStaff, Other][rest.pick(rng).unwrap_or(2)]
}

/// The profile the charter keeps for a person of `traits`.
pub fn profile(traits: &Traits) -> Profile {
    let position = traits.profession.map(|p| position(p).to_string());
    Profile {
        gender: traits.gender,
        birth_year: traits.birth.year(),
        category: traits.category,
        profession: traits.profession,
        position,
    }
}

fn position(profession: Profession) -> &'static str {
    match profession {
        Profession::Teacher => "учитель",
        Profession::PreschoolEducator => "воспитатель",
        Profession::Lecturer => "доцент",
        Profession::Head => "руководитель",
        Profession::OtherPedagogical => "педагог",
        Profession::SupportStaff => "специалист",
        Profession::Other => "сотрудник",
    }
}

/// The SNILS of person `n`: a bijection of the person's number onto the
/// checksummed range, so no two people share one.
pub fn snils_of(n: u64) -> Option<Snils> {
    const FIRST: u64 = 1_002_000;
    const RANGE: u64 = 998_000_000;
    // 3^18 shares no factor with RANGE (2^7 · 5^6 · 499): a permutation.
    const STEP: u64 = 387_420_489;
    Snils::from_number(FIRST + (n % RANGE) * STEP % RANGE)
}

/// The personal data of person `n` (the same every time it is asked for).
pub fn personal(seed: u64, n: u64, traits: &Traits) -> PersonalData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let name = full_name(&mut rng, traits.gender);
    let email = chance(&mut rng, 0.6).then(|| {
        format!(
            "{}.{}{}@mail.ru",
            latin(name.first),
            latin(&name.last),
            rng.random_range(1..1000)
        )
    });
    let phone = chance(&mut rng, 0.8).then(|| phone(&mut rng));
    PersonalData {
        last_name: name.last,
        first_name: name.first.to_string(),
        patronymic: Some(name.patronymic.to_string()),
        birth_date: traits.birth,
        snils: if traits.has_snils { snils_of(n) } else { None },
        email,
        phone,
    }
}

/// A Russian mobile number.
pub fn phone(rng: &mut impl Rng) -> String {
    format!(
        "+7 9{:02} {:03}-{:02}-{:02}",
        rng.random_range(0..100),
        rng.random_range(0..1000),
        rng.random_range(0..100),
        rng.random_range(0..100)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..100_000 {
            let snils = snils_of(n).unwrap();
            assert_eq!(Snils::parse(&snils.digits()), Ok(snils));
            assert!(seen.insert(snils));
        }
    }

    #[test]
    fn students_are_17_to_24_and_only_in_colleges_and_universities() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let day = NaiveDate::from_ymd_opt(2020, 9, 1).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for _ in 0..5_000 {
            let school = traits(&mut rng, Sector::School, day, today);
            assert_ne!(school.category, MemberCategory::Student);
            let college = traits(&mut rng, Sector::College, day, today);
            if college.category == MemberCategory::Student {
                let age = domain::calendar::age_on(college.birth, day);
                assert!((17..=24).contains(&age), "{age}");
            }
        }
    }
}
