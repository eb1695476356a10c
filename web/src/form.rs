//! A form's body, read without trusting it: any bytes become either the
//! fields as sent or a Russian refusal, never a panic or an English one.

use std::collections::HashMap;

/// The fields of a submitted form (a repeated name keeps its last value).
#[derive(Clone, Debug, Default)]
pub struct Fields(HashMap<String, String>);

impl Fields {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Option<Fields> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()
            .map(|pairs| Fields(pairs.into_iter().collect()))
    }

    /// The same fields with `name` set to `value`.
    pub fn with(mut self, name: &str, value: &str) -> Fields {
        self.0.insert(name.to_string(), value.to_string());
        self
    }

    /// The field as sent, or empty.
    pub fn text(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// The field trimmed, `None` when blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        let text = self.text(name).trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.text(name).is_empty()
    }
}

/// An enum of the API read from its wire name (`FEMALE`, `WORKER`, …).
pub fn choice<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_string())).ok()
}

#[cfg(test)]
mod tests {
    use domain::vocabulary::person::Gender;

    use super::*;

    #[test]
    fn any_body_is_fields_or_nothing() {
        let body = "lastName=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0&x=";
        let fields = Fields::parse(body.as_bytes()).unwrap();
        assert_eq!(fields.text("lastName"), "Иванова");
        assert_eq!(fields.optional("x"), None);
        assert_eq!(fields.text("missing"), "");
        // Bytes that are no UTF-8 are refused or read, never a panic.
        let _ = Fields::parse(&[0xff, 0xfe, b'=', 0x80]);
        assert_eq!(choice::<Gender>("FEMALE"), Some(Gender::Female));
        assert_eq!(choice::<Gender>("женский"), None);
    }
}
