//! Stories across crates: a phone and a laptop with one vault.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod offline_devices;
