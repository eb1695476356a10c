//! The application layer: what the registry does, whichever door asks.
//!
//! Every front door (GraphQL, the web pages, the command line, import, report
//! files, the mailing worker) decodes its input, calls one function here, and
//! renders the answer its way. Here, once: who may do what where (role ×
//! subtree), the checks of input, the command path (load, decide with facts,
//! append with guards, retry), the wait until the read models include a
//! command's own events, the recording of every personal-data read, tokens.
//!
//! Layout:
//! - [`running`]: [`App`], the running registry (log, read models, command
//!   path, read recorder); [`App::reach`], the one wait for the read models.
//! - One module per part of the registry, each adding its reads and commands
//!   to [`App`]: [`organizations`], [`members`] (and cards), [`applications`],
//!   [`access`] (tokens to viewers, grants, the audit trail), [`statistics`],
//!   [`reports`] (the report builder and its files), [`journal`],
//!   [`read_models`]; [`meetings`] (attendance by card); [`library`] (the
//!   union's documents: upload, versions, withdrawal, Russian search by audience);
//!   [`consultations`] (questions to a region's services, answered in a
//!   thread, published to the library); [`joining`], what anyone joining reads
//!   (organisations' names, their application's status by receipt).
//! - [`guard`]: [`Viewer`] and [`Action`], role × subtree; [`audit`]:
//!   [`PersonalReads`], a request's reads recorded before its answer leaves.
//! - [`input`]: every check of input, naming the field at fault.
//! - [`commands`]: the command path itself, [`facts`] what it decides with.
//! - [`operator`]: [`Operator`], the command line's commands on a log no read
//!   models serve (initialising, granting); [`copy`]: a log to another backend.
//! - [`error`]: [`Error`], the contract's categories; each door maps it once.
//! - [`import`]: moving in from spreadsheets (checked, resumable, batched)
//!   and the same format exported; [`words`]: the charter's refusals in Russian.
//! - [`tokens`], [`timing`], [`rate_limit`], [`page`], [`views`];
//!   [`snils_lookups`]: a SNILS held outside the caller's subtree, looked up
//!   as a recorded, limited read.
//!
//! What it does not do: know HTTP, GraphQL or HTML; write SQL; decide a
//! charter rule (those are `domain`'s, which it calls).

pub mod access;
pub mod applications;
pub mod audit;
pub mod cabinet;
pub mod commands;
pub mod consultations;
pub mod copy;
pub mod error;
pub mod facts;
pub mod guard;
mod idempotency;
pub mod import;
pub mod input;
pub mod joining;
pub mod journal;
pub mod journal_summary;
pub mod library;
pub mod mailing;
pub mod meetings;
pub mod members;
pub mod operator;
pub mod organizations;
pub mod page;
pub mod rate_limit;
pub mod read_models;
pub mod reports;
pub mod request_limits;
pub mod running;
pub mod snils_lookups;
pub mod statistics;
pub mod templates;
pub mod timing;
pub mod tokens;
pub mod words;

pub use crate::audit::PersonalReads;
pub use crate::error::{Conflict, Error, Refusal};
pub use crate::guard::{Action, Viewer};
pub use crate::operator::Operator;
pub use crate::page::{Page, Window};
pub use crate::rate_limit::ClientAddr;
pub use crate::request_limits::{RequestLimitConfig, RequestLimits, RequestPermit};
pub use crate::running::{App, Checkpoint, today};

/// The read models' answers as the front doors render them (re-exported, so a
/// door depends on this crate alone for what it shows).
pub mod views {
    pub use eventlog::StoredEvent;
    pub use projections::access::Holder;
    pub use projections::archive::HistoryEntry;
    pub use projections::audit::Read;
    pub use projections::consultations::{AnswerView, ConsultationView};
    pub use projections::library::index::Highlight;
    pub use projections::library::{DocumentView, VersionView, Withdrawal};
    pub use projections::meetings::{Attendee, MeetingView};
    pub use projections::registry::{
        ApplicantNames, ApplicationStatus, ApplicationStatusKind, ApplicationView, CardCheck,
        CardCheckResult, CardStatus, CardView, MemberStatus, MemberView, Membership,
        OrganizationView,
    };
    pub use projections::statistics::{Movement, Report};
}
