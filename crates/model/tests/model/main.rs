//! The records: round trips through documents and JSON, merges, and every validation rule.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod merge;
mod roundtrip;
mod validation;
