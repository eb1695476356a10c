//! Relay connections: pages with opaque cursors and the total count.
//!
//! One generic shape, named per node type as the contract names it
//! (`OrganizationConnection`, `MemberEdge`, …). Cursors are the read models'
//! own opaque strings: they name the last item shown, so a page goes on after
//! it even when the list changed in between.

use app::Page;
use async_graphql::SimpleObject;

use crate::schema::application::Application;
use crate::schema::events::Event;
use crate::schema::member::Member;
use crate::schema::organization::Organization;

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
            /// A page of the application layer's, each item turned into a node.
            pub fn from_page<V>(page: Page<V>, node: impl Fn(V) -> $node) -> $connection {
                $connection {
                    edges: page
                        .items
                        .into_iter()
                        .map(|(cursor, view)| $edge {
                            cursor,
                            node: node(view),
                        })
                        .collect(),
                    page_info: PageInfo {
                        has_next_page: page.has_next_page,
                        end_cursor: page.end_cursor,
                    },
                    total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
                }
            }
        }
    };
}

connection!(OrganizationConnection, OrganizationEdge, Organization);
connection!(MemberConnection, MemberEdge, Member);
connection!(ApplicationConnection, ApplicationEdge, Application);
connection!(EventConnection, EventEdge, Event);
