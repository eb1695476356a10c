//! The history, decided: every planned action becomes a command, the real
//! charter decides it on the state the generator keeps, the events are evolved
//! into that state and encoded into append requests, in the plan's order.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::application::{
    self, Application, ApproveApplication, RejectApplication, SubmitApplication,
};
use domain::card::{self, ReserveCardNumber};
use domain::card_number::CardNumber;
use domain::event::Event;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::organization::Organization;
use domain::person::{
    self, AdmitMember, EndMembership, ErasePersonalData, HomeFacts, IssueCard, Person,
    PersonCommand, TransferMember, UpdateMember,
};
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalDataPatch, Profession, ProfilePatch,
};
use eventlog::{AppendRequest, ExpectedVersion, StreamAppend, codec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::Error;
use crate::hierarchy::Tree;
use crate::members::{Traits, personal, phone, profile};
use crate::names::random_surname;
use crate::plan::{Action, END_REASONS, Kind};
use crate::random::uuid_on;

/// The envelope's actor of every generated request.
pub const ACTOR: &str = "generator";

/// Why one action could not be turned into events.
#[derive(Debug)]
pub(crate) enum Step {
    Charter(domain::error::DomainError),
    Codec(eventlog::codec::CodecError),
}

impl<E: Into<domain::error::DomainError>> From<E> for Step {
    fn from(error: E) -> Step {
        Step::Charter(error.into())
    }
}

/// What the charter needs to know of a person (the rest is in the log).
pub(crate) struct PersonState {
    pub(crate) person: Person,
    pub(crate) version: u64,
}

/// The generator's in-memory registry while it decides the history.
pub struct History<'a> {
    pub(crate) seed: u64,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) tree: &'a Tree,
    pub(crate) people: &'a [Traits],
    pub(crate) orgs: Vec<Option<Organization>>,
    pub(crate) org_versions: Vec<u64>,
    pub(crate) org_index: HashMap<OrgId, u32>,
    /// Active members whose home is each organisation.
    pub(crate) active_in: Vec<u64>,
    pub(crate) persons: Vec<Option<PersonState>>,
    pub(crate) applications: HashMap<u32, Application>,
    card_sequences: [u64; 100],
    /// Seats per unit of planned weight (members ÷ total weight).
    pub(crate) seats_per_weight: f64,
    /// Requests not yet handed on.
    pub(crate) batch: Vec<AppendRequest>,
    pub(crate) batch_events: usize,
    /// Events decided so far.
    pub events: u64,
}

impl<'a> History<'a> {
    /// An empty registry for `tree` and `people`.
    pub fn new(
        seed: u64,
        tree: &'a Tree,
        people: &'a [Traits],
        seats_per_weight: f64,
    ) -> History<'a> {
        History {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed.wrapping_add(2)),
            tree,
            people,
            orgs: vec![None; tree.orgs.len()],
            org_versions: vec![0; tree.orgs.len()],
            org_index: tree
                .orgs
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id, i as u32))
                .collect(),
            active_in: vec![0; tree.orgs.len()],
            persons: (0..people.len()).map(|_| None).collect(),
            applications: HashMap::new(),
            card_sequences: [0; 100],
            seats_per_weight,
            batch: Vec::new(),
            batch_events: 0,
            events: 0,
        }
    }

    /// Decides `action`, entered on `action.entry`.
    ///
    /// # Errors
    /// [`Error::Charter`] when the charter refuses it (a bug of the plan).
    pub fn apply(&mut self, action: &Action) -> Result<(), Error> {
        let outcome = match action.kind {
            Kind::Register | Kind::Passport | Kind::Rename | Kind::Move | Kind::Dissolve => {
                self.organisation(action)
            }
            Kind::Submit => self.submit(action),
            Kind::Approve => self.approve(action),
            Kind::Reject => self.reject(action),
            _ => self.person_action(action),
        };
        outcome.map_err(|step| match step {
            Step::Charter(source) => Error::Charter {
                action: format!("{action:?}"),
                source,
            },
            Step::Codec(source) => Error::Codec(source),
        })
    }

    /// Takes the requests decided so far.
    pub fn take_batch(&mut self) -> Vec<AppendRequest> {
        self.batch_events = 0;
        std::mem::take(&mut self.batch)
    }

    /// Persons who are active members now.
    pub fn active_members(&self) -> u64 {
        self.persons
            .iter()
            .flatten()
            .filter(|p| p.person.is_active())
            .count() as u64
    }

    pub(crate) fn home_facts(&self, org: u32) -> HomeFacts {
        match &self.orgs[org as usize] {
            Some(o) if o.dissolved_on.is_some() => {
                HomeFacts::dissolved(o.level).established(o.established_on)
            }
            Some(o) => HomeFacts::open(o.level).established(o.established_on),
            None => HomeFacts::not_found(),
        }
    }

    /// Adds one atomic request of `streams` (stream name, version before, events).
    pub(crate) fn push(
        &mut self,
        streams: Vec<(String, u64, Vec<Event>)>,
        erase: Vec<String>,
    ) -> Result<(), Step> {
        let mut appends = Vec::with_capacity(streams.len());
        for (stream, version, events) in streams {
            let expected = if version == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(version)
            };
            let events: Vec<_> = events
                .iter()
                .map(codec::encode)
                .collect::<Result<_, _>>()
                .map_err(Step::Codec)?;
            self.events += events.len() as u64;
            self.batch_events += events.len();
            appends.push(StreamAppend {
                stream,
                expected,
                events,
            });
        }
        self.batch.push(AppendRequest {
            streams: appends,
            command_id: None,
            actor: ACTOR.into(),
            correlation_id: Some(uuid::Uuid::from_u128(self.rng.random())),
            causation_id: None,
            erase_personal_data_of: erase,
        });
        Ok(())
    }

    fn person_id_for(&mut self, n: u32, on: NaiveDate) -> PersonId {
        match &self.persons[n as usize] {
            Some(state) => state
                .person
                .person_id
                .unwrap_or(PersonId(uuid::Uuid::nil())),
            None => PersonId(uuid_on(&mut self.rng, on)),
        }
    }

    /// Decides `command` for person `n`, evolves the state and returns the events.
    fn decide_person(
        &mut self,
        n: u32,
        command: PersonCommand,
        today: NaiveDate,
    ) -> Result<(PersonId, u64, Vec<Event>), domain::error::DomainError> {
        let state = self.persons[n as usize].get_or_insert_with(|| PersonState {
            person: Person::default(),
            version: 0,
        });
        let events = person::decide(&state.person, &command, today)?;
        for event in &events {
            person::evolve(&mut state.person, event);
        }
        // Keep only what decide reads: the current spell and the active card.
        let keep = state.person.spells.len().saturating_sub(1);
        state.person.spells.drain(..keep);
        let active = state.person.active_card;
        state
            .person
            .cards
            .retain(|card| Some(card.number) == active);
        state.person.personal = None;
        state.person.profile = None;
        let version = state.version;
        state.version += events.len() as u64;
        let id = state
            .person
            .person_id
            .unwrap_or(PersonId(uuid::Uuid::nil()));
        Ok((id, version, events.into_iter().map(Event::from).collect()))
    }

    fn home_of(&self, n: u32) -> Option<u32> {
        let home = self.persons[n as usize].as_ref()?.person.home?;
        self.org_index.get(&home).copied()
    }

    fn person_action(&mut self, action: &Action) -> Result<(), Step> {
        let n = action.subject;
        let traits = self.people[n as usize];
        let today = action.entry;
        let person_id = self.person_id_for(n, action.effective);
        let mut erase = Vec::new();
        let mut extra = None;
        let command: PersonCommand = match action.kind {
            Kind::Admit => {
                let known = self.persons[n as usize].is_some();
                let personal = personal(self.seed, u64::from(n), &traits);
                let snils_holder = (known && personal.snils.is_some()).then_some(person_id);
                self.active_in[action.arg as usize] += 1;
                AdmitMember {
                    person_id,
                    home_org: self.tree.orgs[action.arg as usize].id,
                    home: self.home_facts(action.arg),
                    effective_on: action.effective,
                    profile: profile(&traits),
                    personal,
                    snils_holder,
                    application_id: None,
                }
                .into()
            }
            Kind::Transfer => {
                if let Some(from) = self.home_of(n) {
                    self.active_in[from as usize] -= 1;
                }
                self.active_in[action.arg as usize] += 1;
                TransferMember {
                    person_id,
                    to_org: self.tree.orgs[action.arg as usize].id,
                    to: self.home_facts(action.arg),
                    effective_on: action.effective,
                }
                .into()
            }
            Kind::Card => {
                let home = self.home_of(n).unwrap_or(0) as usize;
                let region = self.tree.orgs[home].region.max(1);
                let sequence = &mut self.card_sequences[usize::from(region)];
                *sequence += 1;
                let number = CardNumber::new(region, *sequence)
                    .map_err(|_| domain::rules::RuleViolation::CardNumberTaken)?;
                let kind = if action.arg == 1 {
                    CardKind::Plastic
                } else {
                    CardKind::Virtual
                };
                let reserve = ReserveCardNumber {
                    number,
                    person_id,
                    issued_on: action.effective,
                };
                extra = Some((
                    domain::event::card_stream(number),
                    card::decide(&None, &reserve, today)?,
                ));
                IssueCard {
                    person_id,
                    number,
                    kind,
                    issued_on: action.effective,
                }
                .into()
            }
            Kind::Update => self.update(person_id, &traits, action.arg).into(),
            Kind::End => {
                if let Some(home) = self.home_of(n) {
                    self.active_in[home as usize] -= 1;
                }
                let reason = END_REASONS[action.arg as usize % END_REASONS.len()];
                let basis = (reason == EndReason::Expulsion).then(|| {
                    format!(
                        "Решение профсоюзного комитета от {}, протокол № {}",
                        action.effective.format("%d.%m.%Y"),
                        self.rng.random_range(1..40)
                    )
                });
                EndMembership {
                    person_id,
                    reason,
                    basis,
                    effective_on: action.effective,
                }
                .into()
            }
            _ => {
                // The person's key and those of the applications they came from.
                erase = self.persons[n as usize].as_ref().map_or_else(
                    || vec![person_id.stream()],
                    |state| state.person.personal_data_streams(),
                );
                ErasePersonalData {
                    person_id,
                    basis: "Заявление об отзыве согласия на обработку персональных данных".into(),
                }
                .into()
            }
        };
        let (person_id, version, events) = self.decide_person(n, command, today)?;
        let mut streams = vec![(person_id.stream(), version, events)];
        if let Some((stream, events)) = extra {
            streams.push((stream, 0, events.into_iter().map(Event::from).collect()));
        }
        self.push(streams, erase)
    }

    fn update(&mut self, person_id: PersonId, traits: &Traits, arg: u32) -> UpdateMember {
        let mut profile = ProfilePatch::default();
        let mut personal = PersonalDataPatch::default();
        match arg {
            1 if traits.gender == Gender::Female => {
                personal.last_name = Some(random_surname(&mut self.rng, Gender::Female))
            }
            2 if traits.category == MemberCategory::Worker => {
                profile.profession = Some(Profession::Head);
                profile.position = Some("заместитель руководителя".into());
            }
            _ => personal.phone = Some(phone(&mut self.rng)),
        }
        UpdateMember {
            person_id,
            profile,
            personal,
            snils_holder: None,
        }
    }

    fn submit(&mut self, action: &Action) -> Result<(), Step> {
        let n = action.subject;
        let traits = self.people[n as usize];
        let command = SubmitApplication {
            application_id: ApplicationId(uuid_on(&mut self.rng, action.effective)),
            org_id: self.tree.orgs[action.arg as usize].id,
            org: self.home_facts(action.arg),
            submitted_on: action.effective,
            profile: profile(&traits),
            personal: personal(self.seed, u64::from(n), &traits),
            consent: true,
        };
        let events = application::decide(&None, &command.into(), action.entry)?;
        let mut state = None;
        for event in &events {
            application::evolve(&mut state, event);
        }
        if let Some(application) = state {
            self.applications.insert(n, application);
        }
        let stream = ApplicationId::stream(&events_app_id(&events));
        self.push(
            vec![(stream, 0, events.into_iter().map(Event::from).collect())],
            vec![],
        )
    }

    fn approve(&mut self, action: &Action) -> Result<(), Step> {
        let n = action.subject;
        let application =
            self.applications
                .remove(&n)
                .ok_or(domain::error::DomainError::NotFound {
                    what: "application",
                })?;
        let person_id = self.person_id_for(n, action.effective);
        let approve = ApproveApplication {
            application_id: application.application_id,
            person_id,
            decided_on: action.entry,
        };
        let app_events =
            application::decide(&Some(application.clone()), &approve.into(), action.entry)?;
        let admit =
            application::admission(&application, person_id, self.home_facts(action.arg), None)?;
        self.active_in[action.arg as usize] += 1;
        let (person_id, version, events) = self.decide_person(n, admit.into(), action.entry)?;
        let app_stream = (
            application.application_id.stream(),
            1,
            app_events.into_iter().map(Event::from).collect(),
        );
        self.push(
            vec![app_stream, (person_id.stream(), version, events)],
            vec![],
        )
    }

    fn reject(&mut self, action: &Action) -> Result<(), Step> {
        let application = self.applications.remove(&action.subject).ok_or(
            domain::error::DomainError::NotFound {
                what: "application",
            },
        )?;
        let reject = RejectApplication {
            application_id: application.application_id,
            reason: "Заявитель не работает и не обучается в организации".into(),
            decided_on: action.entry,
        };
        let events = application::decide(&Some(application.clone()), &reject.into(), action.entry)?;
        self.push(
            vec![(
                application.application_id.stream(),
                1,
                events.into_iter().map(Event::from).collect(),
            )],
            vec![],
        )
    }
}

fn events_app_id(events: &[domain::event::ApplicationEvent]) -> ApplicationId {
    events
        .first()
        .map_or(ApplicationId(uuid::Uuid::nil()), |e| e.application_id())
}
