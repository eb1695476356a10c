//! The command mutations: each turns its arguments into the application
//! layer's input, calls one `App` command (which checks who may do it where,
//! checks the input, runs the command and waits for the read models to
//! include its events), and answers from the view it returns.
//!
//! Layout: [`organization`] (the tree and passports), [`member`] (members and
//! cards), [`application`] (online applications).

mod application;
mod member;
mod organization;

use async_graphql::ID;

pub use crate::schema::mutation::application::{ApplicationInput, ApplicationMutation};
pub use crate::schema::mutation::member::{AdmitMemberInput, MemberMutation, UpdateMemberInput};
pub use crate::schema::mutation::organization::{
    OrganizationMutation, PassportInput, RegisterOrganizationInput,
};

/// An optional `ID` argument as the application layer takes it.
pub(crate) fn id_text(id: Option<ID>) -> Option<String> {
    id.map(|id| id.0)
}
