//! How a repeated command is recognised (DESIGN.md rule 7), keyed by who sent
//! it and what it said.
//!
//! The log stores one id per command and answers a repeat of it with the first
//! result. Stored as the client sent it, that id would be shared by every
//! holder (a chair of B sending the id A's chair used got A's member back) and
//! blind to the input (a repeat with another input got the first answer). So
//! the log's id is derived from the holder and the client's id, and the
//! command's events carry as their causation id a fingerprint of the holder,
//! the client's id, the command and its whole input: a repeat whose
//! fingerprint differs is a CONFLICT, and another holder's same id is another
//! command altogether.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::Error;

/// The log's command id for the client's `command_id` sent by `actor`.
pub(crate) fn command_key(actor: &str, command_id: Uuid) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"reestr command key\0");
    hash.update(actor.as_bytes());
    hash.update(b"\0");
    hash.update(command_id.as_bytes());
    first_16(hash)
}

/// The fingerprint of `input` (the command's arguments, whose type names the
/// command) sent by `actor` under `command_id`; the `commandId` field itself
/// is left out. Serialised as JSON with sorted keys, so the same input always
/// gives the same fingerprint.
///
/// # Errors
/// [`Error::Internal`] when the input does not serialise (a bug).
pub(crate) fn fingerprint<I: Serialize>(
    actor: &str,
    command_id: Uuid,
    input: &I,
) -> Result<Uuid, Error> {
    let mut value = serde_json::to_value(input).map_err(Error::internal)?;
    if let Value::Object(fields) = &mut value {
        fields.remove("commandId");
    }
    let mut hash = Sha256::new();
    hash.update(b"reestr command fingerprint\0");
    hash.update(actor.as_bytes());
    hash.update(b"\0");
    hash.update(command_id.as_bytes());
    hash.update(std::any::type_name::<I>().as_bytes());
    hash.update(b"\0");
    hash.update(value.to_string().as_bytes());
    Ok(first_16(hash))
}

fn first_16(hash: Sha256) -> Uuid {
    let digest = hash.finalize();
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Input {
        last_name: &'static str,
        command_id: Option<&'static str>,
    }

    #[test]
    fn the_key_is_the_holder_s_and_the_fingerprint_the_input_s() {
        let id = Uuid::from_u128(7);
        assert_eq!(command_key("a", id), command_key("a", id));
        assert_ne!(command_key("a", id), command_key("b", id));
        let input = |last_name, command_id| Input {
            last_name,
            command_id,
        };
        let first = fingerprint("a", id, &input("Иванова", Some("x"))).unwrap();
        assert_eq!(
            first,
            fingerprint("a", id, &input("Иванова", None)).unwrap()
        );
        assert_ne!(
            first,
            fingerprint("a", id, &input("Петрова", Some("x"))).unwrap()
        );
        assert_ne!(
            first,
            fingerprint("b", id, &input("Иванова", Some("x"))).unwrap()
        );
    }
}
