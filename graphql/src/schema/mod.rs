//! The GraphQL schema (code-first), implementing `../shared/api.graphql`.
//!
//! Each part of the contract has its own module with its types and its share
//! of the roots; the roots are merged here. Resolvers reach the running
//! registry through [`App`] in the schema data and the request's [`Viewer`]
//! in the request data (the server puts it there from the bearer token).
//!
//! Layout: [`scalars`], [`enums`]; [`organization`], [`member`] (members and
//! cards), [`application`], [`statistics`] (statistics and movement),
//! [`events`] (journal and subscription), [`access`] (viewer, grants, audit
//! trail); [`mutation`] (the command mutations); [`extension`] (error codes,
//! recording personal-data reads); [`connection`] (Relay pages).

pub mod access;
pub mod application;
pub mod connection;
pub mod enums;
pub mod events;
pub mod extension;
pub mod member;
pub mod mutation;
pub mod organization;
pub mod read_models;
pub mod scalars;
pub mod statistics;

use async_graphql::{Context, ID, MergedObject, Schema, SchemaBuilder};
use domain::ids::{OrgId, PersonId};
use uuid::Uuid;

use crate::app::App;
use crate::commands::Issued;
use crate::error::ApiError;
use crate::guard::Viewer;

/// The served schema.
pub type ReestrSchema = Schema<Query, Mutation, events::Subscription>;

/// Every query of the contract.
#[derive(MergedObject, Default)]
pub struct Query(
    organization::OrganizationQuery,
    member::MemberQuery,
    application::ApplicationQuery,
    statistics::StatisticsQuery,
    events::EventQuery,
    access::AccessQuery,
    read_models::ReadModelsQuery,
);

/// Every mutation of the contract.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::OrganizationMutation,
    mutation::MemberMutation,
    mutation::ApplicationMutation,
    access::AccessMutation,
);

/// Limits on what one request may ask, so no query can occupy the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of selections.
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
fn builder(
    app: Option<App>,
    limits: Limits,
) -> SchemaBuilder<Query, Mutation, events::Subscription> {
    let mut builder = Schema::build(Query::default(), Mutation::default(), events::Subscription)
        .register_output_type::<enums::AgeBand>()
        .register_output_type::<enums::TenureBand>()
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .limit_recursive_depth(limits.recursive_depth)
        .extension(extension::Reestr);
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

/// Parses an organisation id.
pub(crate) fn org_id(id: &ID) -> Result<OrgId, ApiError> {
    parse_uuid(id, "id").map(OrgId)
}

/// Parses a person id.
pub(crate) fn person_id(id: &ID) -> Result<PersonId, ApiError> {
    parse_uuid(id, "id").map(PersonId)
}

/// Parses a uuid given as an `ID`.
pub(crate) fn parse_uuid(id: &ID, field: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str()).map_err(|_| ApiError::Validation {
        message: format!("{:?} is not an id of this registry", id.as_str()),
        field: Some(field),
    })
}

/// Who issues a mutation, with its idempotency key and pinned version.
pub(crate) fn issued(
    ctx: &Context<'_>,
    command_id: Option<&ID>,
    expected_version: Option<i64>,
) -> Result<Issued, ApiError> {
    let viewer = viewer(ctx);
    let (actor, role) = match viewer {
        Viewer::Holder(holder) => (
            holder.user_id.to_string(),
            Some((holder.role, holder.org_id)),
        ),
        Viewer::Anonymous => ("public".to_string(), None),
    };
    let command_id = command_id
        .map(|id| parse_uuid(id, "commandId"))
        .transpose()?;
    let expected_version = expected_version
        .map(|v| {
            u64::try_from(v).map_err(|_| ApiError::Validation {
                message: format!("expectedVersion {v} is negative"),
                field: Some("expectedVersion"),
            })
        })
        .transpose()?;
    Ok(Issued {
        actor,
        role,
        today: crate::app::today(),
        command_id,
        expected_version,
        correlation_id: Uuid::now_v7(),
    })
}
