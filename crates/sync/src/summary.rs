//! The vault in a few kilobytes: documents fall into 256 buckets (by the last byte of their id,
//! which is random in a UUID v7), each bucket's digest is the XOR of its documents' digests,
//! and a document's digest hashes its id with its heads ([`rapport_store::sync_digest`]). Two
//! devices compare the 256 digests first, then the documents of the buckets that differ, and
//! only then exchange documents.
//!
//! The store keeps the bucket digests current in every write, so a summary costs 256 reads
//! whatever the vault's size; a bucket's documents are read (one prefix scan) only when that
//! bucket differs.

use std::collections::BTreeMap;

use rapport_model::RecordId;
use rapport_store::Store;
pub use rapport_store::{BUCKETS, sync_digest as digest};

use crate::Result;
use crate::wire::WireId;

pub fn bucket_of(id: WireId) -> u16 {
    u16::from(id.0[15])
}

/// The bucket digests, and the digests of the documents in the buckets read so far.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub buckets: Vec<u64>,
    /// Documents of the buckets in `loaded`, by id.
    pub docs: BTreeMap<WireId, u64>,
    loaded: Vec<bool>,
}

impl Summary {
    /// The store's summary as it is now (no document is read).
    pub fn of(store: &Store) -> Result<Self> {
        Ok(Summary {
            buckets: store.bucket_digests()?,
            docs: BTreeMap::new(),
            loaded: vec![false; BUCKETS],
        })
    }

    /// Records a document's new digest (after a merge), keeping the bucket digest current.
    /// Its bucket must have been read ([`Summary::entries_in`]).
    pub fn set(&mut self, id: RecordId, d: u64) {
        let w = WireId::from(id);
        let b = bucket_of(w) as usize;
        if let Some(old) = self.docs.insert(w, d) {
            self.buckets[b] ^= old;
        }
        self.buckets[b] ^= d;
    }

    /// The buckets whose digests differ from the peer's.
    pub fn differing(&self, theirs: &[u64]) -> Vec<u16> {
        (0..BUCKETS)
            .filter(|&b| theirs.get(b) != self.buckets.get(b))
            .map(|b| b as u16)
            .collect()
    }

    /// This side's documents in the given buckets, read from the store's heads index the
    /// first time a bucket is asked for.
    pub fn entries_in(&mut self, store: &Store, buckets: &[u16]) -> Result<Vec<(WireId, u64)>> {
        let mut wanted = vec![false; BUCKETS];
        let mut unread = Vec::new();
        for b in buckets {
            let b = usize::from(*b);
            if let Some(w) = wanted.get_mut(b) {
                *w = true;
                if !self.loaded[b] {
                    self.loaded[b] = true;
                    unread.push(b as u8);
                }
            }
        }
        for (id, heads) in store.heads_in_buckets(&unread)? {
            self.docs.insert(WireId::from(id), digest(id, &heads));
        }
        Ok(self
            .docs
            .iter()
            .filter(|(id, _)| wanted[bucket_of(**id) as usize])
            .map(|(id, d)| (*id, *d))
            .collect())
    }
}
