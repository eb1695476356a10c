//! Statistics and movement of a subtree, for every role that reads statistics
//! (ANALYST among them: figures only, never a person).

use chrono::NaiveDate;
use domain::ids::OrgId;
use projections::statistics::{Movement, Report};

use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::running::{App, today};

impl App {
    /// The figures of `org`'s subtree on `as_of` (today when absent), from
    /// what the log held at `known_at` (now when absent).
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the subtree; a date the
    /// organisation did not exist on.
    pub async fn statistics(
        &self,
        viewer: &Viewer,
        org_id: &str,
        as_of: Option<NaiveDate>,
        known_at: Option<i64>,
    ) -> Result<Report, Error> {
        let org: OrgId = input::id(org_id, "id")?;
        let known_at = known_at
            .map(|k| input::non_negative(k, "knownAt"))
            .transpose()?;
        self.organization_target(viewer, Action::ReadStatistics, org)?;
        let as_of = as_of.unwrap_or_else(today);
        let statistics = self.models.statistics.clone();
        // A whole-union report scans millions of spells: off the async threads.
        tokio::task::spawn_blocking(move || statistics.report(org, as_of, known_at))
            .await
            .map_err(Error::internal)?
            .map_err(Error::from)
    }

    /// The movement of `org`'s subtree from `from` to `to`, both included.
    ///
    /// # Errors
    /// As [`App::statistics`]; an empty period.
    pub async fn movement(
        &self,
        viewer: &Viewer,
        org_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Movement, Error> {
        let org: OrgId = input::id(org_id, "id")?;
        self.organization_target(viewer, Action::ReadStatistics, org)?;
        let statistics = self.models.statistics.clone();
        tokio::task::spawn_blocking(move || statistics.movement(org, from, to))
            .await
            .map_err(Error::internal)?
            .map_err(Error::from)
    }
}
