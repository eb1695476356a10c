//! Relay connections: pages with opaque cursors and the total count.
//!
//! One generic shape, named per node type as the contract names it
//! (`OrganizationConnection`, `MemberEdge`, …). A cursor names the last item
//! shown, so a page goes on after it even when the list changed in between;
//! the read models' own cursors differ by list, so each goes out wrapped in
//! one opaque format ([`cursor`] / [`after`]) that no client should parse.

use app::Page;
use app::input::MAX_FIRST;
use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

use crate::schema::application::Application;
use crate::schema::events::Event;
use crate::schema::member::Member;
use crate::schema::organization::Organization;

/// What every cursor starts with before encoding: a version, so a format
/// changed later can still tell its own cursors from old ones.
const CURSOR_PREFIX: &str = "r1:";

/// The cursor a client sees for the read models' `inner` cursor.
pub fn cursor(inner: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{inner}"))
}

/// The read models' cursor inside `after`, a cursor of [`cursor`]'s.
///
/// # Errors
/// `VALIDATION` of `after` for anything that is not such a cursor.
pub fn after(after: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(after) = after else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(after.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX).map(str::to_owned))
        .map(Some)
        .ok_or_else(|| {
            ApiError(app::Error::invalid(
                "after",
                format!(
                    "{after:?} is not a cursor of this list (pass an endCursor or an edge's cursor)"
                ),
            ))
        })
}

/// Where a page stands in its list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether items follow the last one of the page.
    pub has_next_page: bool,
    /// The cursor of the last item of the page; pass it as `after` to go on.
    pub end_cursor: Option<String>,
    /// Whether items precede the first one of the page: a page asked for
    /// `after` a cursor has the item of that cursor before it (an addition).
    pub has_previous_page: bool,
    /// The cursor of the first item of the page (an addition).
    pub start_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of `page`, asked for after a cursor or not.
    pub fn of<V>(page: &Page<V>, paged_after: bool) -> PageInfo {
        PageInfo {
            has_next_page: page.has_next_page,
            end_cursor: page.end_cursor.as_deref().map(cursor),
            has_previous_page: paged_after,
            start_cursor: page.items.first().map(|(inner, _)| cursor(inner)),
        }
    }
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
            /// A page of the application layer's, asked for after a cursor
            /// or not, each item turned into a node.
            pub fn from_page<V>(
                page: Page<V>,
                paged_after: bool,
                node: impl Fn(V) -> $node,
            ) -> $connection {
                let page_info = PageInfo::of(&page, paged_after);
                $connection {
                    edges: page
                        .items
                        .into_iter()
                        .map(|(inner, view)| $edge {
                            cursor: cursor(&inner),
                            node: node(view),
                        })
                        .collect(),
                    page_info,
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

/// The complexity of a page of `first` items whose selection costs
/// `child_complexity` each: a list weighs its page size, so 100 ×
/// `members(first: 1000) { history }` is refused, not run.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = usize::try_from(first.unwrap_or(0))
        .unwrap_or(0)
        .clamp(1, MAX_FIRST);
    first.saturating_mul(child_complexity).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cursor_goes_out_in_one_format_and_comes_back() {
        for inner in ["o3", "m2.1146", "ZXZlbnQ6ODM2OTk"] {
            let out = cursor(inner);
            assert!(
                out.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            assert_eq!(after(Some(out)).unwrap().as_deref(), Some(inner));
        }
        assert_eq!(after(None).unwrap(), None);
        for bad in ["garbage", "o3", "", "!!!"] {
            assert!(after(Some(bad.into())).is_err(), "{bad}");
        }
    }
}
