//! Finding a value's place in a list by hashing the value, with the list as the only
//! copy of it: a hash table of positions, compared through the list.
//!
//! A map from each name (or value) to its position keeps a second copy of every key and
//! 24 to 32 bytes per slot; this table keeps 4. For a program of many small flows the
//! name and intern tables are most of what lowering and checking touch at random, and
//! their size decided how much of the build ran from cache (issue 18's scaling bench).
//! Equal values must hash equal; values that merely share a hash are told apart by the
//! comparison, as in any hash table, so a collision costs a probe, never a scan.

use std::hash::{Hash, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxHasher;

/// Positions in one list, found by the hash of the value at each.
#[derive(Clone, Debug, Default)]
pub(crate) struct IndexOf(HashTable<u32>);

impl IndexOf {
    /// Room for `n` positions, so that the table is not rehashed as it grows.
    pub fn with_capacity(n: usize) -> IndexOf {
        IndexOf(HashTable::with_capacity(n))
    }

    /// The position whose value `is` accepts, among those with `hash`.
    pub fn get(&self, hash: u64, is: impl Fn(usize) -> bool) -> Option<usize> {
        self.0
            .find(hash, |&at| is(at as usize))
            .map(|&at| at as usize)
    }

    /// The position whose value `is` accepts among those with `hash`; when there is
    /// none, records `next` for it (one probe for both) and gives `None`. `hash_at` is
    /// as for [`IndexOf::insert`].
    pub fn find_or_insert(
        &mut self,
        hash: u64,
        next: u32,
        is: impl Fn(usize) -> bool,
        hash_at: impl Fn(usize) -> u64,
    ) -> Option<usize> {
        let entry = self
            .0
            .entry(hash, |&at| is(at as usize), |&at| hash_at(at as usize));
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => Some(*found.get() as usize),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(next);
                None
            }
        }
    }

    /// Records position `at`, whose value hashes to `hash`; `hash_at` gives the hash of
    /// the value at each position already recorded, for when the table grows.
    pub fn insert(&mut self, hash: u64, at: u32, hash_at: impl Fn(usize) -> u64) {
        self.0.insert_unique(hash, at, |&it| hash_at(it as usize));
    }
}

/// The hash of a name, as [`IndexOf`] tables of names use it.
pub(crate) fn hash_str(text: &str) -> u64 {
    let mut h = FxHasher::default();
    text.hash(&mut h);
    h.finish()
}
