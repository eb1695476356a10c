//! The registry's digest: every field of every table, in index order, so a live
//! model and one rebuilt from position 0 hash alike.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::registry::model::Model;

impl Model {
    /// A deterministic digest of the whole model.
    pub(crate) fn digest(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.position.hash(&mut h);
        for org in &self.orgs.records {
            (
                org.org_id,
                &org.name,
                &org.short_name,
                org.level,
                org.region_code,
            )
                .hash(&mut h);
            (
                org.territorial_rights,
                org.registered,
                org.parent,
                &org.children,
            )
                .hash(&mut h);
            (org.dissolved_on, org.version, &org.active, &org.ended).hash(&mut h);
            (org.established_on, org.passport_from).hash(&mut h);
            (org.subtree_active, org.subtree_ended).hash(&mut h);
            if let Some(passport) = &org.passport {
                let (p, on) = &**passport;
                (
                    p.sector,
                    p.employees,
                    p.students,
                    &p.chair_name,
                    &p.address,
                    on,
                )
                    .hash(&mut h);
                (&p.phone, &p.email).hash(&mut h);
            }
        }
        for (idx, m) in self.members.records.iter().enumerate() {
            (
                m.person_id,
                m.home,
                m.version,
                m.last_card,
                m.joined_on,
                m.ended_on,
            )
                .hash(&mut h);
            (
                m.birth_year,
                m.gender,
                m.category,
                m.profession,
                m.end_reason,
            )
                .hash(&mut h);
            (m.active, m.erased, self.members.text(m.position)).hash(&mut h);
            let idx = idx as u32;
            self.members.earlier.get(&idx).hash(&mut h);
            self.members.readmitted_at.get(&idx).hash(&mut h);
            if let Some(p) = self.members.personal(idx) {
                (&p.last_name, &p.first_name, &p.patronymic, p.birth_date).hash(&mut h);
                (p.snils.map(|s| s.digits()), &p.email, &p.phone).hash(&mut h);
            }
        }
        for (idx, c) in self.cards.records.iter().enumerate() {
            (
                c.number,
                c.member,
                c.previous,
                c.issued_by,
                c.issued_on,
                c.blocked_on,
            )
                .hash(&mut h);
            (c.kind, c.block, self.cards.block_reason(idx as u32)).hash(&mut h);
        }
        for a in &self.applications.records {
            a.hash(&mut h);
        }
        self.members.names.len().hash(&mut h);
        h.finish()
    }
}
