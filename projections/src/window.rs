//! [`Window`]: which part of an ordered list a page shows, as Relay's
//! connections ask for it: `first` items after a cursor, or `last` items
//! before one.
//!
//! Every list of the read models answers both ways at the same cost: a
//! backward page ranges over the list's own order up to its cursor and takes
//! the items nearest to it, never the whole list sliced.

/// Which part of an ordered list a page shows; `C` is the list's cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window<C> {
    /// Up to `first` items after the cursor (from the start without one).
    After {
        /// The page size.
        first: usize,
        /// The item the page follows.
        after: Option<C>,
    },
    /// Up to `last` items before the cursor (up to the end without one),
    /// given in the list's order.
    Before {
        /// The page size.
        last: usize,
        /// The item the page precedes.
        before: Option<C>,
    },
}

impl<C> Window<C> {
    /// The page size.
    pub fn size(&self) -> usize {
        match self {
            Window::After { first, .. } => *first,
            Window::Before { last, .. } => *last,
        }
    }

    /// Whether the page reads backward (`last` / `before`).
    pub fn backward(&self) -> bool {
        matches!(self, Window::Before { .. })
    }

    /// The cursor, either way.
    pub fn cursor(&self) -> Option<&C> {
        match self {
            Window::After { after, .. } => after.as_ref(),
            Window::Before { before, .. } => before.as_ref(),
        }
    }

    /// The same window with a page size of at most `max`.
    #[must_use]
    pub fn capped(self, max: usize) -> Window<C> {
        match self {
            Window::After { first, after } => Window::After {
                first: first.min(max),
                after,
            },
            Window::Before { last, before } => Window::Before {
                last: last.min(max),
                before,
            },
        }
    }

    /// The same window with its cursor read by `read`.
    ///
    /// # Errors
    /// What `read` says of the cursor.
    pub fn try_map<D, E>(self, read: impl FnOnce(C) -> Result<D, E>) -> Result<Window<D>, E> {
        Ok(match self {
            Window::After { first, after } => Window::After {
                first,
                after: after.map(read).transpose()?,
            },
            Window::Before { last, before } => Window::Before {
                last,
                before: before.map(read).transpose()?,
            },
        })
    }

    /// The window borrowing its cursor.
    pub fn as_ref(&self) -> Window<&C> {
        match self {
            Window::After { first, after } => Window::After {
                first: *first,
                after: after.as_ref(),
            },
            Window::Before { last, before } => Window::Before {
                last: *last,
                before: before.as_ref(),
            },
        }
    }

    /// A page's items out of what its read found, and where the page stands:
    /// `found` holds up to `size + 1` items in list order; forward the extra
    /// one is the last (items follow), backward the first (items precede).
    /// Returns the items, whether items precede and whether items follow: a
    /// cursor given means its own item stands on that side.
    pub fn shape<K>(&self, mut found: Vec<K>) -> (Vec<K>, bool, bool) {
        let size = self.size();
        let more = found.len() > size;
        match self {
            Window::After { after, .. } => {
                found.truncate(size);
                (found, after.is_some(), more)
            }
            Window::Before { before, .. } => {
                if more {
                    found.drain(..found.len() - size);
                }
                (found, more, before.is_some())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_drops_the_extra_item_on_the_side_it_reads_towards() {
        let forward: Window<u32> = Window::After {
            first: 2,
            after: Some(0),
        };
        assert_eq!(forward.shape(vec![1, 2, 3]), (vec![1, 2], true, true));
        assert_eq!(forward.shape(vec![1]), (vec![1], true, false));
        let backward: Window<u32> = Window::Before {
            last: 2,
            before: None,
        };
        assert_eq!(backward.shape(vec![1, 2, 3]), (vec![2, 3], true, false));
        assert_eq!(backward.shape(vec![2, 3]), (vec![2, 3], false, false));
    }
}
