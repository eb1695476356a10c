//! Relay connections: pages with opaque cursors and the total count.
//!
//! One generic shape, named per node type as the contract names it
//! (`OrganizationConnection`, `MemberEdge`, …). Cursors are the read models'
//! own opaque strings: they name the last item shown, so a page goes on after
//! it even when the list changed in between.

use async_graphql::SimpleObject;
use projections::registry::Page;

use crate::error::ApiError;
use crate::schema::application::Application;
use crate::schema::events::Event;
use crate::schema::member::Member;
use crate::schema::organization::Organization;

/// The most items one page holds, whatever `first` asks.
pub const MAX_FIRST: usize = 1000;

/// Where a page stands in its list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether items follow the last one of the page.
    pub has_next_page: bool,
    /// The cursor of the last item of the page; pass it as `after` to go on.
    pub end_cursor: Option<String>,
}

/// Defines a connection type and its edge type for one node type, as the
/// contract names them. (async-graphql cannot name a generic edge inside a
/// generic connection, so each pair is spelled out by this macro.)
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        /// One item of a page with its cursor.
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass as `after` to continue after this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        /// A page of a list.
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The items with their cursors.
            pub edges: Vec<$edge>,
            /// Whether more follow, and the cursor to continue from.
            pub page_info: PageInfo,
            /// Items in the whole list.
            pub total_count: i32,
        }

        impl $connection {
            /// A page of `items` (with cursors), `has_next_page`, `total_count`.
            pub fn new(
                items: Vec<(String, $node)>,
                has_next_page: bool,
                total_count: u64,
            ) -> $connection {
                let end_cursor = items.last().map(|(cursor, _)| cursor.clone());
                $connection {
                    edges: items
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: PageInfo {
                        has_next_page,
                        end_cursor,
                    },
                    total_count: i32::try_from(total_count).unwrap_or(i32::MAX),
                }
            }

            /// The page of a read model, each item turned into a node.
            pub fn from_page<V>(page: Page<V>, node: impl Fn(V) -> $node) -> $connection {
                let items = page
                    .items
                    .into_iter()
                    .map(|(cursor, view)| (cursor, node(view)))
                    .collect();
                $connection::new(items, page.has_next_page, page.total_count)
            }
        }
    };
}

connection!(OrganizationConnection, OrganizationEdge, Organization);
connection!(MemberConnection, MemberEdge, Member);
connection!(ApplicationConnection, ApplicationEdge, Application);
connection!(EventConnection, EventEdge, Event);

/// The page size `first` asks for, at most [`MAX_FIRST`].
///
/// # Errors
/// `VALIDATION` for a negative `first`.
pub fn page_size(first: i32) -> Result<usize, ApiError> {
    usize::try_from(first)
        .map(|first| first.min(MAX_FIRST))
        .map_err(|_| ApiError::Validation {
            message: format!("first must not be negative, got {first}"),
            field: Some("first"),
        })
}

impl From<projections::registry::QueryError> for ApiError {
    fn from(error: projections::registry::QueryError) -> ApiError {
        match error {
            projections::registry::QueryError::UnknownOrganization => ApiError::NotFound {
                what: "organisation",
            },
            projections::registry::QueryError::BadCursor => ApiError::Validation {
                message: error.to_string(),
                field: Some("after"),
            },
        }
    }
}
