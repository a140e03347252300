//! The store on sled and in memory: conformance, projections, durability, search, locking.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;
mod conformance;
mod durability;
mod final_facts;
mod killed;
mod power_cut;
mod projections;
mod reading;
mod search;
