//! Relay's `Node` interface and `node(id:)`: any organisation, member or
//! application refetched by its id alone (the ids are uuids, unique across
//! kinds, so an id names one object whatever its kind).

use async_graphql::{Context, ID, Interface, Object};
use domain::ids::{ApplicationId, OrgId, PersonId};

use crate::error::ApiError;
use crate::schema::application::Application;
use crate::schema::member::Member;
use crate::schema::organization::Organization;

/// An object with an id that `node(id:)` finds again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Organization(Organization),
    Member(Member),
    Application(Application),
}

/// `node`.
#[derive(Default)]
pub struct NodeQuery;

/// The object of `found`, `None` when it is not of that kind (or not there).
fn kind<T>(found: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(ApiError(app::Error::NotFound { .. })) => Ok(None),
        Err(other) => Err(other),
    }
}

#[Object]
impl NodeQuery {
    /// The organisation, member or application of `id`, as the viewer may see
    /// it; null for an id of none (an addition: Relay's refetch).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>, ApiError> {
        let org: OrgId = app::input::id(&id, "id")?;
        if let Some(org) = kind(Organization::load(ctx, org))? {
            return Ok(Some(Node::Organization(org)));
        }
        let person: PersonId = app::input::id(&id, "id")?;
        if let Some(member) = kind(Member::load(ctx, person))? {
            return Ok(Some(Node::Member(member)));
        }
        let application: ApplicationId = app::input::id(&id, "id")?;
        Ok(kind(Application::load(ctx, application))?.map(Node::Application))
    }
}
