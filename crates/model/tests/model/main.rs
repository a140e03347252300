//! The records: round trips through documents and JSON, merges, and every validation rule; and
//! the etiquette check of outreach messages against a labelled corpus.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod etiquette;
mod merge;
mod roundtrip;
mod validation;
