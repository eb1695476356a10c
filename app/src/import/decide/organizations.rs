//! An organisation's row: registration and passport; its dissolution, after every member.

use domain::error::{DomainError, InvalidInput};
use domain::event::Event;
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, OrganizationCommand, RegisterOrganization,
    UpdatePassport,
};
use domain::rules::RuleViolation;
use eventlog::ExpectedVersion;

use crate::error::Error;
use crate::import::decide::{Decider, Known, Outcome};
use crate::import::format::{Column, Table};
use crate::import::report::{BadRow, Problem};
use crate::import::rows::{self, OrgRow};

impl Decider<'_> {
    /// Decides an organisation's registration and passport.
    ///
    /// # Errors
    /// The log failed.
    pub async fn organization(&mut self, file: &str, row: &OrgRow) -> Result<Outcome, Error> {
        let bad = |column: Column, problem: Problem| {
            Outcome::Bad(vec![BadRow::new(
                file,
                row.line,
                Some(Table::Organizations.heading(column)),
                problem,
            )])
        };
        if let Some((_, line)) = self.codes.get(&row.code) {
            return Ok(bad(Column::Code, Problem::Duplicate(*line)));
        }
        let mut org_id = row.org_id;
        if row.level == domain::vocabulary::organization::OrgLevel::Central
            && let Some(central) = self.central
        {
            // The registry's own CENTRAL organisation stands for the file's.
            org_id = central;
        }
        if self.known(org_id).await?.is_some() {
            self.codes.insert(row.code.clone(), (org_id, row.line));
            return Ok(Outcome::Done);
        }
        // Registered under its first parent, then moved on each day it moved.
        let codes: Vec<(&String, Column)> = row
            .earlier_parents
            .iter()
            .map(|(code, _)| (code, Column::EarlierParents))
            .chain(
                row.parent_code
                    .iter()
                    .map(|code| (code, Column::ParentCode)),
            )
            .collect();
        let mut parent_ids = Vec::with_capacity(codes.len());
        for (code, column) in &codes {
            if self.bad_codes.contains(*code) {
                self.bad_codes.insert(row.code.clone());
                return Ok(bad(
                    *column,
                    Problem::Depends(format!(
                        "Вышестоящая организация «{code}» не принята: см. её строку"
                    )),
                ));
            }
            let id = self
                .codes
                .get(*code)
                .map_or_else(|| rows::org_id(code), |(id, _)| *id);
            self.known(id).await?;
            parent_ids.push(id);
        }
        let parent_id = parent_ids.first().copied();
        let parent = parent_id.and_then(|id| self.parent_facts(id));
        let register = RegisterOrganization {
            org_id,
            parent_id,
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            level: row.level,
            region_code: row.region_code,
            territorial_rights: row.territorial_rights,
            registered_on: self.today,
            established_on: row.established_on,
            parent,
            central_exists: self.central.is_some() || self.registry.central_exists(),
        };
        // Registered, its passport, then each move; the first refusal names its column.
        let mut commands = vec![(
            OrganizationCommand::Register(register),
            Column::EstablishedOn,
        )];
        if let Some(passport) = &row.passport {
            let update = UpdatePassport {
                org_id,
                passport: passport.clone(),
                effective_on: row.passport_on,
            };
            commands.push((
                OrganizationCommand::UpdatePassport(update),
                Column::PassportOn,
            ));
        }
        for ((_, effective_on), new_parent_id) in
            row.earlier_parents.iter().zip(parent_ids.iter().skip(1))
        {
            let command = MoveOrganization {
                org_id,
                new_parent_id: *new_parent_id,
                new_parent: self.parent_facts(*new_parent_id),
                effective_on: *effective_on,
            };
            commands.push((OrganizationCommand::Move(command), Column::EarlierParents));
        }
        let mut state = None;
        let mut events = Vec::new();
        for (command, column) in commands {
            match organization::decide(&state, &command, self.today) {
                Ok(more) => {
                    more.iter()
                        .for_each(|e| organization::evolve(&mut state, e));
                    events.extend(more);
                }
                Err(error) => {
                    self.bad_codes.insert(row.code.clone());
                    let column = org_column(&error, column);
                    return Ok(Outcome::Bad(vec![BadRow::refused(
                        file,
                        row.line,
                        Some(Table::Organizations.heading(column)),
                        error,
                    )]));
                }
            }
        }
        if row.level == domain::vocabulary::organization::OrgLevel::Central {
            self.central = Some(org_id);
        }
        let append = self.stream_append(
            org_id.stream(),
            ExpectedVersion::NoStream,
            events.iter().cloned().map(Event::from),
        )?;
        self.orgs.insert(
            org_id,
            Known {
                state,
                version: events.len() as u64,
            },
        );
        self.codes.insert(row.code.clone(), (org_id, row.line));
        Ok(Outcome::Write(vec![append]))
    }

    /// Decides a dissolution listed in an organisation's row, after every member.
    ///
    /// # Errors
    /// The log failed.
    pub async fn dissolution(&mut self, file: &str, row: &OrgRow) -> Result<Outcome, Error> {
        let (Some(effective_on), Some((org_id, _))) =
            (row.dissolved_on, self.codes.get(&row.code).copied())
        else {
            return Ok(Outcome::Done);
        };
        let Some(known) = self.orgs.get(&org_id) else {
            return Ok(Outcome::Done);
        };
        if known
            .state
            .as_ref()
            .is_some_and(|o| o.dissolved_on.is_some())
        {
            return Ok(Outcome::Done);
        }
        let active = self.registry.active_in_subtree(org_id)
            + self.active.get(&org_id).copied().unwrap_or(0);
        let command = DissolveOrganization {
            org_id,
            effective_on,
            active_members_in_subtree: active,
        };
        let heading = Some(Table::Organizations.heading(Column::DissolvedOn));
        let events = match organization::decide(
            &known.state,
            &OrganizationCommand::Dissolve(command),
            self.today,
        ) {
            Ok(events) => events,
            Err(error) => {
                return Ok(Outcome::Bad(vec![BadRow::refused(
                    file, row.line, heading, error,
                )]));
            }
        };
        let append = self.stream_append(
            org_id.stream(),
            ExpectedVersion::Exact(known.version),
            events.iter().cloned().map(Event::from),
        )?;
        if let Some(known) = self.orgs.get_mut(&org_id) {
            events
                .iter()
                .for_each(|e| organization::evolve(&mut known.state, e));
            known.version += events.len() as u64;
        }
        Ok(Outcome::Write(vec![append]))
    }
}

/// The column of an organisation's row a refusal points at.
fn org_column(error: &DomainError, date: Column) -> Column {
    match error {
        DomainError::Rule(rule) => match rule {
            RuleViolation::ParentNotFound
            | RuleViolation::ParentDissolved
            | RuleViolation::ParentLevel { .. } => Column::ParentCode,
            RuleViolation::SecondCentral => Column::Level,
            RuleViolation::NotAPrimary => Column::Sector,
            _ => date,
        },
        DomainError::Validation(invalid) => match invalid {
            InvalidInput::EmptyName => Column::Name,
            InvalidInput::RegionCode { .. } => Column::RegionCode,
            InvalidInput::TerritorialRightsNotPrimary => Column::TerritorialRights,
            InvalidInput::MissingParent => Column::ParentCode,
            _ => date,
        },
        _ => Column::Code,
    }
}
