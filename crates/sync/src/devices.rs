//! The vault's device list and this device's pending pairings.
//!
//! Each device is a `Device` record whose id is derived from its key, so two devices that add
//! each other while pairing write the same record rather than two. The list syncs like any
//! record: a device removed on one is refused by all of them once they have synced.
//! Pending pairing secrets are device-local state (never synced), stored only as hashes.

use std::sync::Arc;

use iroh::EndpointId;
use rapport_model::{Body, Clock, Device, Kind, Meta, Record, RecordId, Timestamp, validate};
use rapport_store::{ListQuery, Store};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::ticket::PairingSecret;
use crate::{Result, SyncError};

/// A device's record id: a hash of its key, shaped as a UUID v7 like every other id.
pub fn device_id(key: &EndpointId) -> RecordId {
    let h = blake3::Hasher::new()
        .update(b"rapport device\0")
        .update(key.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.as_bytes()[..16]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    RecordId::from_bytes(b)
}

/// Why a key may not sync with this vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Revoked(Timestamp),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Unknown => f.write_str(
                "this device is not paired with that vault: pair it first (`rapport pair` on a paired device, `rapport pair --join TICKET` here)",
            ),
            Refusal::Revoked(at) => write!(
                f,
                "this device was removed from the vault on {at} and is refused by its devices"
            ),
        }
    }
}

/// The vault's devices and this device's place among them.
#[derive(Clone)]
pub struct Directory {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").finish_non_exhaustive()
    }
}

const PENDING: &str = "pairing";

#[derive(Serialize, Deserialize, Default)]
struct Pending {
    invites: Vec<Invite>,
}

#[derive(Serialize, Deserialize)]
struct Invite {
    secret_hash: [u8; 32],
    expires_ms: i64,
    used_ms: Option<i64>,
}

/// Serializes the read-modify-write of the pending secrets (one process holds a vault).
fn pending_lock() -> std::sync::MutexGuard<'static, ()> {
    static PENDING_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    PENDING_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn hash(secret: &PairingSecret) -> [u8; 32] {
    *blake3::Hasher::new()
        .update(b"rapport pairing secret\0")
        .update(&secret.0)
        .finalize()
        .as_bytes()
}

impl Directory {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Every device of the vault, removed ones included (they say when), by name.
    pub fn list(&self) -> Result<Vec<Record>> {
        let mut q = ListQuery::new(Kind::Device);
        q.limit = usize::MAX;
        Ok(self.store.list(&q)?.items)
    }

    /// The device record for `key`, if the vault knows it.
    pub fn get(&self, key: &EndpointId) -> Result<Option<Device>> {
        Ok(match self.store.get(device_id(key))? {
            Some(Record {
                body: Body::Device(d),
                meta,
            }) if meta.deleted_at.is_none() => Some(d),
            _ => None,
        })
    }

    /// Whether `key` may sync: paired and not removed.
    pub fn check(&self, key: &EndpointId) -> Result<std::result::Result<Device, Refusal>> {
        Ok(match self.get(key)? {
            None => Err(Refusal::Unknown),
            Some(d) => match d.revoked_at {
                Some(at) => Err(Refusal::Revoked(at)),
                None => Ok(d),
            },
        })
    }

    /// Adds a device to the list (pairing), or refreshes its name and where to find it: `hints`
    /// are `ip:port`s and relay URLs (anything else is dropped). A removed device stays
    /// removed: pairing cannot bring it back.
    pub fn add(&self, key: &EndpointId, name: &str, hints: &[String]) -> Result<Record> {
        let id = device_id(key);
        let now = self.clock.now();
        let key_hex = key.to_string();
        let name = if name.trim().is_empty() {
            format!("device {}", key.fmt_short())
        } else {
            name.trim().chars().take(80).collect()
        };
        let addresses: Vec<String> = hints
            .iter()
            .filter(|a| a.parse::<std::net::SocketAddr>().is_ok())
            .take(16)
            .cloned()
            .collect();
        let relays: Vec<String> = hints
            .iter()
            .filter(|r| rapport_model::relay_url(r).is_ok())
            .filter_map(|r| r.parse::<iroh::RelayUrl>().ok())
            .map(|r| r.to_string())
            .take(rapport_model::MAX_DEVICE_RELAYS)
            .collect();
        self.store.write(id, |current| {
            let mut record = match current {
                Some(r) if !r.is_deleted() => r,
                _ => Record {
                    meta: Meta {
                        id,
                        ..Meta::new_at(now)
                    },
                    body: Body::Device(Device::default()),
                },
            };
            let Body::Device(d) = &mut record.body else {
                return Err(SyncError::Rejected(format!("{id} is not a device record")));
            };
            if let Some(at) = d.revoked_at {
                return Err(SyncError::Refused(Refusal::Revoked(at).to_string()));
            }
            d.name = name;
            d.key = key_hex;
            d.addresses = addresses;
            d.relays = relays;
            record.meta.updated_at = now;
            record.body.normalize();
            validate(&record, &|_| None).map_err(|e| SyncError::Rejected(e.to_string()))?;
            Ok(record)
        })?
    }

    /// Removes a device: every device refuses it once this change reaches them.
    pub fn revoke(&self, id: RecordId) -> Result<Record> {
        let now = self.clock.now();
        self.store.write(id, |current| {
            let mut record = match current {
                Some(r) if !r.is_deleted() && r.kind() == Kind::Device => r,
                _ => {
                    return Err(SyncError::NotFound(format!(
                        "there is no device with id {id}: `rapport devices` lists them"
                    )));
                }
            };
            if let Body::Device(d) = &mut record.body
                && d.revoked_at.is_none()
            {
                d.revoked_at = Some(now);
                d.addresses.clear();
                d.relays.clear();
                record.meta.updated_at = now;
            }
            Ok(record)
        })?
    }

    fn pending(&self) -> Result<Pending> {
        Ok(match self.store.local(PENDING)? {
            Some(bytes) => postcard::from_bytes(&bytes).unwrap_or_default(),
            None => Pending::default(),
        })
    }

    fn set_pending(&self, p: &Pending) -> Result<()> {
        let bytes = postcard::to_stdvec(p).map_err(|e| SyncError::Store(e.to_string()))?;
        Ok(self.store.set_local(PENDING, Some(&bytes))?)
    }

    /// Records a new single-use secret valid until `expires_at`.
    pub fn invite(&self, secret: &PairingSecret, expires_at: Timestamp) -> Result<()> {
        let _one_at_a_time = pending_lock();
        let mut p = self.pending()?;
        let now = self.clock.now().as_millis();
        // Forget invitations that ended more than a day ago.
        p.invites
            .retain(|i| i.expires_ms.max(i.used_ms.unwrap_or(0)) + 86_400_000 > now);
        p.invites.push(Invite {
            secret_hash: hash(secret),
            expires_ms: expires_at.as_millis(),
            used_ms: None,
        });
        self.set_pending(&p)
    }

    /// Spends a secret a joining device presented: it must be one this device issued, unused
    /// and unexpired. The comparison takes the same time whichever byte differs.
    pub fn redeem(&self, secret: &PairingSecret) -> Result<()> {
        // Read, check and mark used as one step: two devices presenting the same secret at
        // once (pairings are served concurrently) must not both find it unused.
        let _one_at_a_time = pending_lock();
        let mut p = self.pending()?;
        let presented = hash(secret);
        let mut found = None;
        for (i, inv) in p.invites.iter().enumerate() {
            if bool::from(inv.secret_hash.ct_eq(&presented)) {
                found = Some(i);
            }
        }
        let now = self.clock.now();
        let Some(i) = found else {
            return Err(SyncError::Pairing(
                "the pairing code is not one this device issued: scan the code shown right now on the device you are joining".into(),
            ));
        };
        let inv = &mut p.invites[i];
        if let Some(used) = inv.used_ms {
            return Err(SyncError::Pairing(format!(
                "this pairing code was already used (at {}): start `rapport pair` again for a new one",
                Timestamp::from_millis(used)
            )));
        }
        if now.as_millis() > inv.expires_ms {
            return Err(SyncError::Pairing(format!(
                "this pairing code expired at {}: start `rapport pair` again for a new one",
                Timestamp::from_millis(inv.expires_ms)
            )));
        }
        inv.used_ms = Some(now.as_millis());
        self.set_pending(&p)
    }
}
