//! Checks every backend makes on an append request before looking anything up.

use foldhash::{HashSet, HashSetExt};

use crate::envelope::AppendRequest;
use crate::error::Error;

/// Refuses malformed requests before anything is looked up.
pub(crate) fn validate(request: &AppendRequest) -> Result<(), Error> {
    if request.actor.trim().is_empty() {
        return Err(Error::InvalidAppend("every append names its actor"));
    }
    if request.streams.is_empty() && request.erase_personal_data_of.is_empty() {
        return Err(Error::InvalidAppend("an append needs at least one stream"));
    }
    let mut seen = HashSet::with_capacity(request.streams.len());
    for append in &request.streams {
        if append.stream.is_empty() {
            return Err(Error::InvalidAppend("a stream name is empty"));
        }
        if !seen.insert(append.stream.as_str()) {
            return Err(Error::InvalidAppend("a stream appears twice in one append"));
        }
        if append.events.iter().any(|e| e.event_type.is_empty()) {
            return Err(Error::InvalidAppend("an event type is empty"));
        }
        if append.events.iter().any(|e| !e.payload.starts_with('{')) {
            return Err(Error::InvalidAppend("a payload is not a JSON object"));
        }
    }
    let mut ids = HashSet::with_capacity(request.event_count());
    if !request
        .streams
        .iter()
        .flat_map(|s| &s.events)
        .all(|e| ids.insert(e.event_id))
    {
        return Err(Error::InvalidAppend(
            "an event id appears twice in one append",
        ));
    }
    Ok(())
}
