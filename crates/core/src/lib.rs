//! The application API: every operation Rapport offers, typed and async, with one error shape.
//! The CLI, the HTTP server and the Tauri shell only translate to and from these calls.

mod api;
mod background;
mod backup;
mod calls;
pub mod drafts;
mod error;
mod ics;
pub mod import;
pub mod meeting;
mod patch;
mod progress;
pub mod questions;
pub mod seed;
pub mod sync;
pub mod typescript;
pub mod workflow;

pub use api::{
    LinkRequest, ListRequest, ListResponse, Rapport, SearchRequest, SearchResponse, SortOrder,
    default_data_dir,
};
pub use background::{
    AppEvent, PairingCode, PeerStatus, Reminder, ReminderKind, SyncOutcome, SyncStatus,
    node_config_from_env,
};
pub use backup::{BACKUP_FORMAT, Backup, MAX_BACKUP_BYTES, RestoreReport};
pub use calls::{Call, time_zone};
pub use error::{ApiError, ErrorCode};
pub use rapport_model as model;
pub use rapport_model::{Clock, FixedClock, SystemClock};
pub use rapport_store::{CheckReport, SET_ASIDE, SearchHit, StoreOptions, StoreStats};
pub use rapport_sync::{
    Node, NodeConfig, NodeHandle, RelayChoice, Route, SessionReport, SessionStats, SyncEvent,
    Ticket,
};
