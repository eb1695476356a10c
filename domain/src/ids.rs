//! Identifiers of the aggregates and the names of their streams.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The prefix of this aggregate's stream names.
            pub const STREAM_PREFIX: &'static str = $prefix;

            /// The name of this aggregate's stream in the log, e.g. `org-<uuid>`.
            pub fn stream(&self) -> String {
                format!("{}-{}", $prefix, self.0)
            }

            /// Reads the id back from a stream name made by [`Self::stream`].
            pub fn from_stream(stream: &str) -> Option<Self> {
                let rest = stream.strip_prefix($prefix)?.strip_prefix('-')?;
                Uuid::parse_str(rest).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// An organisation of the union's tree (central, regional, …, group).
    OrgId,
    "org"
);
id_type!(
    /// A person: a member now, a former member, or one being admitted.
    PersonId,
    "person"
);
id_type!(
    /// An online application to join a primary organisation.
    ApplicationId,
    "application"
);
id_type!(
    /// A meeting of an organisation (conference, plenum, seminar).
    MeetingId,
    "meeting"
);
id_type!(
    /// A holder of an access role (a token).
    UserId,
    "user"
);
id_type!(
    /// A mailing: one message to every recipient of a segment.
    MailingId,
    "mailing"
);
id_type!(
    /// A document of the union's library (law, charter, agreement, guide, …).
    DocumentId,
    "document"
);
id_type!(
    /// A question to a regional organisation's legal or methodological service.
    ConsultationId,
    "consultation"
);
