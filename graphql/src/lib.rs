//! The GraphQL API over the projections and the command path, served with axum.
//!
//! The contract it implements is `../shared/api.graphql`; it is the only crate
//! that knows GraphQL and HTTP.
//!
//! Layout:
//! - [`app`]: [`App`](app::App), the running registry: log, live read models,
//!   command path, audit recorder.
//! - [`commands`]: the command path: load, decide with facts, append, retry;
//!   [`facts`]: the facts it decides with, from the registry.
//! - [`guard`]: who may do what, by role and subtree.
//! - [`audit`]: personal-data reads recorded before the answer leaves.
//! - [`rate_limit`]: per-address limits on public operations.
//! - [`schema`]: the code-first schema, one module per part of the contract.
//! - [`contract`]: the guard that a served schema keeps the contract.
//! - [`error`]: [`ApiError`](error::ApiError), the one mapping to `extensions.code`.
//! - [`server`]: the HTTP server (axum): `/graphql`, its WebSocket, `/health`,
//!   `/metrics`, bearer tokens, graceful shutdown.

pub mod app;
pub mod audit;
pub mod commands;
pub mod contract;
pub mod error;
pub mod facts;
pub mod guard;
pub mod rate_limit;
pub mod schema;
pub mod server;
pub mod timed_log;
