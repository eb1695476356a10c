//! Russian names: surnames in both genders, given names, patronymics, and the
//! Latin spelling of e-mail addresses.

use domain::vocabulary::person::Gender;
use rand::Rng;

/// Surnames in the masculine form; [`surname`] derives the feminine one.
const SURNAMES: [&str; 60] = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Островский",
    "Толстой",
    "Черных",
    "Шевченко",
];

const MALE_NAMES: [&str; 30] = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Максим",
    "Евгений",
    "Иван",
    "Михаил",
    "Артём",
    "Николай",
    "Владимир",
    "Павел",
    "Роман",
    "Олег",
    "Игорь",
    "Юрий",
    "Виктор",
    "Денис",
    "Антон",
    "Илья",
    "Кирилл",
    "Никита",
    "Егор",
    "Василий",
    "Пётр",
    "Константин",
    "Григорий",
    "Степан",
    "Фёдор",
];

const FEMALE_NAMES: [&str; 30] = [
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Юлия",
    "Екатерина",
    "Марина",
    "Галина",
    "Людмила",
    "Надежда",
    "Валентина",
    "Оксана",
    "Анастасия",
    "Дарья",
    "Виктория",
    "Ксения",
    "Любовь",
    "Вера",
    "Алина",
    "Полина",
    "Софья",
    "Лариса",
    "Нина",
    "Евгения",
    "Кристина",
    "Елизавета",
];

/// Fathers' names with the patronymic they give a son and a daughter.
const PATRONYMICS: [(&str, &str); 24] = [
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"),
    ("Алексеевич", "Алексеевна"),
    ("Иванович", "Ивановна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Павлович", "Павловна"),
    ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"),
    ("Олегович", "Олеговна"),
    ("Игоревич", "Игоревна"),
    ("Васильевич", "Васильевна"),
    ("Петрович", "Петровна"),
    ("Анатольевич", "Анатольевна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Борисович", "Борисовна"),
    ("Валерьевич", "Валерьевна"),
    ("Григорьевич", "Григорьевна"),
    ("Константинович", "Константиновна"),
    ("Фёдорович", "Фёдоровна"),
];

/// A full name: surname, given name, patronymic.
pub struct FullName {
    /// Surname in the bearer's gender.
    pub last: String,
    /// Given name.
    pub first: &'static str,
    /// Patronymic in the bearer's gender.
    pub patronymic: &'static str,
}

impl FullName {
    /// "Иванова Мария Петровна".
    pub fn written(&self) -> String {
        format!("{} {} {}", self.last, self.first, self.patronymic)
    }
}

/// A random full name agreeing with `gender`.
pub fn full_name(rng: &mut impl Rng, gender: Gender) -> FullName {
    let male = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let (first, patronymic) = match gender {
        Gender::Female => (
            FEMALE_NAMES[rng.random_range(0..FEMALE_NAMES.len())],
            PATRONYMICS[rng.random_range(0..PATRONYMICS.len())].1,
        ),
        Gender::Male => (
            MALE_NAMES[rng.random_range(0..MALE_NAMES.len())],
            PATRONYMICS[rng.random_range(0..PATRONYMICS.len())].0,
        ),
    };
    FullName {
        last: surname(male, gender),
        first,
        patronymic,
    }
}

/// A random surname in `gender`'s form (e.g. after a marriage).
pub fn random_surname(rng: &mut impl Rng, gender: Gender) -> String {
    surname(SURNAMES[rng.random_range(0..SURNAMES.len())], gender)
}

/// The surname `male` in `gender`'s form: Иванов → Иванова, Островский →
/// Островская, Толстой → Толстая; Черных and Шевченко do not change.
pub fn surname(male: &str, gender: Gender) -> String {
    if gender == Gender::Male {
        return male.to_string();
    }
    for (ending, feminine) in [("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")]
    {
        if let Some(stem) = male.strip_suffix(ending) {
            return format!("{stem}{feminine}");
        }
    }
    if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|e| male.ends_with(e))
    {
        return format!("{male}а");
    }
    male.to_string()
}

/// The Latin spelling of a Russian word, for e-mail addresses.
pub fn latin(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        out.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' | 'ы' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feminine_surnames_take_the_feminine_form() {
        assert_eq!(surname("Иванов", Gender::Female), "Иванова");
        assert_eq!(surname("Соловьёв", Gender::Female), "Соловьёва");
        assert_eq!(surname("Никитин", Gender::Female), "Никитина");
        assert_eq!(surname("Островский", Gender::Female), "Островская");
        assert_eq!(surname("Толстой", Gender::Female), "Толстая");
        assert_eq!(surname("Черных", Gender::Female), "Черных");
        assert_eq!(surname("Иванов", Gender::Male), "Иванов");
        assert_eq!(latin("Щукина"), "shchukina");
    }
}
