//! Domain events in and out of the envelope.
//!
//! A domain event is written as its stored type name, its schema version and its
//! fields as a JSON object; the `personal` field, if any, is taken out of the
//! payload and stored apart, encrypted under the stream's vault key. Reading puts
//! it back (or leaves it `None` when it was erased) after upcasting the payload.

use std::borrow::Cow;

use domain::audit::AUDIT_STREAM;
use domain::event::{
    AccessEvent, ApplicationEvent, AuditEvent, CardEvent, ConsultationEvent, DocumentEvent, Event,
    MeetingEvent, OrganizationEvent, PersonEvent,
};
use domain::ids::{
    ApplicationId, ConsultationId, DocumentId, MailingId, MeetingId, OrgId, PersonId, UserId,
};
use domain::mailing::cabinet::CABINET_PREFIX;
use domain::mailing::notify::NOTIFICATIONS_STREAM;
use domain::mailing::{CONSENT_PREFIX, DIGEST_PREFIX, MailingEvent};
use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer};
use serde::de::{DeserializeSeed, MapAccess};
use serde_json::Value;
use serde_json::de::StrRead;
use uuid::Uuid;

use crate::envelope::{NewEvent, Personal, StoredEvent};
use crate::upcast;

pub use crate::error::CodecError;

/// The envelope contents of `event`, with a fresh time-ordered event id.
///
/// # Errors
/// [`CodecError::Json`] if the event does not serialize to an object (a bug).
pub fn encode(event: &Event) -> Result<NewEvent, CodecError> {
    let event_type = event.event_type();
    let json_error = |source| CodecError::Json {
        event_type: event_type.to_string(),
        source,
    };
    let tagged = match event {
        Event::Organization(e) => serde_json::to_value(e),
        Event::Person(e) => serde_json::to_value(e),
        Event::Application(e) => serde_json::to_value(e),
        Event::Card(e) => serde_json::to_value(e),
        Event::Access(e) => serde_json::to_value(e),
        Event::Audit(e) => serde_json::to_value(e),
        Event::Meeting(e) => serde_json::to_value(e),
        Event::Mailing(e) => serde_json::to_value(e),
        Event::Library(e) => serde_json::to_value(e),
        Event::Consultation(e) => serde_json::to_value(e),
    }
    .map_err(json_error)?;
    let Value::Object(mut tagged) = tagged else {
        return Err(not_an_object(event_type));
    };
    let Some(Value::Object(mut fields)) = tagged.remove("data") else {
        return Err(not_an_object(event_type));
    };
    let personal = fields
        .remove("personal")
        .filter(|p| !p.is_null())
        .map(|p| p.to_string());
    Ok(NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_string(),
        schema_version: event.schema_version(),
        effective_on: event.effective_on(),
        payload: Value::Object(fields).to_string(),
        personal,
    })
}

/// The domain event stored as `stored`, upcast to today's schema, with its
/// personal data when the vault still has the key.
///
/// # Errors
/// Any [`CodecError`]: unknown type or stream, newer schema, failed upcast, bad JSON.
pub fn decode(stored: &StoredEvent) -> Result<Event, CodecError> {
    let event_type = stored.event_type.as_str();
    let payload = upcast::to_current(event_type, stored.schema_version, &stored.payload)?;
    let fields = match &stored.personal {
        Personal::Plain(personal) => Cow::Owned(with_personal(&payload, personal)),
        Personal::None | Personal::Erased => payload,
    };
    let stream = stored.stream.as_str();
    let json_error = |source| CodecError::Json {
        event_type: event_type.to_string(),
        source,
    };
    if OrgId::from_stream(stream).is_some() {
        tagged::<OrganizationEvent>(event_type, &fields)
            .map(Event::Organization)
            .map_err(json_error)
    } else if PersonId::from_stream(stream).is_some() {
        tagged::<PersonEvent>(event_type, &fields)
            .map(Event::Person)
            .map_err(json_error)
    } else if ApplicationId::from_stream(stream).is_some() {
        tagged::<ApplicationEvent>(event_type, &fields)
            .map(Event::Application)
            .map_err(json_error)
    } else if UserId::from_stream(stream).is_some() {
        tagged::<AccessEvent>(event_type, &fields)
            .map(Event::Access)
            .map_err(json_error)
    } else if MeetingId::from_stream(stream).is_some() {
        tagged::<MeetingEvent>(event_type, &fields)
            .map(Event::Meeting)
            .map_err(json_error)
    } else if DocumentId::from_stream(stream).is_some() {
        tagged::<DocumentEvent>(event_type, &fields)
            .map(Event::Library)
            .map_err(json_error)
    } else if ConsultationId::from_stream(stream).is_some() {
        tagged::<ConsultationEvent>(event_type, &fields)
            .map(Event::Consultation)
            .map_err(json_error)
    } else if stream == AUDIT_STREAM {
        tagged::<AuditEvent>(event_type, &fields)
            .map(Event::Audit)
            .map_err(json_error)
    } else if MailingId::from_stream(stream).is_some()
        || stream.starts_with(CONSENT_PREFIX)
        || stream.starts_with(CABINET_PREFIX)
        || stream.starts_with(DIGEST_PREFIX)
        || stream == NOTIFICATIONS_STREAM
    {
        tagged::<MailingEvent>(event_type, &fields)
            .map(Event::Mailing)
            .map_err(json_error)
    } else if stream.starts_with("card-") {
        tagged::<CardEvent>(event_type, &fields)
            .map(Event::Card)
            .map_err(json_error)
    } else {
        Err(CodecError::UnknownStream(stream.to_string()))
    }
}

/// Deserializes an adjacently tagged event `{"type": event_type, "data": fields}`
/// straight from its parts: the tag first (serde then reads the data without
/// buffering it), the data parsed in place, so no tagged JSON string is built.
fn tagged<'de, T: Deserialize<'de>>(
    event_type: &'de str,
    fields: &'de str,
) -> Result<T, serde_json::Error> {
    let mut data = serde_json::Deserializer::from_str(fields);
    let value = T::deserialize(MapAccessDeserializer::new(Tagged {
        event_type,
        data: &mut data,
        next: 0,
    }))?;
    data.end()?;
    Ok(value)
}

/// The map `{"type": …, "data": …}` of an adjacently tagged enum, the data read
/// from a JSON deserializer.
struct Tagged<'a, 'de> {
    event_type: &'de str,
    data: &'a mut serde_json::Deserializer<StrRead<'de>>,
    /// Entries handed out so far: 0 (none), 1 (the tag), 2 (both).
    next: u8,
}

impl<'de> MapAccess<'de> for Tagged<'_, 'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, serde_json::Error> {
        let key = match self.next {
            0 => "type",
            1 => "data",
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, serde_json::Error> {
        self.next += 1;
        if self.next == 1 {
            seed.deserialize(BorrowedStrDeserializer::new(self.event_type))
        } else {
            seed.deserialize(&mut *self.data)
        }
    }
}

/// `payload` (a JSON object) with `"personal": personal` added as its first field.
fn with_personal(payload: &str, personal: &str) -> String {
    let rest = payload
        .trim_start()
        .strip_prefix('{')
        .unwrap_or("}")
        .trim_start();
    let separator = if rest.starts_with('}') { "" } else { "," };
    format!("{{\"personal\":{personal}{separator}{rest}")
}

fn not_an_object(event_type: &str) -> CodecError {
    let source = <serde_json::Error as serde::de::Error>::custom("not a JSON object");
    CodecError::Json {
        event_type: event_type.to_string(),
        source,
    }
}
