//! The GraphQL API over the projections and the command path, served with axum.
//!
//! The contract it implements is `../shared/api.graphql`; it is the only crate
//! that knows GraphQL and HTTP.
//!
//! Layout:
//! - [`contract`]: the guard that a served schema keeps the contract.

pub mod contract;
