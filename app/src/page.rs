//! [`Page`]: one page of a list, as every list read answers; [`Window`]:
//! which page a door asks for, forward or backward.

use crate::error::Error;
use crate::input;

/// Which part of a list a page shows, as a door asks for it: Relay's
/// `first` items after a cursor, or `last` items before one (given in the
/// list's order). Both cost the same: every read model pages backward by
/// its own order (see `projections::Window`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// `first` items after `after` (from the start without one).
    Forward {
        /// The page size.
        first: i64,
        /// The cursor of the item the page follows.
        after: Option<String>,
    },
    /// `last` items before `before` (up to the end without one).
    Backward {
        /// The page size.
        last: i64,
        /// The cursor of the item the page precedes.
        before: Option<String>,
    },
}

impl Window {
    /// `first` items after `after`.
    pub fn forward(first: i64, after: Option<String>) -> Window {
        Window::Forward { first, after }
    }

    /// The window with its size checked against the cap (`VALIDATION` of
    /// `first` or `last`), the cursor borrowed as the read models take it.
    ///
    /// # Errors
    /// A negative size or one above [`input::MAX_FIRST`].
    pub(crate) fn checked(&self) -> Result<projections::Window<&str>, Error> {
        Ok(match self {
            Window::Forward { first, after } => projections::Window::After {
                first: input::page_size_of(*first, "first")?,
                after: after.as_deref(),
            },
            Window::Backward { last, before } => projections::Window::Before {
                last: input::page_size_of(*last, "last")?,
                before: before.as_deref(),
            },
        })
    }

    /// The argument that carries the cursor: `after` or `before`.
    pub(crate) fn cursor_field(&self) -> &'static str {
        match self {
            Window::Forward { .. } => "after",
            Window::Backward { .. } => "before",
        }
    }

    /// A read model's refusal, the cursor's named by its own argument.
    pub(crate) fn refused(&self, error: projections::registry::QueryError) -> Error {
        match error {
            projections::registry::QueryError::BadCursor => {
                Error::invalid(self.cursor_field(), error.to_string())
            }
            other => other.into(),
        }
    }
}

/// One page of a list: items with their cursors, whether more follow and
/// precede, the list's size, and the cursors to go on after and back before
/// (which may lie beyond the items shown, when the page looked at items it
/// did not show).
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items, each with the cursor to pass as `after` to continue after it.
    pub items: Vec<(String, T)>,
    /// Whether items follow.
    pub has_next_page: bool,
    /// Whether items precede.
    pub has_previous_page: bool,
    /// Items in the whole list.
    pub total_count: u64,
    /// Pass as `after` to go on; `None` on an empty page.
    pub end_cursor: Option<String>,
    /// Pass as `before` to go back; `None` on an empty page.
    pub start_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Each item turned into something else, the cursors kept.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self
                .items
                .into_iter()
                .map(|(cursor, item)| (cursor, f(item)))
                .collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
            end_cursor: self.end_cursor,
            start_cursor: self.start_cursor,
        }
    }
}

impl<T> From<projections::registry::Page<T>> for Page<T> {
    fn from(page: projections::registry::Page<T>) -> Page<T> {
        let end_cursor = page.items.last().map(|(cursor, _)| cursor.clone());
        let start_cursor = page.items.first().map(|(cursor, _)| cursor.clone());
        Page {
            items: page.items,
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            total_count: page.total_count,
            end_cursor,
            start_cursor,
        }
    }
}
