//! Upcasters: old schema versions are read as today's, never rewritten in the log.

use std::borrow::Cow;

use domain::event::current_schema_version;
use serde_json::{Map, Value};

use crate::error::CodecError;

/// One step of the chain: turns a payload of `event_type` at `from_version` into
/// `from_version + 1`.
struct Upcaster {
    event_type: &'static str,
    from_version: u32,
    upcast: fn(&mut Map<String, Value>) -> Result<(), &'static str>,
}

/// Every step ever needed, oldest first.
const UPCASTERS: &[Upcaster] = &[
    Upcaster {
        event_type: "OrganizationRegistered",
        from_version: 1,
        upcast: organization_registered_v1_to_v2,
    },
    Upcaster {
        event_type: "PersonalDataErased",
        from_version: 1,
        upcast: personal_data_erased_v1_to_v2,
    },
    Upcaster {
        event_type: "OrganizationRegistered",
        from_version: 2,
        upcast: organization_registered_v2_to_v3,
    },
    Upcaster {
        event_type: "OrganizationPassportUpdated",
        from_version: 1,
        upcast: passport_updated_v1_to_v2,
    },
    Upcaster {
        event_type: "ConsultationAsked",
        from_version: 1,
        upcast: consultation_asked_v1_to_v2,
    },
];

/// The payload of a stored `event_type` event at `schema_version`, in today's shape.
/// Borrows when it is current already (the common case costs nothing).
///
/// # Errors
/// [`CodecError::UnknownType`], [`CodecError::FutureSchema`] for a version newer
/// than this code knows, [`CodecError::Upcast`] when a step is missing or fails.
pub fn to_current<'a>(
    event_type: &str,
    schema_version: u32,
    payload: &'a str,
) -> Result<Cow<'a, str>, CodecError> {
    let current = current_schema_version(event_type)
        .ok_or_else(|| CodecError::UnknownType(event_type.to_string()))?;
    if schema_version == current {
        return Ok(Cow::Borrowed(payload));
    }
    if schema_version > current {
        return Err(CodecError::FutureSchema {
            event_type: event_type.to_string(),
            schema_version,
        });
    }
    let mut value: Map<String, Value> =
        serde_json::from_str(payload).map_err(|source| CodecError::Json {
            event_type: event_type.to_string(),
            source,
        })?;
    for version in schema_version..current {
        let step = UPCASTERS
            .iter()
            .find(|u| u.event_type == event_type && u.from_version == version)
            .ok_or(CodecError::Upcast {
                event_type: event_type.to_string(),
                from_version: version,
                why: "no upcaster",
            })?;
        (step.upcast)(&mut value).map_err(|why| CodecError::Upcast {
            event_type: event_type.to_string(),
            from_version: version,
            why,
        })?;
    }
    Ok(Cow::Owned(Value::Object(value).to_string()))
}

/// v1 wrote the region as text (`"region": "77"`) and knew no territorial rights.
fn organization_registered_v1_to_v2(payload: &mut Map<String, Value>) -> Result<(), &'static str> {
    let region_code = match payload.remove("region") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(text)) if text.trim().is_empty() => Value::Null,
        Some(Value::String(text)) => {
            let code: u8 = text.trim().parse().map_err(|_| "region is not a number")?;
            Value::from(code)
        }
        Some(_) => return Err("region is neither text nor null"),
    };
    payload.insert("region_code".into(), region_code);
    payload
        .entry("territorial_rights")
        .or_insert(Value::Bool(false));
    Ok(())
}

/// v1 kept the erasure's basis in clear in the payload; v2 seals it with the
/// person's personal data, whose key the erasure deletes. A v1 basis stays in
/// the log (nothing is rewritten) but is no longer read back as the event's.
fn personal_data_erased_v1_to_v2(payload: &mut Map<String, Value>) -> Result<(), &'static str> {
    payload.remove("basis");
    Ok(())
}

/// v2 knew no date of establishment: every organisation registered then was
/// entered as found in place (its `registered_on` was the day of entry), so it
/// reads as undated, which is what DESIGN.md §7 makes of it.
fn organization_registered_v2_to_v3(payload: &mut Map<String, Value>) -> Result<(), &'static str> {
    payload.entry("established_on").or_insert(Value::Null);
    Ok(())
}

/// v1 passports had no date of their own: they read as undated (the first
/// describes the organisation from its beginning, a later one applies from
/// `updated_on`, as before).
fn passport_updated_v1_to_v2(payload: &mut Map<String, Value>) -> Result<(), &'static str> {
    payload.entry("effective_on").or_insert(Value::Null);
    Ok(())
}

/// v1 stored an attachment in clear and named it only in the sealed part (no
/// key): its question names no file in clear, and its sealed attachment reads
/// as one without a key.
fn consultation_asked_v1_to_v2(payload: &mut Map<String, Value>) -> Result<(), &'static str> {
    payload.entry("file").or_insert(Value::Null);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_current_payload_is_borrowed_as_is() {
        let payload = r#"{"user_id":"x"}"#;
        assert!(matches!(
            to_current("RoleRevoked", 1, payload),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn a_v1_registration_reads_as_v2() {
        let v1 = r#"{"org_id":"a","parent_id":null,"name":"N","short_name":null,"level":"REGIONAL","region":"77","registered_on":"2020-01-01"}"#;
        let v2: Value =
            serde_json::from_str(&to_current("OrganizationRegistered", 1, v1).unwrap()).unwrap();
        assert_eq!(v2["region_code"], 77);
        assert_eq!(v2["territorial_rights"], false);
        assert!(v2.get("region").is_none());
        assert_eq!(v2["established_on"], Value::Null);
    }

    #[test]
    fn a_v2_registration_and_a_v1_passport_read_as_undated() {
        let v2 = r#"{"org_id":"a","parent_id":null,"name":"N","short_name":null,"level":"REGIONAL","region_code":77,"territorial_rights":false,"registered_on":"2020-01-01"}"#;
        let v3: Value =
            serde_json::from_str(&to_current("OrganizationRegistered", 2, v2).unwrap()).unwrap();
        assert_eq!(v3["established_on"], Value::Null);
        assert_eq!(v3["registered_on"], "2020-01-01");
        let v1 = r#"{"org_id":"a","passport":{},"updated_on":"2026-03-01"}"#;
        let v2: Value =
            serde_json::from_str(&to_current("OrganizationPassportUpdated", 1, v1).unwrap())
                .unwrap();
        assert_eq!(v2["effective_on"], Value::Null);
        assert_eq!(v2["updated_on"], "2026-03-01");
    }

    #[test]
    fn a_v1_erasure_reads_without_its_clear_basis() {
        let v1 = r#"{"person_id":"x","basis":"СНИЛС 112-233-445 95","erased_on":"2024-01-01"}"#;
        let v2: Value =
            serde_json::from_str(&to_current("PersonalDataErased", 1, v1).unwrap()).unwrap();
        assert!(v2.get("basis").is_none(), "{v2}");
        assert_eq!(v2["erased_on"], "2024-01-01");
    }

    #[test]
    fn a_v1_question_names_no_file_in_clear() {
        let v1 =
            r#"{"consultation_id":"x","region_id":"r","service":"LEGAL","asked_on":"2026-03-01"}"#;
        let v2: Value =
            serde_json::from_str(&to_current("ConsultationAsked", 1, v1).unwrap()).unwrap();
        assert_eq!(v2["file"], Value::Null);
        assert_eq!(v2["asked_on"], "2026-03-01");
    }

    #[test]
    fn unknown_types_future_versions_and_bad_old_payloads_are_errors() {
        assert!(matches!(
            to_current("Nonsense", 1, "{}"),
            Err(CodecError::UnknownType(_))
        ));
        assert!(matches!(
            to_current("RoleRevoked", 9, "{}"),
            Err(CodecError::FutureSchema { .. })
        ));
        let bad = r#"{"region":"Moscow"}"#;
        assert!(matches!(
            to_current("OrganizationRegistered", 1, bad),
            Err(CodecError::Upcast { .. })
        ));
        assert!(matches!(
            to_current("OrganizationRegistered", 1, "[1]"),
            Err(CodecError::Json { .. })
        ));
    }
}
