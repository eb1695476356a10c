//! The GraphQL API over the application layer, served with axum.
//!
//! The contract it implements is `../shared/api.graphql`; it is the only crate
//! that knows GraphQL and HTTP. Every resolver decodes its arguments, calls
//! one function of [`app::App`] with the request's viewer, and maps the
//! answer; who may do what, the commands and the read audit are `app`'s.
//!
//! Layout:
//! - [`schema`]: the code-first schema, one module per part of the contract.
//! - [`error`]: [`ApiError`](error::ApiError), the one mapping of
//!   [`app::Error`] to `extensions.code`.
//! - [`server`]: the HTTP server (axum): `/graphql`, its WebSocket, `/health`,
//!   `/metrics`, bearer tokens, graceful shutdown.
//! - `contract` (feature `contract`, for tests): the guard that a served
//!   schema keeps the contract.

#[cfg(feature = "contract")]
pub mod contract;
pub mod error;
pub mod schema;
pub mod server;
