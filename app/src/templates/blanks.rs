//! The built-in templates: the union's standard documents as [`Block`]s with
//! placeholders, written as DOCX by `documents::docx::build`. An ADMIN's own
//! DOCX replaces one of them (see [`super`]); these stay the fallback.

use documents::docx::Block;

use crate::templates::Template;

fn title(text: &str) -> Block {
    Block::Title(text.to_string())
}

fn p(text: &str) -> Block {
    Block::Paragraph(text.to_string())
}

fn right(text: &str) -> Block {
    Block::Right(text.to_string())
}

/// The addressee and the applicant, at the head of an application.
fn addressee() -> Vec<Block> {
    vec![
        right("В профсоюзный комитет первичной профсоюзной организации"),
        right("{{org.name}}"),
        right("от {{member.full_name}}"),
        right("{{member.position}}"),
        p(""),
    ]
}

/// The body of `template`.
pub(crate) fn blocks(template: Template) -> Vec<Block> {
    match template {
        Template::AdmissionApplication => {
            let mut blocks = addressee();
            blocks.extend([
                title("ЗАЯВЛЕНИЕ"),
                p(
                    "Прошу принять меня в члены Профессионального союза работников народного \
                   образования и науки Российской Федерации. С Уставом Профсоюза ознакомлен(а), \
                   обязуюсь выполнять его требования и уплачивать членские взносы.",
                ),
                p("Дата рождения: {{member.birth_date}}. СНИЛС: {{member.snils}}."),
                p("Телефон: {{member.phone}}. Электронная почта: {{member.email}}."),
                p(
                    "Даю согласие на обработку моих персональных данных в целях учёта членства \
                   в Профсоюзе.",
                ),
                p(""),
                p("{{member.joined_on}}          Подпись ____________"),
            ]);
            blocks
        }
        Template::AdmissionMinutes => vec![
            title("ВЫПИСКА ИЗ ПРОТОКОЛА № {{minutes.number}}"),
            p(
                "заседания профсоюзного комитета первичной профсоюзной организации \
               {{org.name}} от {{minutes.date}}",
            ),
            p(""),
            p("СЛУШАЛИ: о приёме в члены Профсоюза."),
            p(
                "ПОСТАНОВИЛИ: принять в члены Профсоюза {{member.full_name}}, \
               {{member.birth_date}} года рождения, {{member.position}}, с {{member.joined_on}} \
               (со дня подачи заявления).",
            ),
            p(""),
            p("Председатель первичной профсоюзной организации ____________ {{org.chair}}"),
            p("Выписка верна. {{today}}"),
        ],
        Template::RecordCard => vec![
            title("УЧЁТНАЯ КАРТОЧКА ЧЛЕНА ПРОФСОЮЗА"),
            p("Профсоюзный билет № {{member.card_number}}, выдан {{member.card_issued_on}}"),
            p(""),
            p("Фамилия: {{member.last_name}}"),
            p("Имя: {{member.first_name}}"),
            p("Отчество: {{member.patronymic}}"),
            p("Пол: {{member.gender}}"),
            p("Дата рождения: {{member.birth_date}}"),
            p("СНИЛС: {{member.snils}}"),
            p("Категория: {{member.category}}"),
            p("Профессия: {{member.profession}}"),
            p("Должность: {{member.position}}"),
            p("Организация: {{org.name}}"),
            p("Дата вступления в Профсоюз: {{member.joined_on}}"),
            p("Профсоюзный стаж на {{today}}: {{member.tenure_years}} лет"),
            p("Телефон: {{member.phone}}. Электронная почта: {{member.email}}."),
            p("Выбытие из Профсоюза: {{member.ended_on}} {{member.end_reason}}"),
        ],
        Template::CardRegister => vec![
            title("ЖУРНАЛ УЧЁТА ВЫДАЧИ ПРОФСОЮЗНЫХ БИЛЕТОВ"),
            p("{{org.name}}, на {{today}}"),
            Block::Table(vec![
                [
                    "№",
                    "Номер билета",
                    "Вид",
                    "Фамилия, имя, отчество",
                    "Дата выдачи",
                    "Состояние",
                    "Дата блокировки",
                ]
                .map(str::to_string)
                .to_vec(),
                [
                    "{{cards.n}}",
                    "{{cards.number}}",
                    "{{cards.kind}}",
                    "{{cards.holder}}",
                    "{{cards.issued_on}}",
                    "{{cards.status}}",
                    "{{cards.blocked_on}}",
                ]
                .map(str::to_string)
                .to_vec(),
            ]),
            p(""),
            p("Ответственный за учёт ____________"),
        ],
        Template::ExitApplication => {
            let mut blocks = addressee();
            blocks.extend([
                title("ЗАЯВЛЕНИЕ"),
                p(
                    "Прошу считать меня вышедшим(ей) из членов Профсоюза по собственному \
                   желанию с {{member.ended_on}}.",
                ),
                p("Профсоюзный билет № {{member.card_number}} прошу считать недействительным."),
                p(""),
                p("{{today}}          Подпись ____________"),
            ]);
            blocks
        }
    }
}
