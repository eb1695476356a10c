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
use crate::window::Window;

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
        window: Window<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        let root = self
            .orgs
            .find(filter.org_id)
            .ok_or(QueryError::UnknownOrganization)?;
        let window = window.capped(MAX_PAGE);
        if let Some(query) = filter.search.and_then(NameQuery::new) {
            return self.members_by_name(root, filter, &query, window);
        }
        let window = window.try_map(|c| parse_pair(c, 'm'))?;
        let want = window.size() + 1;
        let found = match window {
            Window::After { after, .. } => self.members_in_tree(root, filter, after, want)?,
            Window::Before { before, .. } => {
                let mut found = self.members_in_tree_before(root, filter, before, want)?;
                found.reverse();
                found
            }
        };
        let total = if filter.include_descendants {
            self.orgs.subtree_count(root, filter.status)
        } else {
            self.orgs.get(root).map_or(0, |org| match filter.status {
                MemberStatus::Active => org.active.len() as u32,
                MemberStatus::Ended => org.ended.len() as u32,
            })
        };
        Ok(
            self.page(found, &window, u64::from(total), |(org, member)| {
                Some((format!("m{org}.{member}"), self.member_view(member)?))
            }),
        )
    }

    /// A page of organisations: the children of `parent` in name order, or every
    /// organisation in order of registration; of `level` and matching `search`
    /// (a part of the name or short name) when given.
    pub(crate) fn organizations_page(
        &self,
        parent: Option<OrgId>,
        level: Option<OrgLevel>,
        search: Option<&str>,
        window: Window<&str>,
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
        let window = window.capped(MAX_PAGE);
        // Where the cursor's organisation stands in `selected`: the number of
        // organisations before it (`past` false) or up to it (true).
        let cut = |cursor: &str, past: bool| -> Result<usize, QueryError> {
            let cursor_idx = parse_one(cursor, 'o')?;
            let cursor_org = self.orgs.get(cursor_idx).ok_or(QueryError::BadCursor)?;
            let at = (&*cursor_org.name, cursor_org.org_id);
            let key = |idx: u32| self.orgs.get(idx).map(|o| (&*o.name, o.org_id));
            Ok(match parent {
                Some(_) => selected.partition_point(|&idx| {
                    if past {
                        key(idx) <= Some(at)
                    } else {
                        key(idx) < Some(at)
                    }
                }),
                None => selected.partition_point(|&idx| {
                    if past {
                        idx <= cursor_idx
                    } else {
                        idx < cursor_idx
                    }
                }),
            })
        };
        let range = match window {
            Window::After { first, after } => {
                let start = after.map_or(Ok(0), |c| cut(c, true))?;
                start..selected.len().min(start + first + 1)
            }
            Window::Before { last, before } => {
                let end = before.map_or(Ok(selected.len()), |c| cut(c, false))?;
                end.saturating_sub(last + 1)..end
            }
        };
        let total = selected.len() as u64;
        let found = selected[range].to_vec();
        Ok(self.page(found, &window, total, |idx| {
            Some((format!("o{idx}"), self.organization_view(idx)?))
        }))
    }

    /// A page of the applications to `org_id` with `status`, oldest first.
    pub(crate) fn applications_page(
        &self,
        org_id: OrgId,
        status: ApplicationStatusKind,
        window: Window<&str>,
    ) -> Result<Page<ApplicationView>, QueryError> {
        let org = self
            .orgs
            .find(org_id)
            .ok_or(QueryError::UnknownOrganization)?;
        let window = window.capped(MAX_PAGE).try_map(|c| parse_one(c, 'a'))?;
        let all = (org, status, 0)..=(org, status, u32::MAX);
        let total = self.applications.by_org.range(all.clone()).count() as u64;
        let by_org = &self.applications.by_org;
        let found: Vec<u32> = match window {
            Window::After { first, after } => {
                let from = after.map_or(0, |a| a.saturating_add(1));
                by_org
                    .range((org, status, from)..=(org, status, u32::MAX))
                    .map(|&(_, _, idx)| idx)
                    .take(first + 1)
                    .collect()
            }
            Window::Before { last, before } => {
                let below = match before {
                    Some(before) => by_org.range((org, status, 0)..(org, status, before)),
                    None => by_org.range(all),
                };
                let mut found: Vec<u32> =
                    below.rev().map(|&(_, _, idx)| idx).take(last + 1).collect();
                found.reverse();
                found
            }
        };
        Ok(self.page(found, &window, total, |idx| {
            Some((format!("a{idx}"), self.application_view(idx)?))
        }))
    }

    /// The page of `found` (up to one item more than the window's size, in
    /// list order; see [`Window::shape`]).
    fn page<K, C, T>(
        &self,
        found: Vec<K>,
        window: &Window<C>,
        total_count: u64,
        view: impl Fn(K) -> Option<(String, T)>,
    ) -> Page<T> {
        let (found, has_previous_page, has_next_page) = window.shape(found);
        Page {
            items: found.into_iter().filter_map(view).collect(),
            has_next_page,
            has_previous_page,
            total_count,
        }
    }

    fn members_by_name(
        &self,
        root: u32,
        filter: &MemberFilter<'_>,
        query: &NameQuery,
        window: Window<&str>,
    ) -> Result<Page<MemberView>, QueryError> {
        let window = window.try_map(parse_key_pair)?;
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
        let names = &self.members.names;
        let total = names.range(&query.keys, None).filter(selected).count();
        let found: Vec<(u64, u32)> = match window {
            Window::After { first, after } => names
                .range(&query.keys, after)
                .filter(selected)
                .take(first + 1)
                .collect(),
            Window::Before { last, before } => {
                let mut found: Vec<(u64, u32)> = names
                    .range_before(&query.keys, before)
                    .filter(selected)
                    .take(last + 1)
                    .collect();
                found.reverse();
                found
            }
        };
        Ok(self.page(found, &window, total as u64, |(key, member)| {
            Some((format!("n{key}.{member}"), self.member_view(member)?))
        }))
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
