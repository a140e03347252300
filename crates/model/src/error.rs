use std::fmt;

/// A record that breaks a rule. `field` names the JSON field to fix (e.g. `emails[1].value`),
/// `message` says what is wrong and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("the document is not a Rapport record: {0}")]
    NotARecord(String),
    #[error("could not read the record from its document: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    #[error("could not write the record into its document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}
