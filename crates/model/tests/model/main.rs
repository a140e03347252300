//! The records: round trips through documents and JSON, merges, and every validation rule.

mod merge;
mod roundtrip;
mod validation;
