//! Names shared by many people, kept once: surnames, given names, patronymics.
//!
//! A person's entry in the arena holds a name as the number of its text here
//! (one to three bytes instead of a length and every letter). Each text counts
//! the entries that use it; when the last one goes (a change of name, or
//! erasure), the text's bytes are zeroed and its number reused, so an erased
//! person's name stays in memory only while it is someone else's name too.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Texts by number, with how many entries use each.
#[derive(Default)]
pub(crate) struct Dictionary {
    /// Texts in [`crate::registry::text::encode_text`]'s form; empty when free.
    texts: Vec<Box<[u8]>>,
    /// Entries using each text; 0 for a free number.
    uses: Vec<u32>,
    /// Free numbers, for reuse.
    free: Vec<u32>,
    index: HashTable<u32>,
    hasher: RandomState,
}

/// The dictionary as a snapshot keeps it: the index is made again.
#[derive(Serialize)]
struct KeptRef<'a> {
    texts: Vec<&'a [u8]>,
    uses: &'a [u32],
    free: &'a [u32],
}

#[derive(Deserialize)]
struct Kept {
    texts: Vec<Box<[u8]>>,
    uses: Vec<u32>,
    free: Vec<u32>,
}

impl Serialize for Dictionary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        KeptRef {
            texts: self.texts.iter().map(|t| &**t).collect(),
            uses: &self.uses,
            free: &self.free,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Dictionary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dictionary, D::Error> {
        let kept = Kept::deserialize(deserializer)?;
        if kept.texts.len() != kept.uses.len() {
            return Err(serde::de::Error::custom("a text without its count"));
        }
        let mut dictionary = Dictionary {
            texts: kept.texts,
            uses: kept.uses,
            free: kept.free,
            index: HashTable::new(),
            hasher: RandomState::new(),
        };
        let (texts, hasher) = (&dictionary.texts, &dictionary.hasher);
        for (id, text) in texts.iter().enumerate() {
            if dictionary.uses[id] > 0 {
                let id = u32::try_from(id).unwrap_or(u32::MAX);
                dictionary
                    .index
                    .insert_unique(hasher.hash_one(&**text), id, |&i| {
                        hasher.hash_one(&*texts[i as usize])
                    });
            }
        }
        Ok(dictionary)
    }
}

impl Dictionary {
    /// The number of `text`, counting one more use (adding it if new).
    pub(crate) fn acquire(&mut self, text: &[u8]) -> u32 {
        let hash = self.hasher.hash_one(text);
        let texts = &self.texts;
        if let Some(&id) = self.index.find(hash, |&id| &*texts[id as usize] == text) {
            self.uses[id as usize] += 1;
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => {
                self.texts[id as usize] = text.into();
                self.uses[id as usize] = 1;
                id
            }
            None => {
                self.texts.push(text.into());
                self.uses.push(1);
                u32::try_from(self.texts.len() - 1).unwrap_or(u32::MAX)
            }
        };
        let (texts, hasher) = (&self.texts, &self.hasher);
        self.index
            .insert_unique(hash, id, |&i| hasher.hash_one(&*texts[i as usize]));
        id
    }

    /// Counts one use of `id` less; the last one zeroes and frees the text.
    pub(crate) fn release(&mut self, id: u32) {
        let Some(uses) = self.uses.get_mut(id as usize).filter(|u| **u > 0) else {
            return;
        };
        *uses -= 1;
        if *uses > 0 {
            return;
        }
        let hash = self.hasher.hash_one(&*self.texts[id as usize]);
        if let Ok(entry) = self.index.find_entry(hash, |&i| i == id) {
            entry.remove();
        }
        let text = &mut self.texts[id as usize];
        text.fill(0);
        *text = Box::default();
        self.free.push(id);
    }

    /// The text numbered `id`, if in use.
    pub(crate) fn get(&self, id: u32) -> Option<&[u8]> {
        (*self.uses.get(id as usize)? > 0).then(|| &*self.texts[id as usize])
    }

    /// Bytes held, roughly.
    pub(crate) fn heap_bytes(&self) -> usize {
        let texts: usize = self.texts.iter().map(|t| t.len()).sum();
        texts
            + self.texts.capacity() * 16
            + self.uses.capacity() * 4
            + self.free.capacity() * 4
            + crate::columns::hash_table_bytes(self.index.capacity(), 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_kept_once_and_freed_with_its_last_use() {
        let mut dictionary = Dictionary::default();
        let maria = dictionary.acquire(b"maria");
        assert_eq!(dictionary.acquire(b"maria"), maria);
        let anna = dictionary.acquire(b"anna");
        assert_ne!(anna, maria);
        dictionary.release(maria);
        assert_eq!(dictionary.get(maria), Some(&b"maria"[..]));
        dictionary.release(maria);
        assert_eq!(dictionary.get(maria), None);
        dictionary.release(maria);
        assert_eq!(dictionary.acquire(b"olga"), maria, "the number is reused");
        assert_eq!(dictionary.get(anna), Some(&b"anna"[..]));
        assert_eq!(dictionary.acquire(b"maria"), 2);
    }
}
