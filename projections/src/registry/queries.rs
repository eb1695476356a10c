//! The registry's lists, page by page: members of a subtree (in tree order, or
//! by name when searching), organisations, applications.
//!
//! Cursors are opaque strings this module writes and reads back; each names the
//! last item of a page, so a page goes on after it even when items were added
//! or removed in between.

use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;

use crate::registry::applications::ApplicationStatusKind;
use crate::registry::model::Model;
use crate::registry::names::{NameQuery, normalize};
use crate::registry::orgs::MemberStatus;
use crate::registry::views::{ApplicationView, MemberView, OrganizationView, Page};

/// The most items a page holds, whatever was asked: bounds the work of one query.
pub const MAX_PAGE: usize = 1000;

/// Why a list could not be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The organisation is not in the registry.
    #[error("no organisation with this id")]
    UnknownOrganization,
    /// The `after` cursor was not given out by this list.
    #[error("the cursor is not one this list gave out")]
    BadCursor,
}

/// Which members `members` lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFilter<'a> {
    /// The organisation.
    pub org_id: OrgId,
    /// Its whole subtree (true) or only its own members.
    pub include_descendants: bool,
    /// Active or former members.
    pub status: MemberStatus,
    /// A prefix of "surname name patronymic", any case, ё = е.
    pub search: Option<&'a str>,
}

impl Model {
    /// A page of the members `filter` selects: by name when searching, otherwise in
    /// tree order (organisations depth first, children by name), each
    /// organisation's members in the order they were first admitted.
    pub(crate) fn members_page(
        &self,
        filter: &MemberFilter<'_>,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        let root = self
            .orgs
            .find(filter.org_id)
            .ok_or(QueryError::UnknownOrganization)?;
        let first = first.min(MAX_PAGE);
        if let Some(query) = filter.search.and_then(NameQuery::new) {
            return self.members_by_name(root, filter, &query, first, after);
        }
        let after = after.map(|c| parse_pair(c, 'm')).transpose()?;
        let found = self.members_in_tree(root, filter, after, first + 1)?;
        let total = if filter.include_descendants {
            self.orgs.subtree_count(root, filter.status)
        } else {
            self.orgs.get(root).map_or(0, |org| match filter.status {
                MemberStatus::Active => org.active.len() as u32,
                MemberStatus::Ended => org.ended.len() as u32,
            })
        };
        Ok(self.page(found, first, u64::from(total), |(org, member)| {
            Some((format!("m{org}.{member}"), self.member_view(member)?))
        }))
    }

    /// A page of organisations: the children of `parent` in name order, or every
    /// organisation in order of registration; of `level` and matching `search`
    /// (a part of the name or short name) when given.
    pub(crate) fn organizations_page(
        &self,
        parent: Option<OrgId>,
        level: Option<OrgLevel>,
        search: Option<&str>,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<OrganizationView>, QueryError> {
        let search = search.map(normalize).filter(|s| !s.is_empty());
        let candidates: Vec<u32> = match parent {
            Some(parent) => {
                let parent = self
                    .orgs
                    .find(parent)
                    .ok_or(QueryError::UnknownOrganization)?;
                self.orgs
                    .get(parent)
                    .map(|p| p.children.clone())
                    .unwrap_or_default()
            }
            None => (0..self.orgs.records.len() as u32).collect(),
        };
        let selected: Vec<u32> = candidates
            .into_iter()
            .filter(|&idx| {
                self.orgs.get(idx).is_some_and(|org| {
                    org.registered
                        && level.is_none_or(|level| org.level == level)
                        && search
                            .as_deref()
                            .is_none_or(|s| org.search_text.contains(s))
                })
            })
            .collect();
        let start = match after {
            None => 0,
            Some(cursor) => {
                let after_idx = parse_one(cursor, 'o')?;
                let after_org = self.orgs.get(after_idx).ok_or(QueryError::BadCursor)?;
                let key = |idx: u32| self.orgs.get(idx).map(|o| (&*o.name, o.org_id));
                match parent {
                    Some(_) => selected.partition_point(|&idx| {
                        key(idx) <= Some((&*after_org.name, after_org.org_id))
                    }),
                    None => selected.partition_point(|&idx| idx <= after_idx),
                }
            }
        };
        let total = selected.len() as u64;
        let first = first.min(MAX_PAGE);
        let rest = selected.into_iter().skip(start).take(first + 1).collect();
        Ok(self.page(rest, first, total, |idx| {
            Some((format!("o{idx}"), self.organization_view(idx)?))
        }))
    }

    /// A page of the applications to `org_id` with `status`, oldest first.
    pub(crate) fn applications_page(
        &self,
        org_id: OrgId,
        status: ApplicationStatusKind,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<ApplicationView>, QueryError> {
        let org = self
            .orgs
            .find(org_id)
            .ok_or(QueryError::UnknownOrganization)?;
        let after = after.map(|c| parse_one(c, 'a')).transpose()?;
        let all = (org, status, 0)..=(org, status, u32::MAX);
        let total = self.applications.by_org.range(all.clone()).count() as u64;
        let from = after.map_or(0, |a| a.saturating_add(1));
        let first = first.min(MAX_PAGE);
        let found = self
            .applications
            .by_org
            .range((org, status, from)..=(org, status, u32::MAX))
            .map(|&(_, _, idx)| idx)
            .take(first + 1)
            .collect();
        Ok(self.page(found, first, total, |idx| {
            Some((format!("a{idx}"), self.application_view(idx)?))
        }))
    }

    fn page<K, T>(
        &self,
        mut found: Vec<K>,
        first: usize,
        total_count: u64,
        view: impl Fn(K) -> Option<(String, T)>,
    ) -> Page<T> {
        let has_next_page = found.len() > first;
        found.truncate(first);
        Page {
            items: found.into_iter().filter_map(view).collect(),
            has_next_page,
            total_count,
        }
    }

    fn members_by_name(
        &self,
        root: u32,
        filter: &MemberFilter<'_>,
        query: &NameQuery,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        let after = after.map(parse_key_pair).transpose()?;
        let selected = |&(_, member): &(u64, u32)| {
            let Some(record) = self.members.get(member) else {
                return false;
            };
            let status = if record.active {
                MemberStatus::Active
            } else {
                MemberStatus::Ended
            };
            status == filter.status
                && (record.home == root
                    || (filter.include_descendants && self.orgs.is_within(record.home, root)))
                && (query.exact
                    || self
                        .members
                        .search_name(member)
                        .is_some_and(|n| query.matches(&n)))
        };
        let total = self
            .members
            .names
            .range(&query.keys, None)
            .filter(selected)
            .count();
        let found = self
            .members
            .names
            .range(&query.keys, after)
            .filter(selected)
            .take(first + 1)
            .collect();
        Ok(self.page(found, first, total as u64, |(key, member)| {
            Some((format!("n{key}.{member}"), self.member_view(member)?))
        }))
    }

    /// Up to `want` (organisation, member) pairs in tree order, after `after`.
    fn members_in_tree(
        &self,
        root: u32,
        filter: &MemberFilter<'_>,
        after: Option<(u32, u32)>,
        want: usize,
    ) -> Result<Vec<(u32, u32)>, QueryError> {
        let list = |org: u32| -> &[u32] {
            self.orgs.get(org).map_or(&[], |o| match filter.status {
                MemberStatus::Active => &o.active,
                MemberStatus::Ended => &o.ended,
            })
        };
        let mut found = Vec::with_capacity(want);
        let mut stack = Vec::new();
        let (start_org, after_member) = match after {
            Some((org, member))
                if org == root
                    || (filter.include_descendants && self.orgs.is_within(org, root)) =>
            {
                (org, Some(member))
            }
            Some(_) => return Err(QueryError::BadCursor),
            None => (root, None),
        };
        if filter.include_descendants {
            // The later siblings of each organisation on the way down to the
            // cursor's, then the cursor's own children: what remains, in order.
            let chain: Vec<u32> = self
                .orgs
                .ancestry(start_org)
                .take_while(|&o| o != root)
                .collect();
            for &org in chain.iter().rev() {
                let parent = self.orgs.get(org).map_or(u32::MAX, |o| o.parent);
                let siblings = self.orgs.get(parent).map_or(&[][..], |p| &p.children);
                let after_slot = match self.orgs.child_slot(parent, org) {
                    Ok(slot) => slot + 1,
                    Err(slot) => slot,
                };
                stack.extend(siblings.iter().skip(after_slot).rev());
            }
            stack.extend(
                self.orgs
                    .get(start_org)
                    .map_or(&[][..], |o| &o.children)
                    .iter()
                    .rev(),
            );
        }
        let own = list(start_org);
        let from = after_member.map_or(0, |m| own.partition_point(|&x| x <= m));
        found.extend(own[from..].iter().take(want).map(|&m| (start_org, m)));
        while found.len() < want {
            let Some(org) = stack.pop() else { break };
            if self.orgs.subtree_count(org, filter.status) == 0 {
                continue;
            }
            let take = want - found.len();
            found.extend(list(org).iter().take(take).map(|&m| (org, m)));
            stack.extend(
                self.orgs
                    .get(org)
                    .map_or(&[][..], |o| &o.children)
                    .iter()
                    .rev(),
            );
        }
        Ok(found)
    }
}

fn parse_one(cursor: &str, tag: char) -> Result<u32, QueryError> {
    cursor
        .strip_prefix(tag)
        .and_then(|rest| rest.parse().ok())
        .ok_or(QueryError::BadCursor)
}

fn parse_pair(cursor: &str, tag: char) -> Result<(u32, u32), QueryError> {
    let (a, b) = cursor
        .strip_prefix(tag)
        .and_then(|rest| rest.split_once('.'))
        .ok_or(QueryError::BadCursor)?;
    Ok((
        a.parse().map_err(|_| QueryError::BadCursor)?,
        b.parse().map_err(|_| QueryError::BadCursor)?,
    ))
}

fn parse_key_pair(cursor: &str) -> Result<(u64, u32), QueryError> {
    let (a, b) = cursor
        .strip_prefix('n')
        .and_then(|rest| rest.split_once('.'))
        .ok_or(QueryError::BadCursor)?;
    Ok((
        a.parse().map_err(|_| QueryError::BadCursor)?,
        b.parse().map_err(|_| QueryError::BadCursor)?,
    ))
}
