//! Text and lengths in the registry's compact byte forms: one byte per Cyrillic
//! letter, lengths as varints. Personal data (`personal.rs`), contacts
//! (`contacts.rs`) and the name dictionary store their texts this way.

/// Text in one byte per letter: ASCII as is, А..я and Ё/ё as 0x80..0xC1, any
/// other character as 0xFF and its four bytes.
pub(crate) fn encode_text(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '\0'..='\x7f' => out.push(c as u8),
            'А'..='я' => out.push(0x80 + (c as u32 - 'А' as u32) as u8),
            'Ё' => out.push(0xC0),
            'ё' => out.push(0xC1),
            _ => {
                out.push(0xFF);
                out.extend_from_slice(&(c as u32).to_le_bytes());
            }
        }
    }
}

/// Text back from [`encode_text`]'s form.
pub(crate) fn decode_text(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    while let Some((&b, rest)) = bytes.split_first() {
        bytes = rest;
        let c = match b {
            0x00..=0x7F => char::from(b),
            0x80..=0xBF => char::from_u32('А' as u32 + u32::from(b - 0x80)).unwrap_or('?'),
            0xC0 => 'Ё',
            0xC1 => 'ё',
            _ => {
                let code = bytes
                    .get(0..4)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0xFFFD, u32::from_le_bytes);
                bytes = bytes.get(4..).unwrap_or(&[]);
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
        };
        text.push(c);
    }
    text
}

/// A text field: its encoded length + 1 (0: absent), then its bytes.
pub(crate) fn push_text(out: &mut Vec<u8>, text: Option<&str>) {
    let Some(text) = text else {
        out.push(0);
        return;
    };
    let mut encoded = Vec::with_capacity(text.len());
    encode_text(text, &mut encoded);
    push_len(out, encoded.len() + 1);
    out.extend_from_slice(&encoded);
}

/// `None` when malformed; `Some(None)` for an absent field.
pub(crate) fn read_text(rest: &mut &[u8]) -> Option<Option<String>> {
    let (len, used) = read_len(rest)?;
    *rest = rest.get(used..)?;
    if len == 0 {
        return Some(None);
    }
    let text = decode_text(rest.get(..len - 1)?);
    *rest = rest.get(len - 1..)?;
    Some(Some(text))
}

/// A length as a little-endian base-128 varint.
pub(crate) fn push_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push((len as u8 & 0x7F) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

pub(crate) fn read_len(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut len = 0usize;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        len |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((len, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_letters_take_one_byte() {
        let mut bytes = Vec::new();
        encode_text("Иванова", &mut bytes);
        assert_eq!(bytes.len(), 7);
        assert_eq!(decode_text(&bytes), "Иванова");
    }
}
