//! Device-to-device sync of a whole vault. The engine is transport-agnostic: a [`Session`]
//! takes the peer's messages in and hands its own out, so the same code runs over iroh and in
//! the deterministic in-process harness ([`harness`]).
//!
//! The cost follows what changed, not the vault's size: a 256-bucket summary of (id, heads)
//! is compared first, then the documents of differing buckets; documents the peer lacks travel
//! whole (saved, compressed), and only documents both sides hold in different states run
//! Automerge's sync protocol. See `docs/sync.md`.
//!
//! Not built yet (the sync issue stays open): device identity, pairing, the iroh transport,
//! live pushes while connected, sync state kept per peer across sessions.

pub mod harness;
pub mod session;
pub mod summary;
pub mod wire;

pub use session::{Session, SessionStats};
pub use wire::Message;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The peer sent something that does not decode or makes no sense.
    #[error("malformed message from the peer: {0}")]
    Malformed(String),
    #[error("a frame of {0} bytes is over the limit")]
    TooLarge(usize),
    /// The peer's document could not be merged (it does not hold a valid record).
    #[error("rejected the peer's data: {0}")]
    Rejected(String),
    #[error("storage: {0}")]
    Store(String),
    #[error("the exchange did not finish within {0} messages")]
    Stalled(u64),
}

impl From<rapport_store::StoreError> for SyncError {
    fn from(e: rapport_store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
