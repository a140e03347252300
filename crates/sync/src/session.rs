//! One sync session with one peer, as a state machine that takes messages in and hands
//! messages out, so any transport (iroh, a test harness) can drive it.
//!
//! Both sides run the same steps: send the summary; for buckets that differ, send the entries;
//! for each document, send it whole if the peer lacks it, or run Automerge's sync protocol if
//! both have it in different states; say `Idle` with the counts of data messages sent and
//! received whenever there is nothing left to send. The session is over when both sides are
//! idle with matching counts: everything either side sent has been received and handled.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use rapport_model::RecordId;
use rapport_store::{Prepared, Store};

use crate::summary::{BUCKETS, Summary, digest};
use crate::wire::{Message, WireId};
use crate::{Result, SyncError};

/// What a session moved, for status and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct SessionStats {
    pub documents_sent: u64,
    pub documents_received: u64,
    pub sync_messages_sent: u64,
    pub sync_messages_received: u64,
    /// Documents whose state changed here because of the peer.
    pub documents_changed: u64,
    /// Frame bytes on the wire each way (counted by the transport; zero in the harness).
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// How far a session has got, in documents: what a status screen shows while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Progress {
    /// Documents still to move in this session: ones the peer holds in a state this device
    /// lacks (not yet received and stored), and ones queued here to send whole.
    pub pending: u64,
    /// Documents moved so far: received and stored (or brought up to the peer's state by
    /// Automerge's protocol), and sent whole.
    pub done: u64,
}

pub struct Session {
    store: Arc<Store>,
    summary: Summary,
    outbox: VecDeque<Message>,
    sent: u64,
    received: u64,
    last_idle: Option<(u64, u64)>,
    peer_idle: Option<(u64, u64)>,
    peer_summary_seen: bool,
    syncing: HashMap<WireId, (AutoCommit, sync::State)>,
    /// Whole documents received and not yet stored: they are stored in batches, one durable
    /// write for many documents (a first sync brings thousands).
    arrived: Vec<(RecordId, Vec<u8>)>,
    /// The previous full batch, being loaded on other threads while this one keeps receiving
    /// and writing: loading documents and writing them take about as long, so overlapping them
    /// keeps both cores busy.
    preparing: Option<std::thread::JoinHandle<Prepared>>,
    /// Documents the peer's entries show in a state this device lacks, until they are stored.
    awaited: HashSet<WireId>,
    /// Documents to send whole, read from the store one at a time as the connection takes
    /// them (reading them all first kept the peer waiting, and them all in memory).
    to_send: VecDeque<WireId>,
    done: u64,
    pub stats: SessionStats,
}

/// Whole documents stored per durable write.
const MERGE_BATCH: usize = 512;

impl Session {
    /// Starts a session over the store's current state; the summary is the first message.
    pub fn new(store: Arc<Store>) -> Result<Self> {
        let summary = Summary::of(&store)?;
        let mut outbox = VecDeque::new();
        outbox.push_back(Message::Summary(summary.buckets.clone()));
        Ok(Self {
            store,
            summary,
            outbox,
            sent: 0,
            received: 0,
            last_idle: None,
            peer_idle: None,
            peer_summary_seen: false,
            syncing: HashMap::new(),
            arrived: Vec::new(),
            preparing: None,
            awaited: HashSet::new(),
            to_send: VecDeque::new(),
            done: 0,
            stats: SessionStats::default(),
        })
    }

    /// Stores the whole documents received so far. Call it when no more input is waiting;
    /// [`Session::next_outgoing`] does before saying it is idle.
    pub fn flush(&mut self) -> Result<()> {
        self.store_prepared()?;
        if !self.arrived.is_empty() {
            let batch = std::mem::take(&mut self.arrived);
            self.store_batch(Store::prepare(batch))?;
        }
        Ok(())
    }

    /// A full batch arrived: it starts loading on other threads, and the batch loaded before
    /// it is stored meanwhile (in arrival order, so a later copy of a document lands last).
    fn hand_over(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.arrived);
        let previous = self
            .preparing
            .replace(std::thread::spawn(move || Store::prepare(batch)));
        match previous {
            Some(p) => self.store_batch(join(p)?),
            None => Ok(()),
        }
    }

    /// Stores the batch being loaded, if any.
    fn store_prepared(&mut self) -> Result<()> {
        match self.preparing.take() {
            Some(p) => self.store_batch(join(p)?),
            None => Ok(()),
        }
    }

    fn store_batch(&mut self, mut batch: Prepared) -> Result<()> {
        if let Err(e) = self.store.merge_prepared(&mut batch) {
            // One bad document refused the batch: store the others one by one, then report it.
            let mut refused = Err(SyncError::Rejected(e.to_string()));
            for (id, bytes) in batch.items() {
                if let Err(e) = self.merge(WireId::from(*id), bytes) {
                    refused = Err(e);
                }
            }
            return refused;
        }
        for (id, _) in batch.items() {
            self.note_merged(*id)?;
            self.settled(WireId::from(*id));
        }
        Ok(())
    }

    /// How far the session has got (nothing is pending once it is done).
    pub fn progress(&self) -> Progress {
        Progress {
            pending: if self.is_done() {
                0
            } else {
                (self.awaited.len() + self.to_send.len()) as u64
            },
            done: self.done,
        }
    }

    /// A document the peer holds is now here in (at least) the peer's state.
    fn settled(&mut self, id: WireId) {
        if self.awaited.remove(&id) {
            self.done += 1;
        }
    }

    /// After a merge: the summary still holds the document's digest from before it, so a
    /// different digest now means the peer changed it here.
    fn note_merged(&mut self, id: RecordId) -> Result<()> {
        let now = digest(id, &self.store.heads_of(id)?);
        if self.summary.docs.get(&WireId::from(id)) != Some(&now) {
            self.stats.documents_changed += 1;
            self.summary.set(id, now);
        }
        Ok(())
    }

    /// The next message to send, if any. Fails only if storing what arrived fails.
    pub fn next_outgoing(&mut self) -> Result<Option<Message>> {
        let next = match self.outbox.pop_front() {
            Some(m) => Some(m),
            None => self.next_document()?,
        };
        if let Some(m) = next {
            self.sent += 1;
            match &m {
                Message::Document { .. } => {
                    self.stats.documents_sent += 1;
                    self.done += 1;
                }
                Message::Sync { .. } => self.stats.sync_messages_sent += 1,
                _ => {}
            }
            return Ok(Some(m));
        }
        // Idle means everything received is handled, stored included. While the peer is still
        // sending documents they are stored in batches of MERGE_BATCH: a flush each time the
        // input runs dry would make one durable write for every few documents.
        let peer_sent_all = self
            .peer_idle
            .is_some_and(|(sent, _)| sent == self.received);
        if (!self.arrived.is_empty() || self.preparing.is_some()) && !peer_sent_all {
            return Ok(None);
        }
        self.flush()?;
        // Idle can only be said once the peer's summary is in: before it, there is more to do.
        let now = (self.sent, self.received);
        if self.peer_summary_seen && self.last_idle != Some(now) {
            self.last_idle = Some(now);
            return Ok(Some(Message::Idle {
                sent: now.0,
                received: now.1,
            }));
        }
        Ok(None)
    }

    /// The next document to send whole, read now.
    fn next_document(&mut self) -> Result<Option<Message>> {
        while let Some(id) = self.to_send.pop_front() {
            if let Some(bytes) = self.store.document_bytes(id.into())? {
                return Ok(Some(Message::Document { id, bytes }));
            }
        }
        Ok(None)
    }

    /// True when both sides have said everything and heard everything.
    pub fn is_done(&self) -> bool {
        self.outbox.is_empty()
            && self.to_send.is_empty()
            && self.arrived.is_empty()
            && self.preparing.is_none()
            && self.last_idle == Some((self.sent, self.received))
            && self.peer_idle == Some((self.received, self.sent))
    }

    /// Handles one message from the peer. An error means the peer sent something invalid:
    /// the session should end (nothing it sent so far is half-applied).
    pub fn receive(&mut self, msg: Message) -> Result<()> {
        if let Message::Idle { sent, received } = msg {
            self.peer_idle = Some((sent, received));
            return Ok(());
        }
        self.received += 1;
        match msg {
            Message::Summary(theirs) => {
                if theirs.len() != BUCKETS {
                    return Err(SyncError::Malformed(format!(
                        "a summary of {} buckets (expected {BUCKETS})",
                        theirs.len()
                    )));
                }
                self.peer_summary_seen = true;
                let buckets = self.summary.differing(&theirs);
                if !buckets.is_empty() {
                    let entries = self.summary.entries_in(&self.store, &buckets)?;
                    self.outbox.push_back(Message::Entries { buckets, entries });
                }
            }
            Message::Entries { buckets, entries } => {
                if let Some(b) = buckets.iter().find(|b| **b as usize >= BUCKETS) {
                    return Err(SyncError::Malformed(format!("bucket {b} does not exist")));
                }
                let theirs: HashMap<WireId, u64> = entries.into_iter().collect();
                let mine = self.summary.entries_in(&self.store, &buckets)?;
                let held: HashMap<WireId, u64> = mine.iter().copied().collect();
                self.awaited.extend(
                    theirs
                        .iter()
                        .filter(|(id, d)| held.get(id) != Some(d))
                        .map(|(id, _)| *id),
                );
                for (id, mine) in mine {
                    match theirs.get(&id) {
                        None => self.to_send.push_back(id),
                        Some(d) if *d != mine => self.start_sync(id)?,
                        Some(_) => {}
                    }
                }
            }
            Message::Document { id, bytes } => {
                self.stats.documents_received += 1;
                let id = RecordId::from(id);
                if self.arrived.iter().any(|(a, _)| *a == id) {
                    self.flush()?;
                }
                self.arrived.push((id, bytes));
                if self.arrived.len() >= MERGE_BATCH {
                    self.hand_over()?;
                }
            }
            Message::Sync { id, message } => {
                self.stats.sync_messages_received += 1;
                self.flush()?;
                let message = sync::Message::decode(&message)
                    .map_err(|e| SyncError::Malformed(format!("a sync message: {e}")))?;
                let (mut doc, mut state) = match self.syncing.remove(&id) {
                    Some(s) => s,
                    None => (self.load(id)?, sync::State::new()),
                };
                let before = doc.get_heads();
                doc.sync()
                    .receive_sync_message(&mut state, message)
                    .map_err(|e| SyncError::Malformed(format!("a sync message: {e}")))?;
                if doc.get_heads() != before {
                    let changes = doc.save_after(&before);
                    self.merge(id, &changes)?;
                }
                // Every change the peer's heads name is here: nothing more to receive for it.
                if state
                    .their_heads
                    .as_ref()
                    .is_some_and(|h| h.iter().all(|c| doc.get_change_by_hash(c).is_some()))
                {
                    self.settled(id);
                }
                if let Some(reply) = doc.sync().generate_sync_message(&mut state) {
                    self.outbox.push_back(Message::Sync {
                        id,
                        message: reply.encode(),
                    });
                }
                self.syncing.insert(id, (doc, state));
            }
            Message::Idle { .. } => {}
        }
        Ok(())
    }

    fn load(&self, id: WireId) -> Result<AutoCommit> {
        match self.store.document_bytes(id.into())? {
            Some(bytes) => AutoCommit::load(&bytes)
                .map_err(|e| SyncError::Store(format!("document {}: {e}", RecordId::from(id)))),
            None => Ok(AutoCommit::new()),
        }
    }

    fn start_sync(&mut self, id: WireId) -> Result<()> {
        if self.syncing.contains_key(&id) {
            return Ok(());
        }
        let mut doc = self.load(id)?;
        let mut state = sync::State::new();
        if let Some(m) = doc.sync().generate_sync_message(&mut state) {
            self.outbox.push_back(Message::Sync {
                id,
                message: m.encode(),
            });
        }
        self.syncing.insert(id, (doc, state));
        Ok(())
    }

    /// Folds the peer's changes into the stored document (projections follow) and keeps the
    /// summary current.
    fn merge(&mut self, id: WireId, changes: &[u8]) -> Result<()> {
        let rid = RecordId::from(id);
        self.store
            .merge(rid, changes)
            .map_err(|e| SyncError::Rejected(format!("document {rid}: {e}")))?;
        self.note_merged(rid)
    }
}

/// The documents a loading thread prepared.
fn join(preparing: std::thread::JoinHandle<Prepared>) -> Result<Prepared> {
    preparing
        .join()
        .map_err(|_| SyncError::Store("loading received documents failed".into()))
}
