//! Rapport's records: what a person, an organization, a goal, a meeting… is, how each one maps to
//! its own Automerge document, and the rules that make a record valid.
//!
//! No I/O lives here: the store persists documents, the core orchestrates operations.

/// Implements [`ts_rs::TS`] for a type whose TypeScript is written by name: ids, timestamps
/// and the vocabularies, which `rapport-core` declares itself (`typescript.rs`).
#[macro_export]
macro_rules! named_ts {
    ($ty:ty, $name:expr, $inline:expr) => {
        impl ts_rs::TS for $ty {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                $name.to_string()
            }
            fn inline(_: &ts_rs::Config) -> String {
                $inline
            }
        }
    };
}

mod clock;
mod doc;
mod error;
mod ids;
mod kinds;
mod links;
mod prose;
mod records;
mod text;
mod validate;
pub mod workflow;

pub use clock::{Clock, FixedClock, SystemClock};
pub use doc::{RecordDoc, record_from_doc, record_to_doc, record_to_doc_with_plain_prose};
pub use error::{ModelError, ValidationError};
pub use ids::{Kind, RecordId, Timestamp};
pub use kinds::*;
pub use links::link_field;
pub use prose::Prose;
pub use records::*;
pub use text::{find_control, is_control, strip_controls};
pub use validate::{LinkCheck, MAX_DEVICE_RELAYS, relay_url, validate};

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
