//! The registry folded from a small union built through the real `decide`
//! functions and appended to a real `SqliteLog`.

mod live;
mod members;
mod memory;
mod paging;
mod search;
mod union;
