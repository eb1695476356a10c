//! A journal event in one line of plain Russian, as a person's history shows
//! it (the archive's summaries: which fields changed, never their values).

use domain::ids::{OrgId, PersonId};
use eventlog::codec;
use projections::archive::summary::{SummaryContext, summarize};

use crate::journal::JournalEvent;
use crate::running::App;

impl App {
    /// The event in plain words: organisations named as they were just before
    /// it, verbs agreeing with the person's gender where known. An event this
    /// version cannot decode is named by its stored type.
    pub fn journal_line(&self, event: &JournalEvent) -> String {
        let stored = &event.stored;
        let Ok(decoded) = codec::decode(stored) else {
            return stored.event_type.clone();
        };
        let name_before = |org: OrgId| self.models.archive.name_before(org, stored.position);
        let gender = PersonId::from_stream(&stored.stream)
            .and_then(|person| self.models.registry.member(person))
            .map(|member| member.gender);
        summarize(
            &decoded,
            &SummaryContext {
                name_before: &name_before,
                gender,
            },
        )
    }
}
