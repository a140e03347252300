//! Rapport's records: what a person, an organization, a goal, a meeting… is, how each one maps to
//! its own Automerge document, and the rules that make a record valid.
//!
//! No I/O lives here: the store persists documents, the core orchestrates operations.

mod clock;
mod doc;
mod error;
mod ids;
mod kinds;
mod links;
mod prose;
mod records;
mod validate;
pub mod workflow;

pub use clock::{Clock, FixedClock, SystemClock};
pub use doc::{RecordDoc, record_from_doc, record_to_doc};
pub use error::{ModelError, ValidationError};
pub use ids::{Kind, RecordId, Timestamp};
pub use kinds::*;
pub use links::link_field;
pub use prose::Prose;
pub use records::*;
pub use validate::{LinkCheck, validate};

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
