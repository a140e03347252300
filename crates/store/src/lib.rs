//! Rapport's storage: one Automerge document per record, kept in sled as a compacted snapshot
//! plus incremental changes, and the projections that make reading fast (the hydrated record,
//! sorted indexes, a full-text index) derived from those documents.
//!
//! Documents are the truth; projections are rebuilt from them at any time
//! ([`Store::rebuild_projections`]). A write returns only after it is flushed to disk.

mod codec;
mod error;
mod keys;
pub mod kv;
mod lock;
mod recovery;
mod salvage;
mod search;
mod store;

pub use error::StoreError;
pub use kv::{KvStore, MemKv, SledKv, WriteBatch};
pub use salvage::SET_ASIDE;
pub use search::SearchHit;
pub use store::{
    BUCKETS, CheckReport, ListOrder, ListQuery, Page, Prepared, Store, StoreOptions, StoreStats,
    sync_digest,
};
