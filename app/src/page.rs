//! [`Page`]: one page of a list, as every list read answers.

/// One page of a list: items with their cursors, whether more follow, the
/// list's size, and the cursor to go on after (which may lie beyond the last
/// item shown, when the page looked at items it did not show).
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items, each with the cursor to pass as `after` to continue after it.
    pub items: Vec<(String, T)>,
    /// Whether items follow.
    pub has_next_page: bool,
    /// Items in the whole list.
    pub total_count: u64,
    /// Pass as `after` to go on; `None` on an empty page.
    pub end_cursor: Option<String>,
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
            total_count: self.total_count,
            end_cursor: self.end_cursor,
        }
    }
}

impl<T> From<projections::registry::Page<T>> for Page<T> {
    fn from(page: projections::registry::Page<T>) -> Page<T> {
        let end_cursor = page.items.last().map(|(cursor, _)| cursor.clone());
        Page {
            items: page.items,
            has_next_page: page.has_next_page,
            total_count: page.total_count,
            end_cursor,
        }
    }
}
