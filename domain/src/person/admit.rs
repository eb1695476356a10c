//! AdmitMember: a new person joins, or a former member is admitted again.

use chrono::{Datelike, NaiveDate};

use crate::calendar::{MIN_ADMISSION_AGE, age_on};
use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::PersonEvent;
use crate::ids::{ApplicationId, OrgId, PersonId};
use crate::person::{HomeFacts, MembershipStatus, Person, PersonCommand};
use crate::rules::{RuleViolation, not_after_today};
use crate::vocabulary::person::{PersonalData, PersonalDataPatch, Profile, ProfilePatch};

/// Admit `person_id` to `home_org` from `effective_on` (the application's date).
///
/// For a re-admission the caller finds the earlier person (by SNILS) and decides
/// on that person's state; for a newcomer the state is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmitMember {
    /// The person: new, or the former member found by SNILS.
    pub person_id: PersonId,
    /// The home organisation.
    pub home_org: OrgId,
    /// What the registry knows about `home_org`.
    pub home: HomeFacts,
    /// The date of the application: membership and tenure start on it.
    pub effective_on: NaiveDate,
    /// Non-identifying attributes; the birth year must be the birth date's.
    pub profile: Profile,
    /// Personal data.
    pub personal: PersonalData,
    /// Who already has `personal.snils` in the registry, if anyone.
    pub snils_holder: Option<PersonId>,
    /// The online application this admission approves, if any.
    pub application_id: Option<ApplicationId>,
}

impl From<AdmitMember> for PersonCommand {
    fn from(command: AdmitMember) -> PersonCommand {
        PersonCommand::Admit(command)
    }
}

/// Decides an admission.
///
/// What the command itself gets wrong (names, home, age, date) is refused
/// before anything about the SNILS's holder, so a malformed admission is
/// answered alike whoever holds the SNILS.
///
/// A re-admission by SNILS must name the same person: birth date, given name,
/// patronymic and gender agree with the earlier record (spelling aside:
/// case, spaces and ё/е), or [`RuleViolation::IdentityMismatch`]. The identity
/// is never overwritten by an admission: the event carries the earlier names,
/// birth date and SNILS with the contacts given now, and a changed surname (a
/// marriage) follows as a `MemberProfileUpdated` of its own, so the history
/// says so.
///
/// # Errors
/// [`InvalidInput::EmptyName`] or [`InvalidInput::BirthYearMismatch`] for malformed
/// data; the home's rule 2 refusals and [`RuleViolation::BeforeEstablishment`]
/// before the home was established; [`RuleViolation::TooYoung`] under 14 on
/// `effective_on`; [`RuleViolation::FutureDate`];
/// [`RuleViolation::ActiveElsewhere`] when the person is an active member;
/// [`RuleViolation::AlreadyErased`] when re-admitting an erased person (their
/// identity is gone: admit them as a new person);
/// [`RuleViolation::BeforeCurrentSpell`] for a re-admission dated before the
/// last end; [`RuleViolation::IdentityMismatch`]; [`RuleViolation::SnilsTaken`].
pub(crate) fn decide(
    person: &Person,
    command: &AdmitMember,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let personal = &command.personal;
    non_blank(&personal.last_name, InvalidInput::EmptyName)?;
    non_blank(&personal.first_name, InvalidInput::EmptyName)?;
    if command.profile.birth_year != personal.birth_date.year() {
        return Err(InvalidInput::BirthYearMismatch.into());
    }
    command.home.check_on(command.effective_on)?;
    let age = age_on(personal.birth_date, command.effective_on);
    if age < MIN_ADMISSION_AGE {
        return Err(RuleViolation::TooYoung { age }.into());
    }
    not_after_today(command.effective_on, today)?;
    let mut recorded = personal.clone();
    let mut renamed = None;
    match person.status {
        MembershipStatus::Active => {
            let home_org = person.home.unwrap_or(command.home_org);
            return Err(RuleViolation::ActiveElsewhere { home_org }.into());
        }
        MembershipStatus::Ended {
            effective_on: last_end,
            ..
        } => {
            if person.erased {
                return Err(RuleViolation::AlreadyErased.into());
            }
            if let Some(earlier) = &person.personal {
                let gender_agrees = person
                    .profile
                    .as_ref()
                    .is_none_or(|p| p.gender == command.profile.gender);
                if !same_identity(earlier, personal) || !gender_agrees {
                    return Err(RuleViolation::IdentityMismatch.into());
                }
                if !same_name(&earlier.last_name, &personal.last_name) {
                    renamed = Some(personal.last_name.trim().to_string());
                }
                recorded = PersonalData {
                    email: personal.email.clone(),
                    phone: personal.phone.clone(),
                    ..earlier.clone()
                };
            }
            if command.effective_on < last_end {
                return Err(RuleViolation::BeforeCurrentSpell {
                    effective_on: command.effective_on,
                    spell_start: last_end,
                }
                .into());
            }
        }
        MembershipStatus::NeverAdmitted => {}
    }
    if let (Some(_), Some(holder)) = (personal.snils, command.snils_holder)
        && holder != command.person_id
    {
        return Err(RuleViolation::SnilsTaken { holder }.into());
    }
    let mut events = vec![PersonEvent::Admitted {
        person_id: command.person_id,
        home_org: command.home_org,
        effective_on: command.effective_on,
        profile: command.profile.clone(),
        personal: Some(recorded),
        application_id: command.application_id,
    }];
    if let Some(last_name) = renamed {
        events.push(PersonEvent::ProfileUpdated {
            person_id: command.person_id,
            profile: ProfilePatch::default(),
            personal: Some(PersonalDataPatch {
                last_name: Some(last_name),
                ..PersonalDataPatch::default()
            }),
            updated_on: today,
        });
    }
    Ok(events)
}

/// Whether `given` names the person `earlier` recorded: the same birth date,
/// given name and patronymic (the surname may change; the SNILS led here).
fn same_identity(earlier: &PersonalData, given: &PersonalData) -> bool {
    let same_patronymic = match (&earlier.patronymic, &given.patronymic) {
        (Some(a), Some(b)) => same_name(a, b),
        (None, None) => true,
        _ => false,
    };
    earlier.birth_date == given.birth_date
        && same_name(&earlier.first_name, &given.first_name)
        && same_patronymic
}

/// Two spellings of one name: case, surrounding spaces and ё/е aside.
fn same_name(a: &str, b: &str) -> bool {
    let fold = |name: &str| -> String {
        name.trim()
            .chars()
            .flat_map(char::to_lowercase)
            .map(|c| if c == 'ё' { 'е' } else { c })
            .collect()
    };
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use crate::error::InvalidInput;
    use crate::event::PersonEvent;
    use crate::person::fixtures::*;
    use crate::person::{AdmitMember, HomeFacts};
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::OrgLevel;

    fn admit_born(birth: chrono::NaiveDate, on: chrono::NaiveDate) -> AdmitMember {
        let personal = personal_born(birth);
        AdmitMember {
            profile: profile_of(&personal),
            personal,
            ..admit(ANNA, SCHOOL, on)
        }
    }

    #[test]
    fn a_newcomer_is_admitted_from_the_date_of_the_application() {
        given([])
            .when(admit(ANNA, SCHOOL, d(2020, 9, 1)))
            .then([admitted(ANNA, SCHOOL, d(2020, 9, 1))]);
    }

    #[test]
    fn an_active_member_cannot_be_admitted_again() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(admit(ANNA, KINDERGARTEN, d(2021, 1, 1)))
            .then_err(RuleViolation::ActiveElsewhere { home_org: SCHOOL });
    }

    #[test]
    fn a_former_member_is_admitted_again_from_the_day_the_last_spell_ended() {
        let anna = given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(admit(ANNA, KINDERGARTEN, d(2022, 1, 1)))
        .then([admitted(ANNA, KINDERGARTEN, d(2022, 1, 1))]);
        assert_eq!(anna.spells.len(), 2);
    }

    #[test]
    fn a_re_admission_before_the_last_end_is_refused() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(admit(ANNA, SCHOOL, d(2021, 12, 31)))
        .then_err(RuleViolation::BeforeCurrentSpell {
            effective_on: d(2021, 12, 31),
            spell_start: d(2022, 1, 1),
        });
    }

    #[test]
    fn an_erased_former_member_cannot_be_re_admitted() {
        let erased = PersonEvent::PersonalDataErased {
            person_id: ANNA,
            basis: Some("152-ФЗ".into()),
            erased_on: d(2023, 1, 1),
        };
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
            erased,
        ])
        .when(admit(ANNA, SCHOOL, d(2024, 1, 1)))
        .then_err(RuleViolation::AlreadyErased);
    }

    #[test]
    fn a_home_must_exist_be_open_and_of_a_home_level() {
        let cases = [
            (HomeFacts::not_found(), RuleViolation::HomeNotFound),
            (
                HomeFacts::dissolved(OrgLevel::Primary),
                RuleViolation::HomeDissolved,
            ),
            (
                HomeFacts::open(OrgLevel::Territorial),
                RuleViolation::NotAHomeLevel {
                    level: OrgLevel::Territorial,
                },
            ),
        ];
        for (home, violation) in cases {
            given([])
                .when(AdmitMember {
                    home,
                    ..admit(ANNA, SCHOOL, d(2020, 9, 1))
                })
                .then_err(violation);
        }
        for level in [OrgLevel::Subdivision, OrgLevel::Group] {
            given([])
                .when(AdmitMember {
                    home: HomeFacts::open(level),
                    ..admit(ANNA, SCHOOL, d(2020, 9, 1))
                })
                .then([admitted(ANNA, SCHOOL, d(2020, 9, 1))]);
        }
    }

    #[test]
    fn an_admission_is_not_dated_before_the_home_was_established() {
        let established = HomeFacts::open(OrgLevel::Primary).established(Some(d(2015, 9, 1)));
        given([])
            .when(AdmitMember {
                home: established,
                ..admit(ANNA, SCHOOL, d(2015, 8, 31))
            })
            .then_err(RuleViolation::BeforeEstablishment {
                date: d(2015, 8, 31),
                established_on: d(2015, 9, 1),
            });
        given([])
            .when(AdmitMember {
                home: established,
                ..admit(ANNA, SCHOOL, d(2015, 9, 1))
            })
            .then([admitted(ANNA, SCHOOL, d(2015, 9, 1))]);
        // Found in place (no date): ten years back is fine.
        given([])
            .when(admit(ANNA, SCHOOL, d(2014, 1, 9)))
            .then([admitted(ANNA, SCHOOL, d(2014, 1, 9))]);
    }

    #[test]
    fn a_person_is_admitted_on_the_fourteenth_birthday_but_not_the_day_before() {
        given([])
            .when(admit_born(d(2010, 3, 1), d(2024, 2, 29)))
            .then_err(RuleViolation::TooYoung { age: 13 });
        let command = admit_born(d(2010, 3, 1), d(2024, 3, 1));
        let expected = PersonEvent::Admitted {
            person_id: ANNA,
            home_org: SCHOOL,
            effective_on: d(2024, 3, 1),
            profile: command.profile.clone(),
            personal: Some(command.personal.clone()),
            application_id: None,
        };
        given([]).when(command).then([expected]);
    }

    #[test]
    fn an_admission_dated_after_today_is_refused() {
        let tomorrow = today().succ_opt().unwrap();
        given([])
            .when(admit(ANNA, SCHOOL, tomorrow))
            .then_err(RuleViolation::FutureDate {
                date: tomorrow,
                today: today(),
            });
    }

    #[test]
    fn a_snils_held_by_another_person_is_refused_and_one_held_by_the_same_person_is_not() {
        given([])
            .when(AdmitMember {
                snils_holder: Some(BORIS),
                ..admit(ANNA, SCHOOL, d(2020, 9, 1))
            })
            .then_err(RuleViolation::SnilsTaken { holder: BORIS });
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(AdmitMember {
            snils_holder: Some(ANNA),
            ..admit(ANNA, SCHOOL, d(2023, 9, 1))
        })
        .then([admitted(ANNA, SCHOOL, d(2023, 9, 1))]);
    }

    #[test]
    fn a_re_admission_with_another_birth_date_name_or_gender_is_refused() {
        let history = [
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ];
        let mut born_later = admit_born(d(1995, 1, 1), d(2023, 1, 1));
        born_later.profile = profile_of(&born_later.personal);
        let mut renamed = admit(ANNA, SCHOOL, d(2023, 1, 1));
        renamed.personal.first_name = "Ольга".into();
        let mut other_gender = admit(ANNA, SCHOOL, d(2023, 1, 1));
        other_gender.profile.gender = crate::vocabulary::person::Gender::Male;
        for command in [born_later, renamed, other_gender] {
            given(history.clone())
                .when(command)
                .then_err(RuleViolation::IdentityMismatch);
        }
    }

    #[test]
    fn a_re_admission_keeps_the_identity_and_records_a_new_surname_as_a_change() {
        let history = [
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ];
        let mut married = admit(ANNA, KINDERGARTEN, d(2023, 1, 1));
        married.personal.last_name = "Петрова".into();
        married.personal.first_name = " АННА ".into();
        married.personal.email = Some("anna@example.org".into());
        let mut kept = personal();
        kept.email = Some("anna@example.org".into());
        let anna = given(history).when(married.clone()).then([
            PersonEvent::Admitted {
                person_id: ANNA,
                home_org: KINDERGARTEN,
                effective_on: d(2023, 1, 1),
                profile: married.profile.clone(),
                personal: Some(kept),
                application_id: None,
            },
            PersonEvent::ProfileUpdated {
                person_id: ANNA,
                profile: crate::vocabulary::person::ProfilePatch::default(),
                personal: Some(crate::vocabulary::person::PersonalDataPatch {
                    last_name: Some("Петрова".into()),
                    ..Default::default()
                }),
                updated_on: today(),
            },
        ]);
        let recorded = anna.personal.unwrap();
        assert_eq!(
            (recorded.last_name.as_str(), recorded.first_name.as_str()),
            ("Петрова", "Анна")
        );
    }

    #[test]
    fn a_blank_surname_is_malformed() {
        let mut command = admit(ANNA, SCHOOL, d(2020, 9, 1));
        command.personal.last_name = "  ".into();
        given([]).when(command).then_err(InvalidInput::EmptyName);
    }
}
