//! Device-to-device sync of a whole vault. The engine is transport-agnostic: a [`Session`]
//! takes the peer's messages in and hands its own out, so the same code runs over iroh and in
//! the deterministic in-process harness ([`harness`]).
//!
//! The cost follows what changed, not the vault's size: a 256-bucket summary of (id, heads)
//! is compared first, then the documents of differing buckets; documents the peer lacks travel
//! whole (saved, compressed), and only documents both sides hold in different states run
//! Automerge's sync protocol. See `docs/sync.md`.
//!
//! Around the engine: each device's key ([`identity`]), the vault's device list and pairing
//! secrets ([`devices`]), pairing tickets ([`ticket`]), and the iroh [`node`] that pairs,
//! refuses unknown keys and runs sessions over QUIC ([`stream`]).

pub mod devices;
pub mod harness;
pub mod identity;
pub mod node;
pub mod session;
pub mod stream;
pub mod summary;
pub mod ticket;
pub mod wire;

pub use devices::{Directory, Refusal, device_id};
/// A device's public key: its id in tickets, in TLS and in the device list.
pub use iroh::EndpointId;
pub use node::{Node, NodeConfig, NodeHandle, RelayChoice, Route, SessionReport, SyncEvent};
pub use session::{Progress, Session, SessionStats};
pub use ticket::Ticket;
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
    /// A device refused this one, or this one refused it.
    #[error("{0}")]
    Refused(String),
    /// A pairing ticket or secret that cannot be used, with what to do instead.
    #[error("{0}")]
    Pairing(String),
    #[error("{0}")]
    Network(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Io(String),
}

impl From<rapport_store::StoreError> for SyncError {
    fn from(e: rapport_store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
