//! Device-to-device sync: device identity, pairing, the iroh transport and the vault sync engine.
//!
//! Not built yet — this crate holds the place the design gives it (below `rapport-core`, beside
//! `rapport-store`) so the workspace has its final shape. The sync issue fills it in; until then
//! devices can only exchange documents through the store's `document_bytes` and `merge`.
