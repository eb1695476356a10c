//! [`Segmented`]: a growable column in fixed-size segments, for the read models'
//! per-person tables.
//!
//! A `Vec` that doubles holds up to twice what it needs (6.6M persons in a
//! vector sized for 8.4M), and copies itself at each doubling, briefly holding
//! both. Segments of [`SEGMENT`] items are allocated once and never moved: the
//! slack is at most one segment, and growth never copies.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Items per segment (a power of two, so an index splits with a shift).
pub(crate) const SEGMENT: usize = 1 << SEGMENT_BITS;
const SEGMENT_BITS: u32 = 16;

/// An append-only column in fixed-size segments.
#[derive(Clone, Debug)]
pub(crate) struct Segmented<T> {
    segments: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Segmented<T> {
    fn default() -> Segmented<T> {
        Segmented {
            segments: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Segmented<T> {
    /// The number of items.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `item`.
    pub(crate) fn push(&mut self, item: T) {
        if self.len.is_multiple_of(SEGMENT) {
            self.segments.push(Vec::with_capacity(SEGMENT));
        }
        if let Some(segment) = self.segments.last_mut() {
            segment.push(item);
            self.len += 1;
        }
    }

    /// The item at `idx`.
    pub(crate) fn get(&self, idx: usize) -> Option<&T> {
        self.segments
            .get(idx >> SEGMENT_BITS)?
            .get(idx & (SEGMENT - 1))
    }

    /// The item at `idx`, for changing it.
    pub(crate) fn get_mut(&mut self, idx: usize) -> Option<&mut T> {
        self.segments
            .get_mut(idx >> SEGMENT_BITS)?
            .get_mut(idx & (SEGMENT - 1))
    }

    /// Every item, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.segments.iter().flatten()
    }

    /// Bytes reserved for items.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.segments.len() * SEGMENT * std::mem::size_of::<T>()
            + self.segments.capacity() * std::mem::size_of::<Vec<T>>()
    }
}

impl<T> Index<usize> for Segmented<T> {
    type Output = T;

    fn index(&self, idx: usize) -> &T {
        &self.segments[idx >> SEGMENT_BITS][idx & (SEGMENT - 1)]
    }
}

impl<T> IndexMut<usize> for Segmented<T> {
    fn index_mut(&mut self, idx: usize) -> &mut T {
        &mut self.segments[idx >> SEGMENT_BITS][idx & (SEGMENT - 1)]
    }
}

/// A column in a snapshot: its items in order, as one sequence.
impl<T: Serialize> Serialize for Segmented<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut items = serializer.serialize_seq(Some(self.len))?;
        for item in self.iter() {
            items.serialize_element(item)?;
        }
        items.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Segmented<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Segmented<T>, D::Error> {
        struct Items<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Segmented<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a column's items")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Segmented<T>, A::Error> {
                let mut column = Segmented::default();
                while let Some(item) = items.next_element()? {
                    column.push(item);
                }
                Ok(column)
            }
        }

        deserializer.deserialize_seq(Items(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_reads_back_from_its_snapshot_form() {
        let mut column = Segmented::default();
        for i in 0..(SEGMENT + 5) as u32 {
            column.push(i);
        }
        let bytes = postcard::to_allocvec(&column).unwrap();
        let back: Segmented<u32> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.len(), column.len());
        assert!(back.iter().eq(column.iter()));
        assert_eq!(back.heap_bytes(), column.heap_bytes());
    }

    #[test]
    fn items_come_back_by_index_across_segments() {
        let mut column = Segmented::default();
        for i in 0..(SEGMENT * 2 + 3) as u64 {
            column.push(i * 3);
        }
        assert_eq!(column.len(), SEGMENT * 2 + 3);
        assert_eq!(column[SEGMENT + 1], (SEGMENT as u64 + 1) * 3);
        assert_eq!(column.get(SEGMENT * 2 + 3), None);
        column[5] = 7;
        assert_eq!(column.get(5), Some(&7));
        assert_eq!(column.iter().count(), SEGMENT * 2 + 3);
        assert_eq!(column.heap_bytes() / 8 / SEGMENT, 3);
    }
}
