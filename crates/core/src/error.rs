use rapport_model::{ModelError, ValidationError};
use rapport_store::StoreError;
use rapport_sync::SyncError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The closed set of error codes the UI (and the CLI's exit code) branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input breaks a rule; the message names the field and the fix. Nothing changed.
    Validation,
    /// No live record has that id.
    NotFound,
    /// Another process has the data directory open.
    AlreadyOpen,
    /// The disk or the stored data failed us.
    Storage,
    /// Another device refused this one (not paired, removed), or a pairing code cannot be
    /// used (already used, expired, not issued here).
    Refused,
    /// Another device could not be reached, or the connection failed.
    Network,
    /// A bug: this should not happen.
    Internal,
}

// Declared with the other vocabularies in the generated TypeScript.
rapport_model::named_ts!(ErrorCode, "ErrorCode", "ErrorCode".to_string());

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::AlreadyOpen,
        ErrorCode::Storage,
        ErrorCode::Refused,
        ErrorCode::Network,
        ErrorCode::Internal,
    ];
}

/// Every API failure: `{"code": "validation", "message": "email: 'x' is not an email address …"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, TS)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: shorten(message.into()),
        }
    }
    pub fn validation(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::Validation, format!("{field}: {message}"))
    }
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("there is no {what}"))
    }
    /// True for input the user can fix (the CLI exits with 2 for these).
    pub fn is_bad_input(&self) -> bool {
        matches!(self.code, ErrorCode::Validation | ErrorCode::NotFound)
    }
}

/// The longest message an error carries, in bytes.
const MAX_MESSAGE: usize = 1000;

/// A message that quotes a huge input (a 20 MB name, a 100 KB "id") keeps its start (the field
/// and the start of the value) and its end (usually the fix), not the whole input.
fn shorten(message: String) -> String {
    if message.len() <= MAX_MESSAGE {
        return message;
    }
    let keep = MAX_MESSAGE / 2 - 40;
    let mut head = keep;
    while !message.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = message.len() - keep;
    while !message.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{} … ({} bytes left out) … {}",
        &message[..head],
        tail - head,
        &message[tail..]
    )
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::new(ErrorCode::Validation, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::AlreadyOpen { .. } | StoreError::AlreadyOpenUnknown { .. } => {
                ErrorCode::AlreadyOpen
            }
            StoreError::Rejected(_) => ErrorCode::Validation,
            StoreError::Model(m) if matches!(**m, ModelError::Invalid(_)) => ErrorCode::Validation,
            _ => ErrorCode::Storage,
        };
        Self::new(code, e.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::new(
            ErrorCode::Internal,
            format!("a background task failed: {e}"),
        )
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        let code = match &e {
            SyncError::Refused(_) | SyncError::Pairing(_) => ErrorCode::Refused,
            SyncError::NotFound(_) => ErrorCode::NotFound,
            SyncError::Store(_) | SyncError::Io(_) => ErrorCode::Storage,
            SyncError::Network(_)
            | SyncError::Malformed(_)
            | SyncError::TooLarge(_)
            | SyncError::Rejected(_)
            | SyncError::Stalled(_) => ErrorCode::Network,
        };
        Self::new(code, e.to_string())
    }
}
