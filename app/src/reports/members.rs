//! Member lists: the members of a subtree with filters, as a file (XLSX, CSV
//! or PDF). Personal fields (names, birth date, SNILS, contacts, position,
//! card) only for a viewer whose role reads members, each member listed noted
//! through [`PersonalReads::show`] and recorded before the file is handed
//! over; for every other role that reads statistics (ANALYST) and for the
//! operator, the same list without them: gender, birth year, category,
//! profession, organisation, dates, tenure. Asking for personal fields
//! without the right is `FORBIDDEN`, never a list with blanks.

use chrono::{Datelike, NaiveDate};
use documents::{Cell, Document, Sheet};
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, Profession};
use projections::registry::{MemberFilter, MemberStatus, MemberView};
use serde::Deserialize;

use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::reports::labels::{CATEGORY_WORDS, GENDER_WORDS, PROFESSION_WORDS};
use crate::running::{App, today};

/// The most members one list holds: a region's members fit; the whole union
/// is asked for by parts.
pub const MAX_LIST_MEMBERS: usize = 100_000;

/// A member list's arguments, named as the API names them.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberListQuery {
    /// The organisation.
    pub org_id: String,
    /// Its whole subtree (the default) or only its own members.
    pub include_descendants: Option<bool>,
    /// `ACTIVE` (the default) or `ENDED`.
    pub status: Option<ListStatus>,
    /// Only these genders.
    pub genders: Option<Vec<Gender>>,
    /// Only these categories.
    pub categories: Option<Vec<MemberCategory>>,
    /// Only these professions.
    pub professions: Option<Vec<Profession>>,
    /// Age today at least.
    pub age_from: Option<i64>,
    /// Age today at most (for a former member: the birth year decides).
    pub age_to: Option<i64>,
    /// Joined (the current or last continuous membership) on or after.
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub joined_from: Option<NaiveDate>,
    /// Joined on or before.
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub joined_to: Option<NaiveDate>,
    /// Personal fields: absent, as the viewer's role may; `true` demands them.
    pub personal: Option<bool>,
}

/// `MembershipStatus` of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ListStatus {
    /// Active members.
    Active,
    /// Former members, by their last home.
    Ended,
}

/// A member list, ready to be a file.
#[derive(Clone, Debug)]
pub struct MemberList {
    /// The organisation's name.
    pub org_name: String,
    /// Whether the personal fields are in it (and were recorded as read).
    pub personal: bool,
    /// Active or former members.
    pub status: ListStatus,
    /// The members, in tree order.
    pub members: Vec<MemberView>,
    /// The day the ages and tenures are of.
    pub on: NaiveDate,
}

impl MemberListQuery {
    fn accepts(&self, member: &MemberView, on: NaiveDate) -> bool {
        let age = member
            .personal
            .as_ref()
            .map_or(on.year() - member.birth_year, |p| {
                domain::calendar::age_on(p.birth_date, on) as i32
            });
        self.genders
            .as_ref()
            .is_none_or(|g| g.contains(&member.gender))
            && self
                .categories
                .as_ref()
                .is_none_or(|c| c.contains(&member.category))
            && self
                .professions
                .as_ref()
                .is_none_or(|p| member.profession.is_some_and(|m| p.contains(&m)))
            && self.age_from.is_none_or(|from| i64::from(age) >= from)
            && self.age_to.is_none_or(|to| i64::from(age) <= to)
            && self.joined_from.is_none_or(|from| member.joined_on >= from)
            && self.joined_to.is_none_or(|to| member.joined_on <= to)
    }
}

impl App {
    /// The members `query` selects, as `viewer` may see them; personal reads
    /// are recorded before it returns.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the subtree, for personal
    /// fields demanded without the right, or for a role that reads neither
    /// members nor statistics; `VALIDATION` past [`MAX_LIST_MEMBERS`].
    pub async fn member_list(
        &self,
        viewer: &Viewer,
        query: &MemberListQuery,
    ) -> Result<MemberList, Error> {
        let org = input::id(&query.org_id, "orgId")?;
        for (value, field) in [(query.age_from, "ageFrom"), (query.age_to, "ageTo")] {
            if value.is_some_and(|v| !(0..=150).contains(&v)) {
                return Err(Error::invalid(field, "an age is whole years 0..150"));
            }
        }
        let personal = query
            .personal
            .unwrap_or_else(|| viewer.sees_personal_data());
        let action = if personal {
            Action::ReadMembers
        } else {
            Action::ReadStatistics
        };
        let root = self.organization_target(viewer, action, org)?;
        let reads = self.personal_reads(viewer);
        let status = query.status.unwrap_or(ListStatus::Active);
        let filter = MemberFilter {
            org_id: org,
            include_descendants: query.include_descendants.unwrap_or(true),
            status: match status {
                ListStatus::Active => MemberStatus::Active,
                ListStatus::Ended => MemberStatus::Ended,
            },
            search: None,
        };
        let on = today();
        let mut members = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.models.registry.members(
                &filter,
                projections::registry::MAX_PAGE,
                after.as_deref(),
            )?;
            for (_, member) in page.items.iter().filter(|(_, m)| query.accepts(m, on)) {
                if members.len() == MAX_LIST_MEMBERS {
                    return Err(Error::invalid(
                        "orgId",
                        format!(
                            "more than {MAX_LIST_MEMBERS} members: list a smaller subtree or filter them"
                        ),
                    ));
                }
                members.push(member.clone());
            }
            match (page.has_next_page, page.items.last()) {
                (true, Some((cursor, _))) => after = Some(cursor.clone()),
                _ => break,
            }
        }
        if personal {
            for member in &members {
                reads.show(member.person_id)?;
            }
            reads.record().await?;
        }
        Ok(MemberList {
            org_name: root.name,
            personal,
            status,
            members,
            on,
        })
    }
}

const END_WORDS: [(EndReason, &str); 4] = [
    (EndReason::VoluntaryExit, "по собственному желанию"),
    (EndReason::Expulsion, "исключение"),
    (EndReason::LeftEducation, "уход из системы образования"),
    (EndReason::Death, "смерть"),
];

/// The document of `list`: one sheet, a row per member.
pub fn document(list: &MemberList, names: impl Fn(&MemberView) -> String) -> Document {
    let mut header: Vec<&str> = vec!["№"];
    if list.personal {
        header.extend([
            "Фамилия",
            "Имя",
            "Отчество",
            "Дата рождения",
            "СНИЛС",
            "E-mail",
            "Телефон",
            "Должность",
            "Билет",
        ]);
    }
    header.extend([
        "Пол",
        "Год рождения",
        "Категория",
        "Профессия",
        "Организация",
        "Вступил(а)",
    ]);
    if list.status == ListStatus::Ended {
        header.extend(["Выбыл(а)", "Причина"]);
    }
    header.push("Профсоюзный стаж, лет");
    let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
    let date = |d: NaiveDate| Cell::Text(d.format("%d.%m.%Y").to_string());
    let rows = list
        .members
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let mut row = vec![Cell::Count(k as u64 + 1)];
            if list.personal {
                let p = m.personal.as_ref();
                row.extend([
                    text(p.map(|p| p.last_name.as_str())),
                    text(p.map(|p| p.first_name.as_str())),
                    text(p.and_then(|p| p.patronymic.as_deref())),
                    p.map_or(Cell::Empty, |p| date(p.birth_date)),
                    p.and_then(|p| p.snils.as_ref())
                        .map_or(Cell::Empty, |s| Cell::Text(s.to_string())),
                    text(p.and_then(|p| p.email.as_deref())),
                    text(p.and_then(|p| p.phone.as_deref())),
                    text(m.position.as_deref()),
                    m.card()
                        .map_or(Cell::Empty, |c| Cell::Text(c.number.to_string())),
                ]);
            }
            let gender = usize::from(m.gender == Gender::Male);
            row.extend([
                Cell::Text(GENDER_WORDS[gender].to_string()),
                Cell::Count(u64::try_from(m.birth_year).unwrap_or(0)),
                Cell::Text(CATEGORY_WORDS[category_index(m.category)].to_string()),
                m.profession.map_or(Cell::Empty, |p| {
                    Cell::Text(PROFESSION_WORDS[profession_index(p)].to_string())
                }),
                Cell::Text(names(m)),
                date(m.joined_on),
            ]);
            if list.status == ListStatus::Ended {
                row.push(m.ended_on.map_or(Cell::Empty, date));
                row.push(m.end_reason.map_or(Cell::Empty, |r| {
                    let words = END_WORDS.iter().find(|(e, _)| *e == r).map(|(_, w)| *w);
                    text(words)
                }));
            }
            let years = f64::from(m.tenure_days(list.on)) / 365.25;
            row.push(Cell::Number((years * 10.0).floor() / 10.0));
            row
        })
        .collect();
    let status = match list.status {
        ListStatus::Active => "Члены профсоюза",
        ListStatus::Ended => "Выбывшие члены профсоюза",
    };
    Document {
        title: format!("Список: {}", status.to_lowercase()),
        subtitle: vec![
            list.org_name.clone(),
            format!(
                "На {}; всего {}",
                list.on.format("%d.%m.%Y"),
                list.members.len()
            ),
        ],
        sheets: vec![Sheet {
            name: status.to_string(),
            caption: Vec::new(),
            header: header.into_iter().map(str::to_string).collect(),
            rows,
            last_row_is_total: false,
        }],
    }
}

fn category_index(category: MemberCategory) -> usize {
    usize::from(projections::statistics::bands::category_index(category))
}

fn profession_index(profession: Profession) -> usize {
    usize::from(projections::statistics::bands::profession_index(profession))
}
