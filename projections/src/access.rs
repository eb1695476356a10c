//! Access: who a bearer token belongs to, with which role over which subtree.
//!
//! Only token hashes are in the log (`RoleGranted`); a request's token is hashed
//! and looked up here. A revoked holder is gone from the map the moment the
//! projector applies `RoleRevoked`.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use domain::event::{AccessEvent, Event};
use domain::ids::{OrgId, UserId};
use domain::vocabulary::access::Role;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// A token's holder.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holder {
    /// The holder's id (the `user-<uuid>` stream).
    pub user_id: UserId,
    /// The role.
    pub role: Role,
    /// The root of the subtree the role covers.
    pub org_id: OrgId,
    /// The label given at the grant, e.g. a name or e-mail.
    pub holder: String,
}

/// The access read model.
#[derive(Default)]
pub struct Access {
    model: RwLock<Model>,
}

#[derive(Default, Serialize, Deserialize)]
struct Model {
    /// Active holders by token hash.
    by_token_hash: HashMap<String, Holder>,
    /// Token hash of every active holder, by user: revocation names the user.
    token_hash_of: BTreeMap<UserId, String>,
}

impl Access {
    /// An empty model.
    pub fn new() -> Access {
        Access::default()
    }

    /// The active holder whose token hashes to `token_hash` (the form
    /// `RoleGranted` keeps), if any.
    pub fn holder_by_token_hash(&self, token_hash: &str) -> Option<Holder> {
        self.model.read().by_token_hash.get(token_hash).cloned()
    }

    /// Every active holder, in the order of their ids (grant order).
    pub fn holders(&self) -> Vec<Holder> {
        let model = self.model.read();
        model
            .token_hash_of
            .values()
            .filter_map(|hash| model.by_token_hash.get(hash).cloned())
            .collect()
    }

    /// The active holder with id `user_id`, if any.
    pub fn holder(&self, user_id: UserId) -> Option<Holder> {
        let model = self.model.read();
        let hash = model.token_hash_of.get(&user_id)?;
        model.by_token_hash.get(hash).cloned()
    }
}

impl Projection for Access {
    fn name(&self) -> &'static str {
        "access"
    }

    fn apply(&self, events: &[Applied]) {
        let mut model = self.model.write();
        for applied in events {
            match &applied.event {
                Event::Access(AccessEvent::RoleGranted {
                    user_id,
                    role,
                    org_id,
                    holder,
                    token_hash,
                }) => {
                    let holder = Holder {
                        user_id: *user_id,
                        role: *role,
                        org_id: *org_id,
                        holder: holder.clone(),
                    };
                    model.token_hash_of.insert(*user_id, token_hash.clone());
                    model.by_token_hash.insert(token_hash.clone(), holder);
                }
                Event::Access(AccessEvent::RoleRevoked { user_id }) => {
                    if let Some(hash) = model.token_hash_of.remove(user_id) {
                        model.by_token_hash.remove(&hash);
                    }
                }
                _ => {}
            }
        }
    }

    fn digest(&self) -> u64 {
        let model = self.model.read();
        let mut hasher = DefaultHasher::new();
        for (user_id, hash) in &model.token_hash_of {
            (user_id, hash, model.by_token_hash.get(hash)).hash(&mut hasher);
        }
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: Model = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}
