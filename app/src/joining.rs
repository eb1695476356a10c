//! Joining online, for anyone without a token: the organisations one may
//! apply to (names only, which are public), and the receipt an applicant
//! keeps to check their application's status later.
//!
//! A receipt is the application's id and a secret the applicant's form
//! carried. The secret itself is stored nowhere: the submission's idempotency
//! key (its command id) is derived from it by SHA-256, so the log already
//! maps the secret to the application (under the public actor's key, as every
//! command id is kept per actor), and a form sent twice (a double click, a
//! reload) submits once. A status look-up derives the key again, finds the
//! command in the log and checks that it created the application named.

use std::fmt;

use chrono::NaiveDate;
use domain::application::ApplicationStatus;
use domain::ids::{ApplicationId, OrgId};
use domain::vocabulary::organization::{OrgLevel, Passport};
use projections::registry::OrganizationView;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::applications::{Application, SubmitApplication};
use crate::error::Error;
use crate::guard::{PUBLIC_ACTOR, Viewer};
use crate::idempotency;
use crate::input;
use crate::page::Page;
use crate::rate_limit::ClientAddr;
use crate::running::App;

/// Random bytes in a receipt's secret: 80 bits, beyond guessing online.
const SECRET_BYTES: usize = 10;

/// What makes receipt keys differ from any other use of SHA-256.
const RECEIPT_DOMAIN: &[u8] = b"reestr application receipt v1\0";

/// The secret half of a receipt, shown to the applicant once, as
/// `XXXX-XXXX-XXXX-XXXX-XXXX` (hex, grouped).
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptSecret([u8; SECRET_BYTES]);

impl ReceiptSecret {
    /// A fresh secret from the operating system's random source.
    pub fn new() -> ReceiptSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        ReceiptSecret(bytes)
    }

    /// Reads a secret as shown (any case, with or without dashes and spaces).
    ///
    /// # Errors
    /// A validation error of `field` for anything else.
    pub fn parse(text: &str, field: &'static str) -> Result<ReceiptSecret, Error> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        let mut bytes = [0u8; SECRET_BYTES];
        hex::decode_to_slice(&digits, &mut bytes)
            .map_err(|_| Error::invalid(field, "this is not a receipt's secret"))?;
        Ok(ReceiptSecret(bytes))
    }

    /// The submission's command id: the log's way back to the application.
    fn command_id(&self) -> Uuid {
        let digest = Sha256::new()
            .chain_update(RECEIPT_DOMAIN)
            .chain_update(self.0)
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(bytes)
    }
}

impl Default for ReceiptSecret {
    fn default() -> ReceiptSecret {
        ReceiptSecret::new()
    }
}

impl fmt::Display for ReceiptSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = hex::encode_upper(self.0);
        for (i, group) in hex.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).unwrap_or_default())?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReceiptSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptSecret(…)")
    }
}

/// An organisation as someone joining sees it: its name and place, nothing
/// of its passport or counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinableOrganization {
    /// The organisation.
    pub org_id: OrgId,
    /// Full name.
    pub name: String,
    /// Its level: REGIONAL and TERRITORIAL lead further down, PRIMARY (and
    /// below) take applications.
    pub level: OrgLevel,
    /// Whether one applies here (a primary organisation or below).
    pub takes_applications: bool,
}

impl From<OrganizationView> for JoinableOrganization {
    fn from(view: OrganizationView) -> JoinableOrganization {
        JoinableOrganization {
            org_id: view.org_id,
            takes_applications: takes_applications(view.level),
            name: view.name,
            level: view.level,
        }
    }
}

fn takes_applications(level: OrgLevel) -> bool {
    matches!(
        level,
        OrgLevel::Primary | OrgLevel::Subdivision | OrgLevel::Group
    )
}

/// An application's status as its receipt shows it: no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptStatus {
    /// The application.
    pub application_id: ApplicationId,
    /// The organisation applied to.
    pub organization: String,
    /// The day of submission.
    pub submitted_on: NaiveDate,
    /// Where it stands (a rejection with its reason).
    pub status: ApplicationStatus,
}

impl App {
    /// The organisations one may apply through, below `parent` (the regional
    /// organisations without one), by name; dissolved ones are left out. With
    /// `search`, the primary organisations anywhere below `parent` (the whole
    /// union without one) whose name contains it.
    ///
    /// # Errors
    /// A malformed id or cursor; `NOT_FOUND` for an unknown parent.
    pub fn joinable_organizations(
        &self,
        parent: Option<&str>,
        search: Option<&str>,
        first: i64,
        after: Option<&str>,
    ) -> Result<Page<JoinableOrganization>, Error> {
        let registry = &self.models.registry;
        let first = input::page_size(first)?;
        let parent: Option<OrgId> = input::optional_id(parent, "parentId")?;
        if let Some(parent) = parent {
            self.named_organization(parent)?;
        }
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let page: Page<OrganizationView> = match (parent, search) {
            (_, Some(text)) => {
                // Names contain the text anywhere; the subtree is kept after.
                let mut page: Page<OrganizationView> = registry
                    .organizations(None, Some(OrgLevel::Primary), Some(text), usize::MAX, None)?
                    .into();
                page.items.retain(|(_, view)| {
                    view.dissolved_on.is_none()
                        && parent.is_none_or(|parent| registry.within(view.org_id, parent))
                });
                page.items
                    .sort_by(|(_, a), (_, b)| a.name.cmp(&b.name).then(a.org_id.cmp(&b.org_id)));
                let total = page.items.len();
                let start = match after {
                    None => 0,
                    Some(cursor) => cursor.parse::<usize>().map_err(|_| {
                        Error::invalid("after", "the cursor is not one this list gave out")
                    })?,
                };
                let items: Vec<(String, OrganizationView)> = page
                    .items
                    .into_iter()
                    .enumerate()
                    .skip(start)
                    .take(first)
                    .map(|(i, (_, view))| ((i + 1).to_string(), view))
                    .collect();
                Page {
                    has_next_page: start + items.len() < total,
                    has_previous_page: start > 0,
                    end_cursor: items.last().map(|(cursor, _)| cursor.clone()),
                    start_cursor: items.first().map(|(cursor, _)| cursor.clone()),
                    total_count: total as u64,
                    items,
                }
            }
            (parent, None) => {
                let parent = match parent {
                    Some(parent) => parent,
                    None => registry
                        .organizations(None, Some(OrgLevel::Central), None, 1, None)?
                        .items
                        .into_iter()
                        .next()
                        .map(|(_, central)| central.org_id)
                        .ok_or(Error::NotFound {
                            what: "organisation",
                        })?,
                };
                let mut page: Page<OrganizationView> =
                    registry.children(parent, first, after)?.into();
                page.items.retain(|(_, view)| view.dissolved_on.is_none());
                page
            }
        };
        Ok(page.map(JoinableOrganization::from))
    }

    /// One organisation as someone joining sees it, with the path above it
    /// (from the regional organisation down, the CENTRAL one left out).
    ///
    /// # Errors
    /// A malformed id; `NOT_FOUND` for an unknown or dissolved organisation.
    pub fn joinable_organization(
        &self,
        org_id: &str,
    ) -> Result<(JoinableOrganization, Vec<JoinableOrganization>), Error> {
        let org: OrgId = input::id(org_id, "orgId")?;
        let view = self.named_organization(org)?;
        if view.dissolved_on.is_some() {
            return Err(Error::NotFound {
                what: "organisation",
            });
        }
        let path = self
            .path(org)
            .into_iter()
            .filter(|step| step.parent_id.is_some() && step.org_id != org)
            .map(JoinableOrganization::from)
            .collect();
        Ok((view.into(), path))
    }

    /// `submitApplication` with a receipt: the same command, whose idempotency
    /// key comes from `secret`; sent again with the same secret, it answers
    /// the first submission.
    ///
    /// # Errors
    /// As [`App::submit_application`].
    pub async fn submit_application_with_receipt(
        &self,
        client: Option<ClientAddr>,
        input: SubmitApplication,
        secret: &ReceiptSecret,
    ) -> Result<Application, Error> {
        self.submit_application_as(
            &Viewer::Anonymous,
            client,
            input,
            Some(secret.command_id().to_string()),
        )
        .await
    }

    /// The status of the application `number` for the holder of its receipt.
    /// A wrong secret and a wrong number are told apart by no one.
    ///
    /// # Errors
    /// A malformed number or secret; `NOT_FOUND` when they do not match.
    pub async fn application_by_receipt(
        &self,
        number: &str,
        secret: &str,
    ) -> Result<ReceiptStatus, Error> {
        let id: ApplicationId = input::id(number.trim(), "number")?;
        let secret = ReceiptSecret::parse(secret, "secret")?;
        let not_found = Error::NotFound {
            what: "application",
        };
        let Some(appended) = self
            .commands
            .log()
            .find_command(idempotency::command_key(PUBLIC_ACTOR, secret.command_id()))
            .await?
        else {
            return Err(not_found);
        };
        let created = appended
            .stream_versions
            .iter()
            .any(|(stream, _)| ApplicationId::from_stream(stream) == Some(id));
        if !created {
            return Err(not_found);
        }
        self.reach(appended.last_position).await?;
        let view = self.models.registry.application(id).ok_or(not_found)?;
        let organization = self.named_organization(view.org_id)?.name;
        Ok(ReceiptStatus {
            application_id: id,
            organization,
            submitted_on: view.submitted_on,
            status: view.status,
        })
    }
}

/// What a primary organisation's passport must say before it takes
/// applications online, each with whether it does: the sector, a headcount
/// (employees or students, for coverage), the chair's name (who decides) and
/// a contact (phone or e-mail, for applicants' questions).
pub fn admission_readiness(passport: Option<&Passport>) -> [(&'static str, bool); 4] {
    let has = |test: fn(&Passport) -> bool| passport.is_some_and(test);
    [
        ("sector", has(|p| p.sector.is_some())),
        (
            "headcount",
            has(|p| p.employees.is_some() || p.students.is_some()),
        ),
        ("chairName", has(|p| p.chair_name.is_some())),
        ("contact", has(|p| p.phone.is_some() || p.email.is_some())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_as_shown_and_keys_differ_per_secret() {
        let secret = ReceiptSecret::new();
        let shown = secret.to_string();
        assert_eq!(shown.len(), 24, "{shown}");
        assert_eq!(ReceiptSecret::parse(&shown, "secret").unwrap(), secret);
        assert_eq!(
            ReceiptSecret::parse(&shown.to_lowercase().replace('-', " "), "secret").unwrap(),
            secret
        );
        assert_ne!(secret.command_id(), ReceiptSecret::new().command_id());
        assert!(ReceiptSecret::parse("1234", "secret").is_err());
        assert!(ReceiptSecret::parse("ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ", "secret").is_err());
    }

    #[test]
    fn a_passport_is_ready_when_it_has_every_mandatory_field() {
        assert!(admission_readiness(None).iter().all(|(_, ready)| !ready));
        let mut passport = Passport {
            sector: Some(domain::vocabulary::organization::Sector::School),
            employees: Some(40),
            students: None,
            chair_name: Some("Петрова Н. В.".into()),
            address: None,
            phone: None,
            email: Some("ppo@example.ru".into()),
        };
        assert!(
            admission_readiness(Some(&passport))
                .iter()
                .all(|(_, ready)| *ready)
        );
        passport.email = None;
        let readiness = admission_readiness(Some(&passport));
        assert_eq!(readiness.iter().filter(|(_, ready)| !ready).count(), 1);
        assert_eq!(readiness[3], ("contact", false));
    }
}
