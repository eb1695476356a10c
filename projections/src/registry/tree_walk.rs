//! Members of a subtree in tree order (organisations depth first, children by
//! name, each organisation's own members before its children's), walked from
//! a cursor either way: forward after it, backward before it. Each walk costs
//! the page and the organisations on the way to the cursor, not the subtree.

use crate::registry::model::Model;
use crate::registry::orgs::MemberStatus;
use crate::registry::queries::{MemberFilter, QueryError};

/// What a backward walk takes next.
enum Step {
    /// A whole subtree, its last member first.
    Subtree(u32),
    /// An organisation's own members (those before the member given), the
    /// last first.
    Own(u32, Option<u32>),
}

impl Model {
    /// Whether `org` may hold a cursor of `filter`'s list of the subtree of `root`.
    fn in_list(&self, filter: &MemberFilter<'_>, org: u32, root: u32) -> bool {
        org == root || (filter.include_descendants && self.orgs.is_within(org, root))
    }

    /// An organisation's own members of `filter`'s status, ascending.
    fn own(&self, filter: &MemberFilter<'_>, org: u32) -> &[u32] {
        self.orgs.get(org).map_or(&[], |o| match filter.status {
            MemberStatus::Active => &o.active,
            MemberStatus::Ended => &o.ended,
        })
    }

    /// Up to `want` (organisation, member) pairs in tree order, after `after`.
    pub(crate) fn members_in_tree(
        &self,
        root: u32,
        filter: &MemberFilter<'_>,
        after: Option<(u32, u32)>,
        want: usize,
    ) -> Result<Vec<(u32, u32)>, QueryError> {
        let list = |org: u32| self.own(filter, org);
        let mut found = Vec::with_capacity(want);
        let mut stack = Vec::new();
        let (start_org, after_member) = match after {
            Some((org, member)) if self.in_list(filter, org, root) => (org, Some(member)),
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

    /// Up to `want` (organisation, member) pairs in reverse tree order,
    /// before `before` (from the end without it): the nearest first.
    pub(crate) fn members_in_tree_before(
        &self,
        root: u32,
        filter: &MemberFilter<'_>,
        before: Option<(u32, u32)>,
        want: usize,
    ) -> Result<Vec<(u32, u32)>, QueryError> {
        let mut stack = Vec::new();
        match before {
            Some((org, _)) if !self.in_list(filter, org, root) => {
                return Err(QueryError::BadCursor);
            }
            Some((org, member)) => {
                // What precedes the cursor, nearest first: its organisation's
                // earlier members, then on each level up the earlier siblings'
                // subtrees (the nearest first) and the parent's own members.
                let mut order = vec![Step::Own(org, Some(member))];
                let mut at = org;
                while at != root && filter.include_descendants {
                    let parent = self.orgs.get(at).map_or(u32::MAX, |o| o.parent);
                    let Some(siblings) = self.orgs.get(parent).map(|p| &p.children) else {
                        break;
                    };
                    let slot = match self.orgs.child_slot(parent, at) {
                        Ok(slot) | Err(slot) => slot,
                    };
                    order.extend(siblings[..slot].iter().rev().map(|&s| Step::Subtree(s)));
                    order.push(Step::Own(parent, None));
                    at = parent;
                }
                stack.extend(order.into_iter().rev());
            }
            None if filter.include_descendants => stack.push(Step::Subtree(root)),
            None => stack.push(Step::Own(root, None)),
        }
        let mut found = Vec::with_capacity(want);
        while found.len() < want {
            let Some(step) = stack.pop() else { break };
            match step {
                Step::Subtree(org) => {
                    if self.orgs.subtree_count(org, filter.status) == 0 {
                        continue;
                    }
                    // Its own members come first in tree order, so last here.
                    stack.push(Step::Own(org, None));
                    let children = self.orgs.get(org).map_or(&[][..], |o| &o.children);
                    stack.extend(children.iter().map(|&c| Step::Subtree(c)));
                }
                Step::Own(org, before_member) => {
                    let own = self.own(filter, org);
                    let end = before_member.map_or(own.len(), |m| own.partition_point(|&x| x < m));
                    let take = want - found.len();
                    found.extend(own[..end].iter().rev().take(take).map(|&m| (org, m)));
                }
            }
        }
        Ok(found)
    }
}
