//! E-mail and phone fields of personal data, compactly.
//!
//! Each field starts with a tag byte: absent, as text ([`push_text`]'s form), or
//! packed. An e-mail on one of [`DOMAINS`] keeps its local part as text and the
//! domain as the tag; a Russian mobile number written as [`MOBILE_FORM`] is its
//! ten digits in five bytes; any other phone made of [`PHONE_CHARS`] is packed
//! two characters a byte.

use crate::registry::text::{push_len, push_text, read_len, read_text};

/// How a mobile number is usually written: `D` a digit.
const MOBILE_FORM: &str = "+7 DDD DDD-DD-DD";
/// Bytes of a mobile number's ten digits (below 2^34).
const MOBILE_BYTES: usize = 5;

/// Domains an e-mail field names by a byte: `EMAIL_DOMAIN + i`.
const DOMAINS: [&str; 8] = [
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "rambler.ru",
    "ya.ru",
];
/// Field tags of the e-mail and phone: absent, as text, packed, a mobile number.
const ABSENT: u8 = 0;
const LITERAL: u8 = 1;
const PACKED: u8 = 2;
const MOBILE: u8 = 3;
const EMAIL_DOMAIN: u8 = 4;
/// The characters of a packed phone number, by nibble.
const PHONE_CHARS: [char; 15] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', ' ', '-', '(', ')',
];

/// An e-mail: absent, as text, or its local part and a domain byte.
pub(crate) fn push_email(out: &mut Vec<u8>, email: Option<&str>) {
    let Some(email) = email else {
        out.push(ABSENT);
        return;
    };
    let domain = email.rsplit_once('@').and_then(|(local, domain)| {
        let at = DOMAINS.iter().position(|&d| d == domain)?;
        Some((local, at))
    });
    match domain {
        Some((local, at)) => {
            out.push(EMAIL_DOMAIN + at as u8);
            push_text(out, Some(local));
        }
        None => {
            out.push(LITERAL);
            push_text(out, Some(email));
        }
    }
}

pub(crate) fn read_email(rest: &mut &[u8]) -> Option<Option<String>> {
    let (&tag, tail) = rest.split_first()?;
    *rest = tail;
    match tag {
        ABSENT => Some(None),
        LITERAL => read_text(rest),
        _ => {
            let domain = DOMAINS.get(usize::from(tag.checked_sub(EMAIL_DOMAIN)?))?;
            let local = read_text(rest)??;
            Some(Some(format!("{local}@{domain}")))
        }
    }
}

/// A phone number: absent, as text, a mobile number as [`MOBILE_FORM`] says
/// in five bytes, or packed two characters a byte when it is made of
/// [`PHONE_CHARS`] only.
pub(crate) fn push_phone(out: &mut Vec<u8>, phone: Option<&str>) {
    let Some(phone) = phone else {
        out.push(ABSENT);
        return;
    };
    if let Some(digits) = mobile_digits(phone) {
        out.push(MOBILE);
        out.extend_from_slice(&digits.to_le_bytes()[..MOBILE_BYTES]);
        return;
    }
    let nibbles: Option<Vec<u8>> = phone
        .chars()
        .map(|c| PHONE_CHARS.iter().position(|&p| p == c).map(|n| n as u8))
        .collect();
    match nibbles {
        Some(nibbles) => {
            out.push(PACKED);
            push_len(out, nibbles.len());
            for pair in nibbles.chunks(2) {
                out.push(pair[0] | pair.get(1).map_or(0x0F, |&n| n) << 4);
            }
        }
        None => {
            out.push(LITERAL);
            push_text(out, Some(phone));
        }
    }
}

pub(crate) fn read_phone(rest: &mut &[u8]) -> Option<Option<String>> {
    let (&tag, tail) = rest.split_first()?;
    *rest = tail;
    match tag {
        ABSENT => Some(None),
        LITERAL => read_text(rest),
        PACKED => {
            let (count, used) = read_len(rest)?;
            let packed = rest.get(used..used + count.div_ceil(2))?;
            *rest = rest.get(used + packed.len()..)?;
            let phone = (0..count)
                .map(|i| {
                    let nibble = packed[i / 2] >> (4 * (i % 2)) & 0x0F;
                    PHONE_CHARS.get(usize::from(nibble)).copied()
                })
                .collect::<Option<String>>()?;
            Some(Some(phone))
        }
        MOBILE => {
            let mut digits = [0u8; 8];
            digits[..MOBILE_BYTES].copy_from_slice(rest.get(..MOBILE_BYTES)?);
            *rest = rest.get(MOBILE_BYTES..)?;
            let mut digits = u64::from_le_bytes(digits);
            let mut phone: Vec<u8> = MOBILE_FORM.bytes().collect();
            for place in phone.iter_mut().rev().filter(|b| **b == b'D') {
                *place = b'0' + (digits % 10) as u8;
                digits /= 10;
            }
            Some(Some(String::from_utf8(phone).ok()?))
        }
        _ => None,
    }
}

/// The ten digits after "+7" when `phone` is written exactly as [`MOBILE_FORM`].
fn mobile_digits(phone: &str) -> Option<u64> {
    if phone.len() != MOBILE_FORM.len() {
        return None;
    }
    let mut digits = 0u64;
    for (c, form) in phone.bytes().zip(MOBILE_FORM.bytes()) {
        match form {
            b'D' if c.is_ascii_digit() => digits = digits * 10 + u64::from(c - b'0'),
            _ if c == form => {}
            _ => return None,
        }
    }
    Some(digits)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use domain::snils::Snils;
    use domain::vocabulary::person::PersonalData;

    use crate::registry::dictionary::Dictionary;
    use crate::registry::personal::{Arena, decode, encode};

    fn anna() -> PersonalData {
        PersonalData {
            last_name: "Ёлкина-Smith".into(),
            first_name: "Анна".into(),
            patronymic: None,
            birth_date: NaiveDate::from_ymd_opt(1990, 4, 12).expect("a date"),
            snils: Snils::from_number(112_233_445),
            email: None,
            phone: None,
        }
    }

    #[test]
    fn common_emails_and_phones_are_packed_and_come_back() {
        for (email, phone) in [
            (Some("maria.ivanova12@mail.ru"), Some("+7 912 345-67-89")),
            (Some("a@b@yandex.ru"), Some("8 (495) 123-45-6")),
            (Some("a@ya.ru"), Some("+7 912 345-67-8")),
            (Some("a@ya.ru"), Some("+7 000 000-00-00")),
            (Some("a@ya.ru"), Some("+7 912 345 67-89")),
            (Some("@gmail.com"), Some("доб. 12")),
            (None, None),
            (Some("x@mail.rux"), Some("1")),
        ] {
            let data = PersonalData {
                email: email.map(String::from),
                phone: phone.map(String::from),
                birth_date: NaiveDate::from_ymd_opt(-40, 1, 1).expect("a date"),
                snils: None,
                ..anna()
            };
            let (mut arena, mut names) = (Arena::default(), Dictionary::default());
            let handle = arena.push(&encode(&data, &mut names));
            assert_eq!(decode(arena.get(handle), &names), Some(data));
        }
        let mut names = Dictionary::default();
        let packed = encode(
            &PersonalData {
                email: Some("maria.ivanova12@mail.ru".into()),
                phone: Some("+7 912 345-67-89".into()),
                ..anna()
            },
            &mut names,
        );
        let literal = encode(
            &PersonalData {
                email: None,
                phone: None,
                ..anna()
            },
            &mut names,
        );
        assert_eq!(packed.len() - literal.len(), (1 + 1 + 15) + (1 + 5) - 2);
    }
}
