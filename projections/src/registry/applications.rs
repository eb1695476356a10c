//! Online applications: by id, and by organisation and status for the chairs' lists.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use domain::ids::{ApplicationId, PersonId};
use serde::{Deserialize, Serialize};

/// Where an application stands: the domain's own status.
pub use domain::application::ApplicationStatus;

impl From<&ApplicationStatus> for ApplicationStatusKind {
    /// The status without its details, as lists filter it.
    fn from(status: &ApplicationStatus) -> ApplicationStatusKind {
        match status {
            ApplicationStatus::Pending => ApplicationStatusKind::Pending,
            ApplicationStatus::Approved { .. } => ApplicationStatusKind::Approved,
            ApplicationStatus::Rejected { .. } => ApplicationStatusKind::Rejected,
        }
    }
}

/// An application status as a filter: PENDING, APPROVED, REJECTED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ApplicationStatusKind {
    /// Waiting for the chair.
    Pending,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
}

/// The applicant's names; gone when the application's data was erased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApplicantNames {
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
}

/// One application as the registry keeps it.
#[derive(Clone, Debug, Hash, Serialize, Deserialize)]
pub(crate) struct ApplicationRecord {
    pub(crate) application_id: ApplicationId,
    pub(crate) org: u32,
    pub(crate) submitted_on: NaiveDate,
    pub(crate) names: Option<ApplicantNames>,
    pub(crate) status: ApplicationStatus,
    pub(crate) version: u32,
}

/// Every application.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct ApplicationTable {
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) records: Vec<ApplicationRecord>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    by_id: HashMap<ApplicationId, u32>,
    /// (organisation, status, application) for the per-organisation lists.
    pub(crate) by_org: BTreeSet<(u32, ApplicationStatusKind, u32)>,
    /// The approved applications of each person admitted from one, so an
    /// erasure of the person drops the applicant's names too.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    by_person: HashMap<PersonId, Vec<u32>>,
}

impl ApplicationTable {
    /// The index of `application_id`, if submitted.
    pub(crate) fn find(&self, application_id: ApplicationId) -> Option<u32> {
        self.by_id.get(&application_id).copied()
    }

    /// The record at `idx`.
    pub(crate) fn get(&self, idx: u32) -> Option<&ApplicationRecord> {
        self.records.get(idx as usize)
    }

    /// Adds a submitted application (a repeat replaces the first).
    pub(crate) fn submit(&mut self, record: ApplicationRecord) {
        if let Some(idx) = self.find(record.application_id) {
            self.unlist(idx);
            if let Some(slot) = self.records.get_mut(idx as usize) {
                *slot = record;
            }
            self.list(idx);
            return;
        }
        let idx = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
        self.by_id.insert(record.application_id, idx);
        self.records.push(record);
        self.list(idx);
    }

    /// Sets the status of `application_id`.
    pub(crate) fn decide(
        &mut self,
        application_id: ApplicationId,
        status: ApplicationStatus,
        version: u32,
    ) {
        let Some(idx) = self.find(application_id) else {
            return;
        };
        self.unlist(idx);
        if let ApplicationStatus::Approved { person_id, .. } = &status {
            self.by_person.entry(*person_id).or_default().push(idx);
        }
        if let Some(record) = self.records.get_mut(idx as usize) {
            record.status = status;
            record.version = version;
        }
        self.list(idx);
    }

    /// Forgets the applicant's names of every application `person` was
    /// admitted from: their keys went with the person's (a rebuild reads no
    /// names there either).
    pub(crate) fn erase_applicant(&mut self, person: PersonId) {
        for idx in self.by_person.get(&person).into_iter().flatten() {
            if let Some(record) = self.records.get_mut(*idx as usize) {
                record.names = None;
            }
        }
    }

    /// Bytes held, roughly: records, names, the id index and the lists.
    pub(crate) fn heap_bytes(&self) -> usize {
        let names: usize = self
            .records
            .iter()
            .filter_map(|r| r.names.as_ref())
            .map(|n| {
                n.last_name.capacity()
                    + n.first_name.capacity()
                    + n.patronymic.as_ref().map_or(0, String::capacity)
            })
            .sum();
        self.records.capacity() * std::mem::size_of::<ApplicationRecord>()
            + names
            + crate::columns::hash_table_bytes(self.by_id.capacity(), 20)
            + crate::columns::hash_table_bytes(self.by_person.capacity(), 40)
            + self.by_person.len() * 4
            + self.by_org.len().div_ceil(7) * (11 * 12 + 16)
    }

    fn list(&mut self, idx: u32) {
        if let Some(r) = self.records.get(idx as usize) {
            self.by_org
                .insert((r.org, ApplicationStatusKind::from(&r.status), idx));
        }
    }

    fn unlist(&mut self, idx: u32) {
        if let Some(r) = self.records.get(idx as usize) {
            self.by_org
                .remove(&(r.org, ApplicationStatusKind::from(&r.status), idx));
        }
    }
}
