//! The union's words: the value types that events and commands are made of.

pub mod access;
pub mod card;
pub mod organization;
pub mod person;
