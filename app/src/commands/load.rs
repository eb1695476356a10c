//! Loading an aggregate: fold its stream with the domain's `evolve`.

use domain::event::{
    AccessEvent, ApplicationEvent, CardEvent, ConsultationEvent, DocumentEvent, Event,
    MailingEvent, MeetingEvent, OrganizationEvent, PersonEvent,
};
use eventlog::{EventLog, ExpectedVersion, NewEvent, StreamAppend, codec};

use crate::error::Error;

/// An aggregate's state and the version of its stream it reflects.
pub(crate) struct Loaded<S> {
    pub stream: String,
    pub state: S,
    pub version: u64,
}

impl<S: Default> Loaded<S> {
    /// The aggregate of a stream whose id the command has just minted (a
    /// UUIDv7 of now): nothing to read, since no one can have written it.
    /// Were it written all the same, the append's `NoStream` would refuse it.
    pub fn minted(stream: String) -> Loaded<S> {
        Loaded {
            stream,
            state: S::default(),
            version: 0,
        }
    }
}

impl<S> Loaded<S> {
    /// What to append: `events` with this version as the expectation (none: the
    /// stream must not exist yet). With no events, a pure check that nobody
    /// changed the aggregate the decision read (see [`Loaded::guard`]).
    pub fn append<E: Into<Event>>(&self, events: Vec<E>) -> Result<StreamAppend, Error> {
        let expected = match self.version {
            0 => ExpectedVersion::NoStream,
            version => ExpectedVersion::Exact(version),
        };
        let events = events
            .into_iter()
            .map(|event| codec::encode(&event.into()))
            .collect::<Result<Vec<NewEvent>, _>>()?;
        Ok(StreamAppend {
            stream: self.stream.clone(),
            expected,
            events,
        })
    }
}

impl Loaded<Option<domain::organization::Organization>> {
    /// A pure version check of an organisation the decision read (a home, a
    /// parent, a grant's target): had it changed since, the append conflicts.
    pub fn guard(&self) -> Result<StreamAppend, Error> {
        self.append::<OrganizationEvent>(vec![])
    }
}

/// An aggregate's events, picked out of [`Event`].
pub(crate) trait AggregateEvent: Sized {
    fn pick(event: Event) -> Option<Self>;
}

macro_rules! aggregate_event {
    ($($variant:ident => $event:ty),*) => {
        $(impl AggregateEvent for $event {
            fn pick(event: Event) -> Option<Self> {
                match event {
                    Event::$variant(event) => Some(event),
                    _ => None,
                }
            }
        })*
    };
}

aggregate_event!(
    Organization => OrganizationEvent,
    Person => PersonEvent,
    Application => ApplicationEvent,
    Card => CardEvent,
    Access => AccessEvent,
    Meeting => MeetingEvent,
    Mailing => MailingEvent,
    Library => DocumentEvent,
    Consultation => ConsultationEvent
);

/// Folds `stream` into a fresh `S` with `evolve`.
pub(crate) async fn load<S: Default, E: AggregateEvent>(
    log: &dyn EventLog,
    stream: String,
    evolve: fn(&mut S, &E),
) -> Result<Loaded<S>, Error> {
    let stored = log.read_stream(&stream, 0).await?;
    let mut state = S::default();
    let mut version = 0;
    for stored in &stored {
        let event = codec::decode(stored)?;
        if let Some(event) = E::pick(event) {
            evolve(&mut state, &event);
        }
        version = stored.version;
    }
    Ok(Loaded {
        stream,
        state,
        version,
    })
}
