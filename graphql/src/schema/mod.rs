//! The GraphQL schema (code-first), implementing `../shared/api.graphql`.
//!
//! Each part of the contract has its own module with its types and its share
//! of the roots; the roots are merged here. Resolvers reach the running
//! registry through [`App`] in the schema data and the request's [`Viewer`]
//! in the request data (the server puts it there from the bearer token); a
//! resolver decodes its arguments, calls one `App` function with the viewer,
//! and maps the answer. Who may see what is the application layer's.
//!
//! Layout: [`scalars`], [`enums`]; [`organization`], [`member`] (members and
//! cards), [`application`], [`statistics`] (statistics and movement),
//! [`report`] (the report builder), [`statistical`] (the statistical report),
//! [`events`] (journal and subscription), [`access`] (viewer, grants, audit
//! trail), [`library`] (the union's documents and their search),
//! [`consultation`] (questions to a region's services); [`mutation`] (the command mutations); [`extension`] (error codes,
//! recording personal-data reads); [`depth`] (the depth limit, introspection
//! apart); [`connection`] (Relay pages), [`node`] (`Node`, `node(id:)`).

pub mod access;
pub mod application;
pub mod cabinet;
pub mod connection;
pub mod consultation;
pub mod depth;
pub mod enums;
pub mod events;
pub mod extension;
pub mod library;
pub mod mailing;
pub mod meeting;
pub mod member;
pub mod mutation;
pub mod node;
pub mod organization;
pub mod read_models;
pub mod report;
pub mod scalars;
pub mod statistical;
pub mod statistics;

use std::sync::Arc;

use app::{App, PersonalReads, Viewer};
use async_graphql::{Context, MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::error::ApiError;

/// The served schema.
pub type ReestrSchema = Schema<Query, Mutation, Subscription>;

#[derive(MergedSubscription, Default)]
pub struct Subscription(events::Subscription, mailing::MailingSubscription);

/// Every query of the contract.
#[derive(MergedObject, Default)]
pub struct Query(
    organization::OrganizationQuery,
    member::MemberQuery,
    application::ApplicationQuery,
    statistics::StatisticsQuery,
    report::ReportQueryRoot,
    statistical::StatisticalQueryRoot,
    events::EventQuery,
    access::AccessQuery,
    read_models::ReadModelsQuery,
    node::NodeQuery,
    meeting::MeetingQuery,
    mailing::MailingQuery,
    cabinet::CabinetQuery,
    library::LibraryQuery,
    consultation::ConsultationQuery,
);

/// Every mutation of the contract.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::OrganizationMutation,
    mutation::MemberMutation,
    mutation::ApplicationMutation,
    access::AccessMutation,
    meeting::MeetingMutation,
    mailing::MailingMutation,
    cabinet::CabinetMutation,
    library::LibraryMutation,
    consultation::ConsultationMutation,
);

/// Limits on what one request may ask, so no query can occupy the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of selections (introspection fields not counted: they
    /// have [`depth::INTROSPECTION_DEPTH`]).
    pub depth: usize,
    /// Highest complexity (fields, with lists weighted by their `first`).
    pub complexity: usize,
    /// Most aliased fields/directives; bounds "alias bombs".
    pub recursive_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            depth: 12,
            complexity: 20_000,
            recursive_depth: 32,
        }
    }
}

/// A schema builder over `app`, with the contract's extra types registered.
fn builder(app: Option<App>, limits: Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    // Every type of the contract is reachable from a root (AgeBand and
    // TenureBand through `Statistics.ageBands`/`tenureBands`): introspection
    // shows only those, whatever else is registered.
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    // The configured depth holds for the registry's fields (the extension
    // checks it); introspection has its own, fixed bound.
    .limit_depth(limits.depth.max(depth::INTROSPECTION_DEPTH))
    .limit_complexity(limits.complexity)
    .limit_recursive_depth(limits.recursive_depth)
    .extension(extension::Reestr {
        depth: limits.depth,
    });
    if let Some(app) = app {
        builder = builder.data(app);
    }
    builder
}

/// The schema serving `app`.
pub fn build(app: App, limits: Limits) -> ReestrSchema {
    builder(Some(app), limits).finish()
}

/// The schema's SDL, as `reestr schema` prints it.
pub fn sdl() -> String {
    builder(None, Limits::default()).finish().sdl()
}

/// The running registry.
pub(crate) fn app<'a>(ctx: &Context<'a>) -> &'a App {
    ctx.data_unchecked::<App>()
}

/// The request's viewer (anonymous without a token).
pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    const ANONYMOUS: &Viewer = &Viewer::Anonymous;
    ctx.data_opt::<Viewer>().unwrap_or(ANONYMOUS)
}

/// The personal-data reads of the operation being answered (see
/// [`extension`]), through which every personal field is shown.
///
/// # Errors
/// `INTERNAL` outside an operation that records reads (a subscription's
/// event rendered without one): fail closed.
pub(crate) fn reads<'a>(ctx: &Context<'a>) -> Result<&'a PersonalReads, ApiError> {
    ctx.data_opt::<Arc<PersonalReads>>()
        .map(Arc::as_ref)
        .ok_or_else(|| {
            ApiError(app::Error::internal(
                "personal data requested where its read cannot be recorded",
            ))
        })
}

/// Whether the field `name` of the current selection was asked for.
pub(crate) fn asks_for(ctx: &Context<'_>, name: &str) -> bool {
    ctx.look_ahead().field(name).exists()
}
