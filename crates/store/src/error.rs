use std::path::PathBuf;

/// Everything the store can fail with. The messages say what happened and, where there is one,
/// what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data directory {dir} is already open by pid {pid}; close that Rapport first")]
    AlreadyOpen { dir: PathBuf, pid: u32 },
    #[error("the data directory {dir} is already open by another process; close it first")]
    AlreadyOpenUnknown { dir: PathBuf },
    #[error("could not use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Db(Box<sled::Error>),
    #[error("document error: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    #[error(transparent)]
    Model(Box<rapport_model::ModelError>),
    #[error("search index error: {0}")]
    Search(String),
    #[error("stored data is damaged: {0} (run `rapport doctor --rebuild`)")]
    Corrupt(String),
    /// The database files themselves cannot be read (a disk fault, a power cut that tore the
    /// log where older data lives): nothing is opened, so nothing more is lost.
    #[error(
        "the vault's database files are damaged and were not opened ({0}); keep a copy of the \
         data directory, then restore your last backup into a new one (`rapport import json \
         FILE`) or sync a new one from another device"
    )]
    Damaged(String),
    #[error("{0}")]
    Rejected(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

// Boxed so every `Result` of the store stays small (these errors are rare and large).
impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { at, .. } => Self::Damaged(match at {
                Some(at) => format!("unreadable data at {at:?}"),
                None => "unreadable data".into(),
            }),
            // sled read less of its own files than it expected: they were cut short.
            sled::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                Self::Damaged(format!("the files end early: {io}"))
            }
            e => Self::Db(Box::new(e)),
        }
    }
}

impl From<automerge::AutomergeError> for StoreError {
    fn from(e: automerge::AutomergeError) -> Self {
        Self::Automerge(Box::new(e))
    }
}

impl From<rapport_model::ModelError> for StoreError {
    fn from(e: rapport_model::ModelError) -> Self {
        Self::Model(Box::new(e))
    }
}

impl From<tantivy::TantivyError> for StoreError {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Search(e.to_string())
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_end_early_are_damaged_other_io_errors_are_not() {
        let short: StoreError = sled::Error::Io(std::io::ErrorKind::UnexpectedEof.into()).into();
        assert!(matches!(short, StoreError::Damaged(_)), "{short:?}");
        let denied: StoreError =
            sled::Error::Io(std::io::ErrorKind::PermissionDenied.into()).into();
        assert!(matches!(denied, StoreError::Db(_)), "{denied:?}");
    }
}
