//! Snapshots of the read models: every model written at one position, so a
//! start folds only the log after it.
//!
//! A snapshot is one file (`file.rs`): the position, the id of the event there
//! (so a snapshot of another log, or of a log restored to an earlier state, is
//! never taken for this one), the layout's fingerprint (`build.rs`: a
//! snapshot of another build is discarded), and each model's bytes
//! ([`crate::runtime::Projection::save`], postcard), sealed a chunk at a time
//! with the key derived from the log's key file. The store (`store.rs`) keeps
//! one, replaced atomically; the projector writes it at quiet moments and at
//! a clean stop, and deletes it when it applies an erasure, before the
//! erasure is visible to anyone: no snapshot on disk holds data an
//! acknowledged erasure removed.

mod file;
mod store;
mod taking;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use file::Section;
pub use store::{Loaded, SnapshotStore};
pub(crate) use taking::{Request, Snapshots};
pub use taking::{SNAPSHOT_EVERY, SNAPSHOT_INTERVAL};

/// The layout of the models this build writes and reads.
pub const FINGERPRINT: [u8; 32] = include!(concat!(env!("OUT_DIR"), "/fingerprint.rs"));

/// Why a snapshot was not written or not used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Reading or writing the file.
    #[error("snapshot file: {0}")]
    Io(#[from] std::io::Error),
    /// A model's bytes do not decode (or did not encode).
    #[error("snapshot of {model}: {source}")]
    Encoding {
        /// The model.
        model: &'static str,
        /// What postcard said.
        source: postcard::Error,
    },
    /// The file is not whole: changed, cut short, or sealed with another key.
    #[error("the snapshot is damaged: {0}")]
    Damaged(String),
    /// Written by another build or of another log: of no use here.
    #[error("the snapshot is stale: {0}")]
    Stale(String),
}

/// Puts a model read back from a snapshot in place; called once every model
/// has been read, so a failure in one leaves all of them as they were.
pub type Install = Box<dyn FnOnce() + Send>;

/// Writes `value` into `out` as [`restore`] reads it.
///
/// # Errors
/// [`SnapshotError::Encoding`] or the file's IO error.
pub fn save<T: Serialize>(
    model: &'static str,
    value: &T,
    out: &mut Section<'_>,
) -> Result<(), SnapshotError> {
    match postcard::to_io(value, &mut *out) {
        Ok(_) => Ok(()),
        Err(source) => Err(SnapshotError::Encoding { model, source }),
    }
}

/// The value [`save`] wrote into `bytes`, which must hold nothing else.
///
/// # Errors
/// [`SnapshotError::Encoding`] when the bytes are not such a value.
pub fn restore<T: DeserializeOwned>(model: &'static str, bytes: &[u8]) -> Result<T, SnapshotError> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(SnapshotError::Damaged(format!(
            "{model}: {} bytes follow the model",
            rest.len()
        ))),
        Err(source) => Err(SnapshotError::Encoding { model, source }),
    }
}

/// A field kept in a snapshot as its JSON text: for the domain's values whose
/// serde form only a self-describing format reads (flattened fields, fields
/// left out when empty), rare enough that the text costs nothing.
pub(crate) mod as_json {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(value).map_err(S::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}

/// A day kept as its number (days from the common era), not chrono's text.
pub(crate) mod day {
    use chrono::{Datelike, NaiveDate};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        day: &NaiveDate,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        day.num_days_from_ce().serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<NaiveDate, D::Error> {
        let number = i32::deserialize(deserializer)?;
        NaiveDate::from_num_days_from_ce_opt(number).ok_or_else(|| D::Error::custom("no such day"))
    }
}

/// [`day`] for a day that may be missing.
pub(crate) mod day_opt {
    use chrono::{Datelike, NaiveDate};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        day: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        day.map(|day| day.num_days_from_ce()).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(deserializer)? {
            None => Ok(None),
            Some(number) => NaiveDate::from_num_days_from_ce_opt(number)
                .map(Some)
                .ok_or_else(|| D::Error::custom("no such day")),
        }
    }
}

/// A card number kept as its 13 digits' number, checked again when read.
pub(crate) mod card_number {
    use domain::card_number::CardNumber;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        number: &CardNumber,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        number.as_number().serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<CardNumber, D::Error> {
        let number = u64::deserialize(deserializer)?;
        CardNumber::from_number(number).ok_or_else(|| D::Error::custom("not a card number"))
    }
}

/// Collections read back at their exact size. serde's own impls grow a
/// vector or a map from a cautious first capacity by doubling, copying and
/// rehashing on the way, and end up to twice as large as the model folded
/// live; postcard says every length up front, so the collection is made
/// once, as large as it was.
pub(crate) mod exact {
    use std::collections::{HashMap, HashSet};
    use std::fmt;
    use std::hash::{BuildHasher, Hash};
    use std::marker::PhantomData;

    use serde::de::{MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};

    /// The most items made room for before any is read: a length past it
    /// (no model of a union has one) grows as it is read.
    const MOST: usize = 1 << 27;

    struct Items<C>(PhantomData<C>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<Vec<T>> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(items.size_hint().unwrap_or(0).min(MOST));
            while let Some(item) = items.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }

    impl<'de, K, V, S> Visitor<'de> for Items<HashMap<K, V, S>>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        S: BuildHasher + Default,
    {
        type Value = HashMap<K, V, S>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
            let room = items.size_hint().unwrap_or(0).min(MOST);
            let mut out = HashMap::with_capacity_and_hasher(room, S::default());
            while let Some((key, value)) = items.next_entry()? {
                out.insert(key, value);
            }
            Ok(out)
        }
    }

    impl<'de, T, S> Visitor<'de> for Items<HashSet<T, S>>
    where
        T: Deserialize<'de> + Eq + Hash,
        S: BuildHasher + Default,
    {
        type Value = HashSet<T, S>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a set")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
            let room = items.size_hint().unwrap_or(0).min(MOST);
            let mut out = HashSet::with_capacity_and_hasher(room, S::default());
            while let Some(item) = items.next_element()? {
                out.insert(item);
            }
            Ok(out)
        }
    }

    pub(crate) fn vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(Items::<Vec<T>>(PhantomData))
    }

    pub(crate) fn map<'de, D, K, V, S>(deserializer: D) -> Result<HashMap<K, V, S>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        S: BuildHasher + Default,
    {
        deserializer.deserialize_map(Items::<HashMap<K, V, S>>(PhantomData))
    }

    pub(crate) fn set<'de, D, T, S>(deserializer: D) -> Result<HashSet<T, S>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Eq + Hash,
        S: BuildHasher + Default,
    {
        deserializer.deserialize_seq(Items::<HashSet<T, S>>(PhantomData))
    }
}
