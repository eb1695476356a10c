//! The GraphQL API over the projections and the command path, served with axum.
//!
//! Empty until the GraphQL issue: the contract it will implement is
//! `../shared/api.graphql`. It will be the only crate that knows GraphQL and HTTP.
