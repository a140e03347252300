//! The store on sled and in memory: conformance, projections, durability, search, locking.

mod common;
mod conformance;
mod durability;
mod projections;
mod reading;
mod search;
