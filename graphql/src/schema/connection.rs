//! Relay connections: pages with opaque cursors and the total count.
//!
//! One generic shape, named per node type as the contract names it
//! (`OrganizationConnection`, `MemberEdge`, …). A cursor names an item, so a
//! page goes on after it (or back before it) even when the list changed in
//! between; the read models' own cursors differ by list, so each goes out
//! wrapped in one opaque format ([`cursor`] / [`after`]) that no client
//! should parse.
//!
//! Every connection pages both ways ([`window`]): `first` items `after` a
//! cursor, or the `last` items `before` one (from the end without it), given
//! in the list's order; a page is read one way, so `first` with `last`, or a
//! cursor of the other way (`after` with `last` or `before`, `before` with
//! `first`), is `VALIDATION` rather than the spec's combined algorithm. Each
//! size is capped at `MAX_FIRST` with `VALIDATION` above it.

use app::input::MAX_FIRST;
use app::{Page, Window};
use async_graphql::{Context, SimpleObject};
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
    inner(after, "after")
}

/// The read models' cursor inside `before`, as [`after`] for `after`.
///
/// # Errors
/// `VALIDATION` of `before` for anything that is not such a cursor.
pub fn before(before: Option<String>) -> Result<Option<String>, ApiError> {
    inner(before, "before")
}

fn inner(given: Option<String>, field: &'static str) -> Result<Option<String>, ApiError> {
    let Some(given) = given else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(given.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX).map(str::to_owned))
        .map(Some)
        .ok_or_else(|| {
            ApiError(app::Error::invalid(
                field,
                format!(
                    "{given:?} is not a cursor of this list (pass an edge's cursor, \
                     or pageInfo's endCursor as after, startCursor as before)"
                ),
            ))
        })
}

/// The page a connection's arguments ask for: forward with `first` (its
/// default `default`) and `after`, or backward with `last` and `before`
/// (`last` defaulting to `default` too), the cursors unwrapped.
///
/// `first` has a default in the contract, so whether a client gave it is
/// read from the field's own arguments.
///
/// # Errors
/// `VALIDATION` for `first` with `last`, for a cursor of the other way, or
/// for a cursor that is not one of ours.
pub fn window(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    default: i32,
) -> Result<Window, ApiError> {
    let first_given = ctx.field().arguments().is_ok_and(|arguments| {
        arguments
            .iter()
            .any(|(name, value)| name.as_str() == "first" && *value != async_graphql::Value::Null)
    });
    let one_way = |field: &'static str, message: &str| {
        Err(ApiError(app::Error::invalid(field, message.to_owned())))
    };
    if last.is_none() && before.is_none() {
        return Ok(Window::Forward {
            first: first.unwrap_or(default).into(),
            after: self::after(after)?,
        });
    }
    if first_given && last.is_some() {
        return one_way(
            "last",
            "give first (forward) or last (backward), not both: a page is read one way",
        );
    }
    if first_given {
        return one_way(
            "before",
            "before goes with last: a page is read one way (first with after, last with before)",
        );
    }
    if after.is_some() {
        return one_way(
            "after",
            "after goes with first: a page is read one way (first with after, last with before)",
        );
    }
    Ok(Window::Backward {
        last: last.unwrap_or(default).into(),
        before: self::before(before)?,
    })
}

/// Where a page stands in its list, true in both directions.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether items follow the last one of the page: read when paging
    /// forward, and true on a page asked for `before` a cursor (that
    /// cursor's item follows).
    pub has_next_page: bool,
    /// The cursor of the last item of the page; pass it as `after` to go on.
    pub end_cursor: Option<String>,
    /// Whether items precede the first one of the page: read when paging
    /// backward, and true on a page asked for `after` a cursor (that
    /// cursor's item precedes) (an addition).
    pub has_previous_page: bool,
    /// The cursor of the first item of the page; pass it as `before` to go
    /// back (an addition).
    pub start_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of `page`.
    pub fn of<V>(page: &Page<V>) -> PageInfo {
        PageInfo {
            has_next_page: page.has_next_page,
            end_cursor: page.end_cursor.as_deref().map(cursor),
            has_previous_page: page.has_previous_page,
            start_cursor: page.start_cursor.as_deref().map(cursor),
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
            /// Pass as `after` to continue after this item, or as `before`
            /// to go back before it.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        /// A page of a list.
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The items with their cursors.
            pub edges: Vec<$edge>,
            /// Whether more follow and precede, and the cursors to go on from.
            pub page_info: PageInfo,
            /// Items in the whole list.
            pub total_count: i32,
        }

        impl $connection {
            /// A page of the application layer's, each item turned into a node.
            pub fn from_page<V>(page: Page<V>, node: impl Fn(V) -> $node) -> $connection {
                let page_info = PageInfo::of(&page);
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

/// The complexity of a page of `first` (or `last`) items whose selection
/// costs `child_complexity` each: a list weighs its page size, so 100 ×
/// `members(first: 1000) { history }` is refused, not run.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.unwrap_or(0).max(last.unwrap_or(0));
    let size = usize::try_from(size).unwrap_or(0).clamp(1, MAX_FIRST);
    size.saturating_mul(child_complexity).saturating_add(1)
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
            let refused = before(Some(bad.into())).unwrap_err();
            assert!(
                matches!(
                    refused.0,
                    app::Error::Validation {
                        field: Some("before"),
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }
}
