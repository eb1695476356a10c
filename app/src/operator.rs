//! [`Operator`]: what the operator does at the command line on a log that no
//! read models serve (the server stopped, or not started yet): initialise a
//! registry, grant a role. These commands need nothing from the read models,
//! so they run at once on any log, however large; everything else the
//! operator does goes through a started [`App`](crate::App) as
//! [`Viewer::Operator`].

use std::sync::Arc;

use domain::event::{Event, OrganizationEvent};
use domain::ids::OrgId;
use domain::vocabulary::access::Role;
use eventlog::{Coordination, codec};
use futures::StreamExt;

use crate::access::Granted;
use crate::commands::{self, Commands, GrantedRole, Initialised, Issued};
use crate::error::Error;
use crate::guard::Viewer;
use crate::running::today;
use crate::timing::Appender;

/// The envelope's actor of what the operator does, unless they name themselves.
pub const OPERATOR: &str = "operator";

/// The operator's commands on a log without read models.
pub struct Operator {
    commands: Commands,
    log: Arc<dyn Coordination>,
    viewer: Viewer,
}

impl Operator {
    /// The operator `name` (recorded as the actor) on `log`.
    pub fn new(log: Arc<dyn Coordination>, name: impl Into<String>) -> Operator {
        let appender = Appender::new(log.clone());
        Operator {
            commands: Commands::without_read_models(log.clone(), appender),
            log,
            viewer: Viewer::Operator(name.into()),
        }
    }

    /// Registers the CENTRAL organisation (`name`, `short_name`) of a new
    /// registry and grants a root ADMIN over it to `holder`, in one append.
    ///
    /// # Errors
    /// A log that holds events already; the charter's refusals; log failures.
    pub async fn initialise(
        &self,
        name: String,
        short_name: Option<String>,
        holder: String,
    ) -> Result<Initialised, Error> {
        commands::initialise(&self.commands, &self.issued(), name, short_name, holder).await
    }

    /// Grants `role` over `org`'s subtree to a new holder; the token is shown
    /// once.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown organisation, `ROLE_OVER_DISSOLVED`, bad
    /// input, log failures.
    pub async fn grant_role(
        &self,
        role: Role,
        org: OrgId,
        holder: String,
    ) -> Result<Granted, Error> {
        let GrantedRole { user_id, token, .. } =
            commands::grant_role(&self.commands, &self.issued(), role, org, holder).await?;
        Ok(Granted {
            user_id,
            role,
            org_id: org,
            token,
        })
    }

    /// Grants a fresh root ADMIN to `holder` over the CENTRAL organisation.
    ///
    /// # Errors
    /// A log without a CENTRAL organisation; as [`Operator::grant_role`].
    pub async fn grant_root_admin(&self, holder: String) -> Result<Granted, Error> {
        let central = self.central().await?;
        self.grant_role(Role::Admin, central, holder).await
    }

    /// The name of organisation `org`, from its own stream.
    ///
    /// # Errors
    /// `NOT_FOUND`; log failures.
    pub async fn organization_name(&self, org: OrgId) -> Result<String, Error> {
        commands::organization(&self.commands, org)
            .await?
            .map(|org| org.name)
            .ok_or(Error::NotFound {
                what: "organisation",
            })
    }

    /// The CENTRAL organisation: the one registered without a parent (the
    /// first event of every log `init` or `generate` made).
    ///
    /// # Errors
    /// `NOT_FOUND` in a log without one; log failures.
    pub async fn central(&self) -> Result<OrgId, Error> {
        let mut events = eventlog::read_all(self.log.clone(), 0);
        while let Some(stored) = events.next().await {
            if let Event::Organization(OrganizationEvent::Registered {
                org_id,
                parent_id: None,
                ..
            }) = codec::decode(&stored?)?
            {
                return Ok(org_id);
            }
        }
        Err(Error::NotFound {
            what: "CENTRAL organisation",
        })
    }

    fn issued(&self) -> Issued {
        Issued {
            actor: self.viewer.actor(),
            role: None,
            today: today(),
            command_id: None,
            fingerprint: None,
            expected_version: None,
            correlation_id: uuid::Uuid::now_v7(),
        }
    }
}
