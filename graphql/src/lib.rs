//! The GraphQL API over the projections and the command path, served with axum.
//!
//! The contract it implements is `../shared/api.graphql`; it is the only crate
//! that knows GraphQL and HTTP.
//!
//! Layout:
//! - [`commands`]: the command path: load, decide with facts, append, retry.
//! - [`contract`]: the guard that a served schema keeps the contract.
//! - [`error`]: [`ApiError`](error::ApiError), the one mapping to `extensions.code`.

pub mod commands;
pub mod contract;
pub mod error;
