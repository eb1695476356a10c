//! Helpers the read models' tables share: [`Segmented`] columns that grow
//! without copying, and [`hash_table_bytes`] for their heap reports.

mod segments;

pub(crate) use crate::columns::segments::Segmented;

/// Bytes of a hash table (std or hashbrown) of `capacity` items of `item` bytes:
/// its buckets and their control bytes.
pub(crate) fn hash_table_bytes(capacity: usize, item: usize) -> usize {
    let buckets = if capacity == 0 {
        0
    } else if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    buckets * (item + 1)
}
