//! The vault in a few kilobytes: documents fall into 256 buckets (by the last byte of their id,
//! which is random in a UUID v7), each bucket's digest is the XOR of its documents' digests,
//! and a document's digest hashes its id with its heads. Two devices compare the 256 digests
//! first, then the documents of the buckets that differ, and only then exchange documents.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use rapport_model::RecordId;

use crate::wire::WireId;

pub const BUCKETS: usize = 256;

pub fn bucket_of(id: WireId) -> u16 {
    u16::from(id.0[15])
}

/// A document's state in 8 bytes: equal digests mean the same id with the same heads.
pub fn digest(id: RecordId, heads: &[ChangeHash]) -> u64 {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut h = blake3::Hasher::new();
    h.update(id.as_bytes());
    for c in sorted {
        h.update(&c.0);
    }
    let mut out = [0u8; 8];
    out.copy_from_slice(&h.finalize().as_bytes()[..8]);
    u64::from_le_bytes(out)
}

/// Every document's digest, by id, and the per-bucket digests.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub docs: BTreeMap<WireId, u64>,
    pub buckets: Vec<u64>,
}

impl Summary {
    pub fn new(heads: &[(RecordId, Vec<ChangeHash>)]) -> Self {
        let mut s = Summary {
            docs: BTreeMap::new(),
            buckets: vec![0; BUCKETS],
        };
        for (id, h) in heads {
            s.set(*id, digest(*id, h));
        }
        s
    }

    /// Records a document's new digest (after a merge), keeping the bucket digest current.
    pub fn set(&mut self, id: RecordId, d: u64) {
        let w = WireId::from(id);
        let b = bucket_of(w) as usize;
        if let Some(old) = self.docs.insert(w, d) {
            self.buckets[b] ^= old;
        }
        self.buckets[b] ^= d;
    }

    /// The buckets whose digests differ from the peer's (all of them if the peer's summary is
    /// not the right size).
    pub fn differing(&self, theirs: &[u64]) -> Vec<u16> {
        (0..BUCKETS)
            .filter(|&b| theirs.get(b) != self.buckets.get(b))
            .map(|b| b as u16)
            .collect()
    }

    /// This side's documents in the given buckets.
    pub fn entries_in(&self, buckets: &[u16]) -> Vec<(WireId, u64)> {
        let mut wanted = [false; BUCKETS];
        for b in buckets {
            if let Some(w) = wanted.get_mut(*b as usize) {
                *w = true;
            }
        }
        self.docs
            .iter()
            .filter(|(id, _)| wanted[bucket_of(**id) as usize])
            .map(|(id, d)| (*id, *d))
            .collect()
    }
}
