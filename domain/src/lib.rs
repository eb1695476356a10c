//! The union's charter as pure code.
//!
//! Commands come in, [`decide`](person::decide) turns them into events or refuses
//! them with a [`RuleViolation`](rules::RuleViolation); `evolve` folds events into an
//! aggregate's state. Everything here is a plain function of its inputs: no IO, no
//! async, no clock reads (today's date is an argument), so the whole charter is
//! testable with given/when/then and proptest.
//!
//! Layout:
//! - [`vocabulary`]: the union's words (levels, sectors, categories, personal data).
//! - [`ids`], [`snils`], [`card_number`]: identifiers, parsed once at the edge.
//! - [`event`]: every event and its stored name.
//! - [`calendar`]: day arithmetic of spells, tenure and age (DESIGN.md §1).
//! - [`rules`]: [`RuleViolation`](rules::RuleViolation), one variant per rule, with
//!   its stable code; [`error`]: [`DomainError`](error::DomainError) around it.
//! - [`command`]: [`CommandMeta`](command::CommandMeta), who and when.
//! - One module per aggregate, one file per command (its `decide` and its tests):
//!   [`organization`], [`person`], [`application`], [`card`] (number uniqueness),
//!   [`access`] (roles), [`meeting`] (attendance by card), [`library`] (the
//!   union's documents, their versions and withdrawal), [`consultation`]
//!   (questions to a region's legal or methodological service).
//! - [`audit`]: the trail of reads of personal data.
//! - `testing` (feature `testing`): the given/when/then harness.
//!
//! What it does not do: look anything up. A command's handler (outside this crate)
//! loads the aggregate and whatever the rules need (the home organisation, the
//! person with the same SNILS) and passes them in.

pub mod access;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod card;
pub mod card_number;
pub mod command;
pub mod consultation;
pub mod error;
pub mod event;
pub mod ids;
pub mod library;
pub mod mailing;
pub mod meeting;
pub mod organization;
pub mod person;
pub mod rules;
pub mod snils;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod vocabulary;
