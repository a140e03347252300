//! The store: documents in, projections out.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use automerge::{ActorId, AutoCommit, ChangeHash};
use lru::LruCache;
use rapport_model::{
    Kind, Record, RecordId, Timestamp, keep_final, record_from_doc, record_to_doc,
    record_to_doc_with_plain_prose,
};
use serde::Serialize;
use ts_rs::TS;

use crate::codec;
use crate::error::{Result, StoreError};
use crate::keys;
use crate::kv::{Direction, KvStore, MemKv, SledKv, WriteBatch};
use crate::lock::{DirLock, private_dir};
use crate::recovery::{LastClose, OpenMarker, damaged_on_panic};
use crate::salvage::Salvage;
use crate::search::{SearchHit, SearchIndex};

/// Tunables, with defaults sized for a phone.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// How many documents stay loaded (each costs ~20 KB).
    pub cached_docs: usize,
    /// sled's page cache, in bytes.
    pub db_cache_bytes: u64,
    /// A document's incremental changes are folded into one snapshot once there are this many.
    pub compact_after_chunks: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            cached_docs: 256,
            db_cache_bytes: 16 << 20,
            compact_after_chunks: 32,
        }
    }
}

/// How a list is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// By name or title, A to Z.
    #[default]
    Name,
    /// Most recently changed first.
    Updated,
}

/// What to list: one kind, optionally only the records of one organization or goal.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub kind: Kind,
    pub order: ListOrder,
    /// Only the records about this person (meetings, outreach, tasks).
    pub person: Option<RecordId>,
    pub organization: Option<RecordId>,
    pub goal: Option<RecordId>,
    /// Where the previous page stopped ([`Page::next`]).
    pub after: Option<String>,
    pub limit: usize,
}

impl ListQuery {
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            order: ListOrder::Name,
            person: None,
            organization: None,
            goal: None,
            after: None,
            limit: 50,
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page {
    pub items: Vec<Record>,
    /// Pass as [`ListQuery::after`] for the next page; none at the end.
    pub next: Option<String>,
}

/// What `doctor` finds when it compares the projections with the documents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct CheckReport {
    pub documents: u64,
    pub records_mismatched: u64,
    pub records_missing: u64,
    pub records_orphaned: u64,
    pub index_keys_missing: u64,
    pub index_keys_stray: u64,
    /// Kinds whose live-record count differs from the documents'.
    pub counts_wrong: u64,
    /// Sync buckets whose stored digest differs from their documents' heads.
    #[serde(default)]
    pub buckets_wrong: u64,
    pub unreadable_documents: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.records_mismatched == 0
            && self.records_missing == 0
            && self.records_orphaned == 0
            && self.index_keys_missing == 0
            && self.index_keys_stray == 0
            && self.counts_wrong == 0
            && self.buckets_wrong == 0
            && self.unreadable_documents.is_empty()
    }
}

/// Sizes and counts.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, TS)]
pub struct StoreStats {
    pub documents: u64,
    pub change_chunks: u64,
    /// Snapshots and change chunks together.
    pub document_bytes: u64,
    /// The projected records (JSON).
    pub record_bytes: u64,
    pub index_entries: u64,
    /// The database's files (not the search index).
    pub disk_bytes: u64,
}

struct Loaded {
    doc: AutoCommit,
    chunks: u32,
}

struct WriteState {
    seq: u64,
}

/// A document changed in memory, waiting for its batch to reach the disk.
struct Staged {
    id: RecordId,
    loaded: Option<Loaded>,
    record: Option<Record>,
    /// Set when the document changed.
    seq: Option<u64>,
    keep: bool,
    /// How the number of live records of a kind changed (+1 created, −1 deleted).
    counted: Option<(Kind, i64)>,
    /// The XOR to apply to the document's sync bucket (old digest ^ new digest).
    bucket_delta: Option<(u8, u64)>,
    /// How the record's facets changed (`tally::facets`): each counter key and its delta.
    tallies: Vec<(Vec<u8>, i64)>,
}

/// The record store. Cheap to share behind an `Arc`; writes are serialized inside.
pub struct Store {
    kv: Box<dyn KvStore>,
    dir: Option<PathBuf>,
    opts: StoreOptions,
    actor: ActorId,
    writes: Mutex<WriteState>,
    docs: Mutex<LruCache<RecordId, Loaded>>,
    search: Mutex<Option<SearchIndex>>,
    /// Called with the new sequence number after each durable write; dropped when they return
    /// false (see [`Store::on_write`]).
    watchers: Mutex<Vec<Watcher>>,
    /// Removed when the store closes cleanly ([`crate::recovery`]).
    marker: Option<OpenMarker>,
    /// What was wrong when the vault was opened after the machine went down with it open.
    recovered: Option<CheckReport>,
    /// What the open mended first ([`crate::salvage`]).
    repairs: Vec<String>,
    _lock: Option<DirLock>,
}

type Watcher = Box<dyn Fn(u64) -> bool + Send + Sync>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| StoreError::Corrupt("an earlier operation panicked inside the store".into()))
}

/// The largest page a list returns.
const MAX_PAGE: usize = 1000;

impl Store {
    /// Opens the vault in `dir`, creating it (owner-only) if needed. Fails with
    /// [`StoreError::AlreadyOpen`] if another process has it open.
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Self> {
        Ok(Self::open_dir(dir, opts, false)?.0)
    }

    /// Like [`Store::open`], after rewriting the database files to give back the space held by
    /// old versions (the vacuum of `rapport doctor --compact`). Returns the bytes before and after.
    pub fn open_rewritten(dir: &Path, opts: StoreOptions) -> Result<(Self, u64, u64)> {
        let (store, sizes) = Self::open_dir(dir, opts, true)?;
        let (before, after) = sizes.unwrap_or_default();
        Ok((store, before, after))
    }

    /// Locks `dir` and opens its database, rewritten first if `rewrite` (returning the bytes
    /// before and after). What a process killed part-way left is mended first
    /// ([`crate::salvage`]). If the machine went down while the vault was open, or a repair found
    /// real damage, the database is rewritten too and then verified ([`crate::recovery`]).
    fn open_dir(
        dir: &Path,
        opts: StoreOptions,
        rewrite: bool,
    ) -> Result<(Self, Option<(u64, u64)>)> {
        private_dir(dir)?;
        let lock = DirLock::acquire(dir)?;
        let db = dir.join("db");
        let mut salvage = Salvage::new(dir);
        salvage.before_open(&db)?;
        let mut lock = Some(lock);
        loop {
            match Self::open_locked(dir, &db, opts.clone(), rewrite, &mut lock) {
                Err(StoreError::Damaged(why)) => {
                    if !salvage.found_damage && salvage.after_refusal(&db)? {
                        // Checked before it is used, even if this process dies first.
                        OpenMarker::require_check(dir)?;
                        if lock.is_none() {
                            lock = Some(DirLock::acquire(dir)?);
                        }
                        continue;
                    }
                    return Err(salvage.refusal(why));
                }
                Ok((mut store, sizes)) => {
                    store.repairs = salvage.done;
                    return Ok((store, sizes));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Opens the database of the locked `dir` (the lock moves into the store once it opens).
    fn open_locked(
        dir: &Path,
        db: &Path,
        opts: StoreOptions,
        rewrite: bool,
        lock: &mut Option<DirLock>,
    ) -> Result<(Self, Option<(u64, u64)>)> {
        let last = OpenMarker::last_close(dir);
        // After a power loss the old marker stays until the vault is verified, so a failed or
        // interrupted verification is tried again at the next open.
        let marker = match last {
            LastClose::MachineDown => None,
            LastClose::Clean | LastClose::ProcessDied => Some(OpenMarker::set(dir)?),
        };
        let cache = opts.db_cache_bytes;
        // After a power loss the recovered log is copied into fresh files before anything is
        // written to it: sled 0.34 recovers a torn log, but writing on top of one was seen to
        // leave pages it could not read at the next open (`power_cut.rs`).
        if last == LastClose::MachineDown {
            // Said before the work starts: on a large vault it takes a while (RELIABILITY.md §1).
            tracing::warn!(
                dir = %dir.display(),
                "this vault was open when the machine went down (or a repair found damage): \
                 copying it into fresh files and checking every document before it is used"
            );
        }
        let sizes = if rewrite || last == LastClose::MachineDown {
            let repack = |key: &[u8], value: Vec<u8>| match key.first() {
                // The rewritten database compresses its pages, which does better on plain JSON
                // (field names repeat from record to record) than value-by-value compression.
                Some(&keys::RECORD) => Ok(codec::unpack(&value)?.into_owned()),
                _ => Ok(value),
            };
            Some(damaged_on_panic("the database could not be read", || {
                SledKv::rewrite(db, cache, &repack)
            })?)
        } else {
            None
        };
        let kv = SledKv::open(db, cache)?;
        let mut store = damaged_on_panic("the database could not be read", || {
            Self::with_kv(Box::new(kv), Some(dir.to_path_buf()), opts, lock.take())
        })?;
        store.marker = match marker {
            Some(m) => Some(m),
            None => {
                store.recovered = Some(store.verify_after_power_loss()?);
                Some(OpenMarker::set(dir)?)
            }
        };
        Ok((store, sizes))
    }

    /// What the open that made this store mended before it used the files (a summary of the
    /// log a killed process left unfinished, …): empty after a clean close.
    pub fn repairs(&self) -> &[String] {
        &self.repairs
    }

    /// Compares every projection with the documents and rebuilds them if they disagree;
    /// refuses the vault (as damaged) if a document cannot be read. Returns what was wrong.
    fn verify_after_power_loss(&self) -> Result<CheckReport> {
        let unreadable = |e: StoreError| match e {
            StoreError::Automerge(_) | StoreError::Corrupt(_) | StoreError::Model(_) => {
                StoreError::Damaged(format!(
                    "a document cannot be read after the machine went down: {e}"
                ))
            }
            e => e,
        };
        let report = damaged_on_panic("the database could not be read", || self.check())
            .map_err(unreadable)?;
        if !report.unreadable_documents.is_empty() {
            return Err(StoreError::Damaged(format!(
                "{} of {} documents cannot be read after the machine went down",
                report.unreadable_documents.len(),
                report.documents
            )));
        }
        if !report.is_clean() {
            tracing::warn!(
                ?report,
                "the projections disagreed with the documents after the machine went down; \
                 rebuilding them"
            );
            // Rebuilt straight away: `rebuild_projections` would check every document again.
            damaged_on_panic("the database could not be read", || {
                self.rederive_projections()
            })?;
        } else {
            tracing::info!(
                documents = report.documents,
                "verified after the machine went down"
            );
        }
        Ok(report)
    }

    /// What was wrong with the projections when this vault was opened after the machine went
    /// down while it was open (rebuilt since); none if it closed normally or only the process died.
    pub fn recovered_after_power_loss(&self) -> Option<&CheckReport> {
        self.recovered.as_ref()
    }

    /// A store that lives in memory only (tests, the sync harness).
    pub fn in_memory() -> Self {
        Self::in_memory_with(StoreOptions::default())
    }

    /// An in-memory store with the given tunables.
    pub fn in_memory_with(opts: StoreOptions) -> Self {
        Self::with_kv(Box::new(MemKv::new()), None, opts, None)
            .unwrap_or_else(|e| unreachable!("an in-memory store cannot fail to open: {e}"))
    }

    /// A store over any [`KvStore`] (in memory when `dir` is none).
    fn with_kv(
        kv: Box<dyn KvStore>,
        dir: Option<PathBuf>,
        opts: StoreOptions,
        lock: Option<DirLock>,
    ) -> Result<Self> {
        let seq = match kv.get(keys::SEQ)? {
            Some(v) => u64::from_be_bytes(
                v.as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("the sequence number".into()))?,
            ),
            None => 0,
        };
        let actor = match kv.get(keys::ACTOR)? {
            Some(bytes) => ActorId::from(bytes),
            None => {
                let actor = ActorId::random();
                let mut b = WriteBatch::default();
                b.put(keys::ACTOR, actor.to_bytes().to_vec());
                kv.apply(b)?;
                kv.flush()?;
                actor
            }
        };
        let cap = NonZeroUsize::new(opts.cached_docs.max(1)).unwrap_or(NonZeroUsize::MIN);
        let store = Self {
            kv,
            dir,
            actor,
            writes: Mutex::new(WriteState { seq }),
            docs: Mutex::new(LruCache::new(cap)),
            search: Mutex::new(None),
            watchers: Mutex::default(),
            opts,
            marker: None,
            recovered: None,
            repairs: Vec::new(),
            _lock: lock,
        };
        store.ensure_heads_index()?;
        store.ensure_agenda_index()?;
        Ok(store)
    }

    /// Vaults written before the heads index and bucket digests had their current layout get
    /// them once, from their documents.
    fn ensure_heads_index(&self) -> Result<()> {
        if self.kv.get(keys::HEADS_READY)?.is_some() {
            return Ok(());
        }
        let _w = lock(&self.writes)?;
        let mut batch = WriteBatch::default();
        for prefix in [keys::HEADS, keys::BUCKET] {
            for (k, _) in self
                .kv
                .scan(&[prefix], None, Direction::Forward, usize::MAX)?
            {
                batch.delete(k);
            }
        }
        batch.delete(b"Sheads-ready".to_vec());
        self.kv.apply(std::mem::take(&mut batch))?;
        let mut buckets = Buckets::default();
        for id in self.document_ids()? {
            if let Some(mut l) = self.load_doc(id)? {
                let heads = l.doc.get_heads();
                buckets.add(id, &heads);
                batch.put(keys::heads(id), heads_bytes(&heads));
            }
            if batch.len() > 2048 {
                self.kv.apply(std::mem::take(&mut batch))?;
            }
        }
        buckets.write(&mut batch);
        batch.put(keys::HEADS_READY, Vec::new());
        self.kv.apply(batch)?;
        self.kv.flush()
    }

    /// Vaults written before the agenda and candidate indexes get them once, from their record
    /// projections (no document is loaded).
    fn ensure_agenda_index(&self) -> Result<()> {
        if self.kv.get(keys::AGENDA_READY)?.is_some() {
            return Ok(());
        }
        let _w = lock(&self.writes)?;
        let mut batch = WriteBatch::default();
        for (k, _) in self
            .kv
            .scan(&[keys::TALLY], None, Direction::Forward, usize::MAX)?
        {
            batch.delete(k);
        }
        let mut tallies = Tallies::default();
        for (_, v) in self
            .kv
            .scan(&[keys::RECORD], None, Direction::Forward, usize::MAX)?
        {
            let r = decode(&v)?;
            tallies.add(&r);
            for k in keys::index_keys(&r).into_iter().filter(|k| {
                matches!(
                    k.first(),
                    Some(&keys::AGENDA | &keys::CANDIDATE | &keys::REFERRAL | &keys::LEARNED)
                )
            }) {
                batch.put(k, Vec::new());
            }
            if batch.len() > 2048 {
                self.kv.apply(std::mem::take(&mut batch))?;
            }
        }
        tallies.write(&mut batch);
        batch.put(keys::AGENDA_READY, Vec::new());
        self.kv.apply(batch)?;
        self.kv.flush()
    }

    /// What falls due of one kind before `until` (and from `from`, if given): the due times
    /// and record ids, soonest first (or latest first), read from the agenda index alone — the
    /// caller reads the records it shows.
    pub fn agenda(
        &self,
        what: rapport_model::workflow::agenda::Due,
        from: Option<Timestamp>,
        until: Timestamp,
        latest_first: bool,
    ) -> Result<Vec<(Timestamp, RecordId)>> {
        let prefix = [keys::AGENDA, what.tag()];
        let bound = |t: Timestamp, fill: u8| {
            let mut k = prefix.to_vec();
            k.extend_from_slice(&keys::time(t));
            k.extend_from_slice(&[fill; 16]);
            k
        };
        let (dir, after) = if latest_first {
            // Scanning down from just after the last id at `until - 1 ms`.
            let last = Timestamp::from_millis(until.as_millis() - 1);
            let mut k = bound(last, 0xff);
            k.push(0);
            (Direction::Backward, Some(k))
        } else {
            // Scanning up from just before the first id at `from`.
            let first = from.map(|f| bound(Timestamp::from_millis(f.as_millis() - 1), 0xff));
            (Direction::Forward, first)
        };
        let mut out = Vec::new();
        for (k, _) in self.kv.scan(&prefix, after.as_deref(), dir, usize::MAX)? {
            let (Some(at), Some(id)) = (
                k.get(2..10).and_then(keys::time_from),
                keys::trailing_id(&k),
            ) else {
                continue;
            };
            if latest_first {
                if from.is_some_and(|f| at < f) {
                    break;
                }
            } else if at >= until {
                break;
            }
            out.push((at, id));
        }
        Ok(out)
    }

    fn tally_at(&self, key: &[u8]) -> Result<u64> {
        Ok(match self.kv.get(key)? {
            Some(v) => u64::from_be_bytes(
                v.as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("a counter".into()))?,
            ),
            None => 0,
        })
    }

    /// The counters whose facet starts with `prefix` (`"stage:"`, `"held:"`…): (the rest of
    /// the facet, the count), in facet order.
    pub fn tallies(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for (k, v) in self
            .kv
            .scan(&keys::tally(prefix), None, Direction::Forward, usize::MAX)?
        {
            let facet = String::from_utf8_lossy(&k[1 + prefix.len()..]).into_owned();
            let n = v
                .as_slice()
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt("a counter".into()))?;
            out.push((facet, n));
        }
        Ok(out)
    }

    /// Every referral: (who referred, who was referred, whether a conversation came of it).
    pub fn referrals(&self) -> Result<Vec<(RecordId, RecordId, bool)>> {
        Ok(self
            .kv
            .scan(&[keys::REFERRAL], None, Direction::Forward, usize::MAX)?
            .into_iter()
            .filter_map(|(k, _)| {
                let id = |r: std::ops::Range<usize>| {
                    let b: [u8; 16] = k.get(r)?.try_into().ok()?;
                    Some(RecordId::from_bytes(b))
                };
                Some((id(1..17)?, id(17..33)?, *k.get(33)? == 1))
            })
            .collect())
    }

    /// The meetings with takeaways, latest first, at most `limit`.
    pub fn learned(&self, limit: usize) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        for (k, _) in self
            .kv
            .scan(&[keys::LEARNED], None, Direction::Backward, limit)?
        {
            out.extend(self.record_at(&k)?);
        }
        Ok(out)
    }

    /// People not yet contacted, best first by their own record: (base score, id).
    pub fn candidates(&self) -> Result<Vec<(u32, RecordId)>> {
        Ok(self
            .kv
            .scan(&[keys::CANDIDATE], None, Direction::Forward, usize::MAX)?
            .into_iter()
            .filter_map(|(k, _)| {
                let score = u32::MAX - u32::from_be_bytes(k.get(1..5)?.try_into().ok()?);
                Some((score, keys::trailing_id(&k)?))
            })
            .collect())
    }

    /// Every document's id and heads, read from the heads index (tests compare them with the
    /// bucket digests; sync reads only the buckets that differ).
    #[cfg(test)]
    fn all_heads(&self) -> Result<Vec<(RecordId, Vec<ChangeHash>)>> {
        self.heads_under(&[keys::HEADS])
    }

    /// The ids and heads of the documents in the given sync buckets (see [`sync_digest`]):
    /// one prefix scan per bucket, no document loaded.
    pub fn heads_in_buckets(&self, buckets: &[u8]) -> Result<Vec<(RecordId, Vec<ChangeHash>)>> {
        let mut out = Vec::new();
        for b in buckets {
            out.extend(self.heads_under(&[keys::HEADS, *b])?);
        }
        Ok(out)
    }

    fn heads_under(&self, prefix: &[u8]) -> Result<Vec<(RecordId, Vec<ChangeHash>)>> {
        self.kv
            .scan(prefix, None, Direction::Forward, usize::MAX)?
            .into_iter()
            .map(|(k, v)| {
                let id = keys::trailing_id(&k)
                    .ok_or_else(|| StoreError::Corrupt("a heads key without an id".into()))?;
                Ok((id, parse_heads(id, &v)?))
            })
            .collect()
    }

    /// The vault's sync summary: for each of the 256 buckets, the XOR of its documents'
    /// [`sync_digest`]s. Kept current by every write, so this reads 256 small keys.
    pub fn bucket_digests(&self) -> Result<Vec<u64>> {
        let mut out = vec![0u64; BUCKETS];
        for (k, v) in self
            .kv
            .scan(&[keys::BUCKET], None, Direction::Forward, BUCKETS)?
        {
            let (Some(b), Ok(d)) = (k.get(1), <[u8; 8]>::try_from(v.as_slice())) else {
                return Err(StoreError::Corrupt("a sync bucket digest".into()));
            };
            out[usize::from(*b)] = u64::from_le_bytes(d);
        }
        Ok(out)
    }

    /// One document's heads, from the heads index (empty when there is no such document).
    pub fn heads_of(&self, id: RecordId) -> Result<Vec<ChangeHash>> {
        let Some(v) = self.kv.get(&keys::heads(id))? else {
            return Ok(Vec::new());
        };
        parse_heads(id, &v)
    }

    /// Device-local state stored under `name` (see [`Store::set_local`]).
    pub fn local(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.kv.get(&local_key(name))
    }

    /// Stores (or with `None` removes) device-local state: what belongs to this device only and
    /// never syncs, such as pending pairing secrets. Returns once it is on disk.
    pub fn set_local(&self, name: &str, value: Option<&[u8]>) -> Result<()> {
        let mut b = WriteBatch::default();
        match value {
            Some(v) => b.put(local_key(name), v.to_vec()),
            None => b.delete(local_key(name)),
        }
        self.kv.apply(b)?;
        self.kv.flush()
    }

    /// The sequence number of the last change written (own edits and merges alike): cheap to
    /// poll for "did anything change?" (sync pushes changes to connected devices).
    pub fn write_seq(&self) -> Result<u64> {
        Ok(lock(&self.writes)?.seq)
    }

    /// Calls `watcher` with the new sequence number after every durable write (own edits and
    /// merges alike), until it returns false: how sync pushes a change the moment it is made.
    /// It runs on the writing thread, so it must only hand the number on (a channel send).
    pub fn on_write(&self, watcher: impl Fn(u64) -> bool + Send + Sync + 'static) -> Result<()> {
        lock(&self.watchers)?.push(Box::new(watcher));
        Ok(())
    }

    /// True for a vault nothing was ever written to.
    pub fn is_new(&self) -> Result<bool> {
        Ok(lock(&self.writes)?.seq == 0)
    }

    /// The data directory, if on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    // ---- reading (projections only: no document is loaded) ----

    /// The record with this id, deleted ones included (check [`Record::is_deleted`]).
    pub fn get(&self, id: RecordId) -> Result<Option<Record>> {
        match self.kv.get(&keys::record(id))? {
            Some(json) => Ok(Some(decode(&json)?)),
            None => Ok(None),
        }
    }

    /// The kind of a live record, or none if there is no such record (or it was deleted).
    pub fn kind_of(&self, id: RecordId) -> Result<Option<Kind>> {
        Ok(self.get(id)?.filter(|r| !r.is_deleted()).map(|r| r.kind()))
    }

    /// One page of live records.
    pub fn list(&self, q: &ListQuery) -> Result<Page> {
        let limit = q.limit.clamp(1, MAX_PAGE);
        let (related, prefix, dir) = list_index(q);
        let after = match &q.after {
            Some(c) => Some(decode_cursor(c)?),
            None => None,
        };
        let entries = self.kv.scan(&prefix, after.as_deref(), dir, limit + 1)?;
        let more = entries.len() > limit;
        let mut items = Vec::with_capacity(limit.min(entries.len()));
        let mut last_key = None;
        for (k, _) in entries.into_iter().take(limit) {
            let id =
                keys::trailing_id(&k).ok_or_else(|| StoreError::Corrupt("an index key".into()))?;
            if let Some(r) = self.get(id)? {
                items.push(r);
            }
            last_key = Some(k);
        }
        if related.is_some() {
            match q.order {
                ListOrder::Name => {
                    items.sort_by_cached_key(|r| keys::name_key(r.body.display_name()))
                }
                ListOrder::Updated => items.sort_by_key(|r| std::cmp::Reverse(r.meta.updated_at)),
            }
        }
        let next = if more {
            last_key.map(|k| encode_cursor(&k))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The record an index key ends with (none if it is gone).
    fn record_at(&self, index_key: &[u8]) -> Result<Option<Record>> {
        match keys::trailing_id(index_key) {
            Some(id) => self.get(id),
            None => Ok(None),
        }
    }

    /// Every live record about a person (their meetings, messages, tasks), by kind.
    pub fn related(&self, person: RecordId) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        for (k, _) in self.kv.scan(
            &keys::with_id(keys::BY_PERSON, person),
            None,
            Direction::Forward,
            usize::MAX,
        )? {
            if let Some(r) = self.record_at(&k)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// How many live records a list would hold in all: the kind's count, or, when the query
    /// names a person, organization or goal, one scan of that index.
    pub fn count_matching(&self, q: &ListQuery) -> Result<u64> {
        match list_index(q) {
            (Some(_), prefix, dir) => {
                Ok(self.kv.scan(&prefix, None, dir, usize::MAX)?.len() as u64)
            }
            (None, ..) => self.count(q.kind),
        }
    }

    /// How many live records of this kind there are.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        // A counter kept in the same batch as every write: counting the name index instead
        // would read every leaf of it, which at 10k people dominated opening the first page.
        match self.kv.get(&keys::count(kind))? {
            Some(v) => {
                Ok(u64::from_be_bytes(v.as_slice().try_into().map_err(
                    |_| StoreError::Corrupt("a record count".into()),
                )?))
            }
            None => Ok(0),
        }
    }

    /// Open tasks and meetings due before `before`, soonest first.
    pub fn due_before(
        &self,
        before: rapport_model::Timestamp,
        limit: usize,
    ) -> Result<Vec<Record>> {
        let entries = self
            .kv
            .scan(&[keys::BY_DUE], None, Direction::Forward, limit)?;
        let mut out = Vec::new();
        for (k, _) in entries {
            let Some(due) = k.get(1..9).and_then(keys::time_from) else {
                continue;
            };
            if due >= before {
                break;
            }
            if let Some(r) = self.record_at(&k)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Full-text search over every text field of live records, best match first.
    pub fn search(&self, query: &str, kind: Option<Kind>, limit: usize) -> Result<Vec<SearchHit>> {
        // Lock order is writes → docs → search: read the sequence number before the index.
        let seq = lock(&self.writes)?.seq;
        let mut guard = self.search_index(seq)?;
        let Some(index) = guard.as_mut() else {
            return Ok(Vec::new());
        };
        if index.is_dirty() {
            index.commit(seq)?;
            self.trim_pending(index.committed_seq())?;
        }
        let mut found = index.search(query, kind, limit)?;
        // People are found by where they work too: "eckert" finds Grace Hopper of
        // Eckert-Mauchly. Looked up through the organization's list, so a renamed
        // organization needs no re-indexing of its people.
        let orgs = match kind {
            None => found
                .iter()
                .filter(|(id, _)| self.kind_of(*id).ok().flatten() == Some(Kind::Organization))
                .take(5)
                .copied()
                .collect(),
            Some(Kind::Person) => index.search(query, Some(Kind::Organization), 5)?,
            Some(_) => Vec::new(),
        };
        drop(guard);
        for (org, score) in orgs {
            let mut q = ListQuery::new(Kind::Person);
            q.organization = Some(org);
            q.limit = limit;
            for r in self.list(&q)?.items {
                if !found.iter().any(|(id, _)| *id == r.id()) {
                    found.push((r.id(), score * 0.9));
                }
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found.truncate(limit);
        let mut hits = Vec::with_capacity(found.len());
        for (id, score) in found {
            if let Some(r) = self.get(id)?.filter(|r| !r.is_deleted()) {
                hits.push(SearchHit {
                    id,
                    kind: r.kind(),
                    title: r.body.display_name().to_string(),
                    detail: self.detail(&r)?,
                    score,
                });
            }
        }
        Ok(hits)
    }

    /// What tells a record apart from others with the same name in a list of results: a
    /// person's role and organization, an organization's industry, a meeting's day.
    fn detail(&self, r: &Record) -> Result<String> {
        Ok(match &r.body {
            rapport_model::Body::Person(p) => {
                let org = match p.organization_id {
                    Some(o) => self.get(o)?.map(|o| o.body.display_name().to_string()),
                    None => None,
                };
                [p.role.clone(), org]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ")
            }
            rapport_model::Body::Organization(o) => o.industry.clone().unwrap_or_default(),
            rapport_model::Body::Meeting(m) => m
                .start
                .map(|s| s.to_jiff().strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
    }

    /// Brings the search index up to date now (it otherwise catches up on the next search).
    pub fn refresh_search(&self) -> Result<()> {
        let seq = lock(&self.writes)?.seq;
        let mut guard = self.search_index(seq)?;
        if let Some(index) = guard.as_mut()
            && index.is_dirty()
        {
            index.commit(seq)?;
            self.trim_pending(index.committed_seq())?;
        }
        Ok(())
    }

    /// Opens the search index on first use and replays the changes it has not seen. `seq` is the
    /// store's sequence number, read by the caller before this takes the index's lock.
    fn search_index(&self, seq: u64) -> Result<MutexGuard<'_, Option<SearchIndex>>> {
        let mut guard = lock(&self.search)?;
        if guard.is_none() {
            let mut index =
                SearchIndex::open(self.dir.as_ref().map(|d| d.join("search")).as_deref())?;
            let from = index.committed_seq();
            let trimmed = self
                .kv
                .get(keys::SEARCH_TRIMMED)?
                .and_then(|v| v.try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if from < trimmed {
                // The index is older than the changes already dropped from the pending list (it
                // was deleted or restored from elsewhere): index every record again.
                self.reindex_all(&mut index, seq)?;
            } else {
                let pending = self.kv.scan(
                    &[keys::PENDING_SEARCH],
                    Some(&keys::pending_search(from)),
                    Direction::Forward,
                    usize::MAX,
                )?;
                let mut last = from;
                for (k, v) in pending {
                    let seq = k
                        .get(1..9)
                        .and_then(|b| b.try_into().ok())
                        .map(u64::from_be_bytes)
                        .unwrap_or(0);
                    // The ids one write batch changed (vaults written before batches shared
                    // an entry hold one id per entry).
                    if v.is_empty() || !v.len().is_multiple_of(16) {
                        return Err(StoreError::Corrupt("a pending search entry".into()));
                    }
                    for id in v.chunks_exact(16) {
                        let mut bytes = [0u8; 16];
                        bytes.copy_from_slice(id);
                        let id = RecordId::from_bytes(bytes);
                        match self.get(id)? {
                            Some(r) => index.upsert(&r, seq)?,
                            None => index.remove(id, seq),
                        }
                    }
                    last = last.max(seq);
                }
                if last > from {
                    index.commit(last)?;
                    self.trim_pending(last)?;
                }
            }
            *guard = Some(index);
        }
        Ok(guard)
    }

    /// Puts every record's projection into a cleared index and commits it as of `seq`.
    fn reindex_all(&self, index: &mut SearchIndex, seq: u64) -> Result<()> {
        index.clear()?;
        for (_, v) in self
            .kv
            .scan(&[keys::RECORD], None, Direction::Forward, usize::MAX)?
        {
            index.upsert(&decode(&v)?, seq)?;
        }
        index.commit(seq)?;
        self.trim_pending(seq)
    }

    /// Drops the pending-search entries up to `seq` (they are in the committed index). Not
    /// flushed: if they come back after a crash they are simply indexed again.
    fn trim_pending(&self, seq: u64) -> Result<()> {
        let done = self.kv.scan(
            &[keys::PENDING_SEARCH],
            None,
            Direction::Forward,
            usize::MAX,
        )?;
        let mut b = WriteBatch::default();
        for (k, _) in done {
            let s = k
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if s > seq {
                break;
            }
            b.delete(k);
        }
        if !b.is_empty() {
            b.put(keys::SEARCH_TRIMMED, seq.to_be_bytes().to_vec());
            self.kv.apply(b)?;
        }
        Ok(())
    }

    // ---- writing ----

    /// Creates or changes one record. `change` receives the current record (none if new) and
    /// returns the record to store, or an error that leaves everything as it was. Returns once
    /// the change is on disk.
    pub fn write<E>(
        &self,
        id: RecordId,
        change: impl FnOnce(Option<Record>) -> std::result::Result<Record, E>,
    ) -> Result<std::result::Result<Record, E>> {
        let mut refused = None;
        let outcome = self.update_doc(id, |doc| {
            let current = if doc.get_heads().is_empty() {
                None
            } else {
                Some(record_from_doc(doc)?)
            };
            match change(current) {
                Ok(record) => {
                    if record.id() != id {
                        return Err(StoreError::Rejected(format!(
                            "record {} written under id {id}",
                            record.id()
                        )));
                    }
                    record_to_doc(&record, doc)?;
                    Ok(true)
                }
                Err(e) => {
                    refused = Some(e);
                    Ok(false)
                }
            }
        })?;
        if let Some(e) = refused {
            return Ok(Err(e));
        }
        match outcome {
            Some(r) => Ok(Ok(r)),
            None => Err(StoreError::Corrupt(format!(
                "record {id} vanished while being written"
            ))),
        }
    }

    /// Merges changes that came from another device (a saved document or incremental changes).
    pub fn merge(&self, id: RecordId, changes: &[u8]) -> Result<Option<Record>> {
        self.update_doc(id, |doc| {
            doc.load_incremental(changes)?;
            Ok(true)
        })
    }

    /// Merges many documents' changes (or whole saved documents) in one durable batch: what a
    /// device receiving a vault does. All or nothing: one bad document refuses the batch.
    pub fn merge_all(&self, items: &[(RecordId, Vec<u8>)]) -> Result<Vec<Option<Record>>> {
        self.merge_loaded(
            items,
            preload(items.iter().map(|(_, b)| Some(b.as_slice()))),
        )
    }

    /// The first half of [`Store::merge_all`]: loads the documents and reads their records on
    /// every core, touching nothing stored, so that it can run while the previous batch is
    /// being written ([`Store::merge_prepared`] is the second half).
    pub fn prepare(items: Vec<(RecordId, Vec<u8>)>) -> Prepared {
        let loaded = preload(items.iter().map(|(_, b)| Some(b.as_slice())));
        Prepared { items, loaded }
    }

    /// Stores documents prepared by [`Store::prepare`], like [`Store::merge_all`]. The loaded
    /// documents are used up; the items stay (to store them one by one if the batch is refused).
    pub fn merge_prepared(&self, prepared: &mut Prepared) -> Result<Vec<Option<Record>>> {
        let loaded = std::mem::take(&mut prepared.loaded);
        self.merge_loaded(&prepared.items, loaded)
    }

    fn merge_loaded(
        &self,
        items: &[(RecordId, Vec<u8>)],
        loaded: Vec<Option<Preloaded>>,
    ) -> Result<Vec<Option<Record>>> {
        let mut loaded = loaded.into_iter();
        self.edit_all(
            items.iter().map(|(id, changes)| (*id, changes)),
            |changes, doc| {
                doc.load_incremental(changes)?;
                Ok(())
            },
            |chunk| loaded.by_ref().take(chunk.len()).collect(),
        )
    }

    /// Applies `edit` to many documents in one batch with one flush (bulk writes and merges).
    /// An id twice in one batch is refused: the second edit would not see the first.
    /// `preloaded` holds, item by item, the whole saved document the edit would load, already
    /// loaded ([`preload`]; shorter or empty when there is none: see [`Store::stage`]).
    fn edit_all<T: Copy + Send + Sync>(
        &self,
        items: impl ExactSizeIterator<Item = (RecordId, T)>,
        edit: impl Fn(T, &mut AutoCommit) -> Result<()>,
        mut preload: impl FnMut(&[(RecordId, T)]) -> Vec<Option<Preloaded>> + Send,
    ) -> Result<Vec<Option<Record>>> {
        let items: Vec<(RecordId, T)> = items.collect();
        let mut ids: Vec<RecordId> = items.iter().map(|(id, _)| *id).collect();
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(StoreError::Rejected(format!(
                "record {} appears twice in one batch",
                w[0]
            )));
        }
        let mut w = lock(&self.writes)?;
        let mut batch = WriteBatch::default();
        let mut staged = Vec::with_capacity(items.len());
        // A part at a time, so that only a few parts' documents are in memory at once (a
        // document takes far more memory loaded than saved); one batch for them all. The next
        // part is prepared (on every core) while this one is staged, which runs in order on
        // one: staging no longer leaves the other core idle.
        let parts: Vec<&[(RecordId, T)]> = items.chunks(BULK_PART).collect();
        std::thread::scope(|scope| -> Result<()> {
            let (ready, prepared) = std::sync::mpsc::sync_channel(1);
            let to_prepare = parts.clone();
            scope.spawn(move || {
                for part in to_prepare {
                    if ready.send(preload(part)).is_err() {
                        break; // staging stopped at an error
                    }
                }
            });
            for part in &parts {
                let mut preloaded = prepared.recv().unwrap_or_default().into_iter();
                for &(id, item) in *part {
                    let whole = preloaded.next().flatten();
                    let s = self.stage(
                        &mut w,
                        id,
                        |doc| {
                            edit(item, doc)?;
                            Ok(true)
                        },
                        whole,
                        &mut batch,
                    )?;
                    // Not kept in the cache: a bulk write would only push out what the user is
                    // using. The document itself is done with: its bytes are in the batch.
                    staged.push(Staged {
                        keep: false,
                        loaded: None,
                        ..s
                    });
                }
            }
            Ok(())
        })?;
        self.commit(batch, staged)
    }

    /// The whole document of a record, saved (compressed) — for sync and export.
    pub fn document_bytes(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        let mut docs = lock(&self.docs)?;
        if let Some(l) = docs.get_mut(&id) {
            return Ok(Some(l.doc.save()));
        }
        drop(docs);
        // A compacted document is stored saved already: hand it out as it is (sending a vault
        // would otherwise load and save every document).
        let chunks = self
            .kv
            .scan(&keys::with_id(keys::CHUNK, id), None, Direction::Forward, 1)?;
        if chunks.is_empty() {
            return self.kv.get(&keys::doc(id));
        }
        Ok(self.load_doc(id)?.map(|mut l| l.doc.save()))
    }

    /// Every record id that has a document, deleted ones included.
    pub fn document_ids(&self) -> Result<Vec<RecordId>> {
        Ok(self
            .kv
            .scan(&[keys::DOC], None, Direction::Forward, usize::MAX)?
            .into_iter()
            .filter_map(|(k, _)| keys::trailing_id(&k))
            .collect())
    }

    /// Runs `edit` on the record's document; if it changed, persists the change with the
    /// projections in one batch and flushes. Returns the record the document now holds.
    fn update_doc(
        &self,
        id: RecordId,
        edit: impl FnOnce(&mut AutoCommit) -> Result<bool>,
    ) -> Result<Option<Record>> {
        let mut w = lock(&self.writes)?;
        let mut batch = WriteBatch::default();
        let staged = self.stage(&mut w, id, edit, None, &mut batch)?;
        Ok(self.commit(batch, vec![staged])?.pop().flatten())
    }

    /// Writes many records in one batch with one flush (imports, seeding). Records that already
    /// exist are reconciled with what is stored, like [`Store::write`] does.
    pub fn write_all(&self, records: Vec<Record>) -> Result<()> {
        // Checked before the write lock: a document created meanwhile is simply edited (the
        // prebuilt one is used only where the store still has none).
        let new = records
            .iter()
            .map(|r| Ok(self.kv.get(&keys::doc(r.id()))?.is_none()))
            .collect::<Result<Vec<bool>>>()?;
        let mut new = new.into_iter();
        self.edit_all(
            records.iter().map(|r| (r.id(), r)),
            |r, doc| Ok(record_to_doc(r, doc)?),
            |part| {
                let records: Vec<&Record> = part.iter().map(|(_, r)| *r).collect();
                let new: Vec<bool> = new.by_ref().take(part.len()).collect();
                build_new(&records, &new, &self.actor)
            },
        )?;
        Ok(())
    }

    /// Applies `edit` to the document and adds what must be written to `batch`.
    ///
    /// `saved`, when given, is what `edit` loads (a whole saved document), already loaded. If
    /// this store has no such document yet, that is the document, and its bytes are stored as
    /// they came — a device receiving a vault would otherwise save every document again.
    fn stage(
        &self,
        w: &mut WriteState,
        id: RecordId,
        edit: impl FnOnce(&mut AutoCommit) -> Result<bool>,
        saved: Option<Preloaded>,
        batch: &mut WriteBatch,
    ) -> Result<Staged> {
        // Out of the cache while it changes: if anything fails below, the next reader reloads the
        // document from disk instead of seeing a change that was never stored.
        let cached = lock(&self.docs)?.pop(&id);
        let loaded = match cached {
            Some(l) => Some(l),
            None => self.load_doc(id)?,
        };
        let is_new = loaded.is_none();
        let Loaded {
            mut doc,
            mut chunks,
        } = loaded.unwrap_or_else(|| Loaded {
            doc: AutoCommit::new().with_actor(self.actor.clone()),
            chunks: 0,
        });
        let old_heads: Vec<ChangeHash> = doc.get_heads();
        let old = if is_new {
            None
        } else {
            record_from_doc(&doc).ok()
        };
        let unchanged = |doc, chunks, record| Staged {
            id,
            loaded: (!is_new).then_some(Loaded { doc, chunks }),
            record,
            seq: None,
            keep: true,
            counted: None,
            bucket_delta: None,
            tallies: Vec::new(),
        };
        let mut snapshot = None;
        let mut read = None;
        match saved {
            Some(p) if is_new => {
                doc = p.doc.with_actor(self.actor.clone());
                snapshot = Some(p.bytes);
                read = Some(p.record);
            }
            _ => {
                if !edit(&mut doc)? {
                    return Ok(unchanged(doc, chunks, old));
                }
            }
        }
        if doc.get_heads() == old_heads {
            return Ok(unchanged(doc, chunks, old));
        }
        let mut new = match read {
            Some(r) => r?,
            None => record_from_doc(&doc)?,
        };
        // What the edit or merge may not undo is put back, as a change of this device's own
        // that goes wherever the undoing change went.
        if let Some(old) = &old
            && keep_final(old, &mut new)
        {
            tracing::warn!(%id, "a change undid a device's removal; the removal was kept");
            record_to_doc(&new, &mut doc)?;
        }
        if new.id() != id {
            return Err(StoreError::Rejected(format!(
                "the document for {id} holds record {}",
                new.id()
            )));
        }
        w.seq += 1;
        let seq = w.seq;
        if is_new || chunks + 1 >= self.opts.compact_after_chunks {
            batch.put(keys::doc(id), snapshot.unwrap_or_else(|| doc.save()));
            // A new document has no change chunks to fold in: skip the lookup (bulk writes).
            if !is_new {
                for (k, _) in self.kv.scan(
                    &keys::with_id(keys::CHUNK, id),
                    None,
                    Direction::Forward,
                    usize::MAX,
                )? {
                    batch.delete(k);
                }
            }
            chunks = 0;
        } else {
            batch.put(keys::chunk(id, seq), doc.save_after(&old_heads));
            chunks += 1;
        }
        self.project(batch, old.as_ref(), &new)?;
        let new_heads = doc.get_heads();
        let old_digest = if is_new {
            0
        } else {
            sync_digest(id, &old_heads)
        };
        let bucket_delta = Some((
            keys::bucket_of(id),
            old_digest ^ sync_digest(id, &new_heads),
        ));
        batch.put(keys::heads(id), heads_bytes(&new_heads));
        let live = |r: Option<&Record>| i64::from(r.is_some_and(|r| !r.is_deleted()));
        let delta = live(Some(&new)) - live(old.as_ref());
        let tallies = tally_deltas(old.as_ref(), &new);
        Ok(Staged {
            id,
            counted: (delta != 0).then_some((new.kind(), delta)),
            loaded: Some(Loaded { doc, chunks }),
            record: Some(new),
            seq: Some(seq),
            keep: true,
            bucket_delta,
            tallies,
        })
    }

    /// Writes `batch` durably, then publishes the staged documents (cache, search index).
    fn commit(&self, mut batch: WriteBatch, staged: Vec<Staged>) -> Result<Vec<Option<Record>>> {
        let mut deltas: std::collections::BTreeMap<Kind, i64> = Default::default();
        for (kind, d) in staged.iter().filter_map(|s| s.counted) {
            *deltas.entry(kind).or_default() += d;
        }
        for (kind, d) in deltas {
            // Zero is stored as no key, as a rebuild would leave it.
            match (self.count(kind)? as i64 + d).max(0) as u64 {
                0 => batch.delete(keys::count(kind)),
                n => batch.put(keys::count(kind), n.to_be_bytes().to_vec()),
            }
        }
        let mut tallies: std::collections::BTreeMap<&[u8], i64> = Default::default();
        for (k, d) in staged.iter().flat_map(|s| &s.tallies) {
            *tallies.entry(k.as_slice()).or_default() += d;
        }
        for (k, d) in tallies.into_iter().filter(|(_, d)| *d != 0) {
            match (self.tally_at(k)? as i64 + d).max(0) as u64 {
                0 => batch.delete(k.to_vec()),
                n => batch.put(k.to_vec(), n.to_be_bytes().to_vec()),
            }
        }
        let mut bucket_deltas: std::collections::BTreeMap<u8, u64> = Default::default();
        for (b, d) in staged.iter().filter_map(|s| s.bucket_delta) {
            *bucket_deltas.entry(b).or_default() ^= d;
        }
        if !bucket_deltas.is_empty() {
            let mut digests = self.bucket_digests()?;
            for (b, d) in bucket_deltas {
                digests[usize::from(b)] ^= d;
                put_bucket(&mut batch, b, digests[usize::from(b)]);
            }
        }
        // The sequence number and the search index's to-do entry once per batch, not once per
        // document: every key is a tree insert for sled, and a bulk write has thousands.
        let changed: Vec<&Staged> = staged.iter().filter(|s| s.seq.is_some()).collect();
        if let Some(seq) = changed.iter().filter_map(|s| s.seq).max() {
            let ids: Vec<u8> = changed.iter().flat_map(|s| *s.id.as_bytes()).collect();
            batch.put(keys::pending_search(seq), ids);
            batch.put(keys::SEQ, seq.to_be_bytes().to_vec());
        }
        let indexed = if changed.len() >= INDEX_WHILE_APPLYING {
            self.apply_and_index(batch, &changed)?;
            true
        } else {
            if !batch.is_empty() {
                self.kv.apply(batch)?;
                self.kv.flush()?;
            }
            false
        };
        if let Some(seq) = staged.iter().filter_map(|s| s.seq).max() {
            lock(&self.watchers)?.retain(|w| w(seq));
        }
        let mut docs = lock(&self.docs)?;
        let mut search = lock(&self.search)?;
        let mut out = Vec::with_capacity(staged.len());
        for s in staged {
            if let (Some(l), true) = (s.loaded, s.keep) {
                docs.put(s.id, l);
            }
            if let (false, Some(index), Some(seq), Some(r)) =
                (indexed, search.as_mut(), s.seq, &s.record)
            {
                index.upsert(r, seq)?;
            }
            out.push(s.record);
        }
        Ok(out)
    }

    /// Writes a large batch durably while the search index takes in its records on the other
    /// core: sled applies a batch on one thread, and a bulk write (an import, a restore, a
    /// first sync) would otherwise index everything afterwards with that core idle.
    ///
    /// The index's additions stay uncommitted until the next search or refresh. If the batch
    /// fails they are thrown away with the open index, which then reopens from its last commit
    /// and catches up from the pending-search entries, as after a crash.
    fn apply_and_index(&self, batch: WriteBatch, changed: &[&Staged]) -> Result<()> {
        // The index as of before this batch: opening it replays what it has not seen, and a
        // rebuild then must not count this batch's numbers as done.
        let before = changed
            .iter()
            .filter_map(|s| s.seq)
            .min()
            .unwrap_or(1)
            .saturating_sub(1);
        let mut search = self.search_index(before)?;
        let (applied, indexed) = std::thread::scope(|scope| {
            let applying = scope.spawn(move || -> Result<()> {
                self.kv.apply(batch)?;
                self.kv.flush()
            });
            let indexed = search.as_mut().map_or(Ok(()), |index| {
                changed.iter().try_for_each(|s| match (s.seq, &s.record) {
                    (Some(seq), Some(r)) => index.upsert(r, seq),
                    _ => Ok(()),
                })
            });
            // A panic in the database goes on as it would have on this thread: it poisons the
            // write lock, so the store refuses further work instead of trusting sled's state.
            let applied = applying
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (applied, indexed)
        });
        if applied.is_err() || indexed.is_err() {
            // Not written, or not indexed: drop what the index holds uncommitted.
            *search = None;
        }
        applied
    }

    /// Adds to `batch` the projection writes that turn `old` into `new`.
    fn project(&self, batch: &mut WriteBatch, old: Option<&Record>, new: &Record) -> Result<()> {
        let old_keys = old.map(keys::index_keys).unwrap_or_default();
        let new_keys = keys::index_keys(new);
        for k in old_keys
            .iter()
            .filter(|k| new_keys.binary_search(k).is_err())
        {
            batch.delete(k.clone());
        }
        for k in new_keys
            .iter()
            .filter(|k| old_keys.binary_search(k).is_err())
        {
            batch.put(k.clone(), Vec::new());
        }
        batch.put(keys::record(new.id()), encode(new, !self.kv.compresses())?);
        Ok(())
    }

    fn load_doc(&self, id: RecordId) -> Result<Option<Loaded>> {
        let Some(snapshot) = self.kv.get(&keys::doc(id))? else {
            return Ok(None);
        };
        let mut doc = AutoCommit::load(&snapshot)
            .map_err(|e| StoreError::Corrupt(format!("document {id}: {e}")))?
            .with_actor(self.actor.clone());
        let chunk_entries = self.kv.scan(
            &keys::with_id(keys::CHUNK, id),
            None,
            Direction::Forward,
            usize::MAX,
        )?;
        let chunks = chunk_entries.len() as u32;
        for (_, bytes) in chunk_entries {
            doc.load_incremental(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("a change of document {id}: {e}")))?;
        }
        Ok(Some(Loaded { doc, chunks }))
    }

    // ---- maintenance ----

    /// Folds every document's incremental changes into its snapshot.
    pub fn compact(&self) -> Result<u64> {
        let _w = lock(&self.writes)?;
        let chunk_keys = self
            .kv
            .scan(&[keys::CHUNK], None, Direction::Forward, usize::MAX)?;
        let mut ids: Vec<RecordId> = chunk_keys
            .iter()
            .filter_map(|(k, _)| {
                k.get(1..17)
                    .and_then(|b| b.try_into().ok())
                    .map(RecordId::from_bytes)
            })
            .collect();
        ids.dedup();
        for id in &ids {
            let Some(mut l) = self.load_doc(*id)? else {
                continue;
            };
            let mut b = WriteBatch::default();
            b.put(keys::doc(*id), l.doc.save());
            for (k, _) in self.kv.scan(
                &keys::with_id(keys::CHUNK, *id),
                None,
                Direction::Forward,
                usize::MAX,
            )? {
                b.delete(k);
            }
            self.kv.apply(b)?;
            lock(&self.docs)?.pop(id);
        }
        self.kv.flush()?;
        Ok(ids.len() as u64)
    }

    /// What the projections should be, computed from the documents alone.
    fn derived(
        &self,
        mut visit: impl FnMut(Record, Vec<u8>) -> Result<()>,
        report: &mut CheckReport,
    ) -> Result<()> {
        // Loading and reading documents is most of a check: done on every core, a part at a
        // time so only one part's documents are in memory.
        let ids = self.document_ids()?;
        for part in ids.chunks(BULK_PART) {
            let read = on_every_core(part, |id| {
                Some(self.load_doc(*id).map(|loaded| {
                    loaded.map(|mut l| (record_from_doc(&l.doc), heads_bytes(&l.doc.get_heads())))
                }))
            });
            for (id, got) in part.iter().zip(read) {
                report.documents += 1;
                let got = got.ok_or_else(|| {
                    StoreError::Corrupt(format!("document {id}: reading it panicked"))
                })?;
                match got? {
                    None => {}
                    Some((Ok(r), heads)) => visit(r, heads)?,
                    Some((Err(e), _)) => report.unreadable_documents.push(format!("{id}: {e}")),
                }
            }
        }
        Ok(())
    }

    fn projection_prefixes() -> [u8; 15] {
        [
            keys::AGENDA,
            keys::CANDIDATE,
            keys::TALLY,
            keys::REFERRAL,
            keys::LEARNED,
            keys::RECORD,
            keys::HEADS,
            keys::BUCKET,
            keys::COUNT,
            keys::BY_PERSON,
            keys::BY_NAME,
            keys::BY_UPDATED,
            keys::BY_DUE,
            keys::BY_ORG,
            keys::BY_GOAL,
        ]
    }

    /// Every projection entry (record and index keys), for comparisons in tests and `doctor`.
    pub fn projection_entries(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for p in Self::projection_prefixes() {
            out.extend(self.kv.scan(&[p], None, Direction::Forward, usize::MAX)?);
        }
        Ok(out)
    }

    /// Compares the projections with what the documents imply, changing nothing.
    pub fn check(&self) -> Result<CheckReport> {
        let _w = lock(&self.writes)?;
        let mut report = CheckReport::default();
        let mut expected: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        let mut records: std::collections::BTreeMap<Vec<u8>, Record> = Default::default();
        let mut counts: std::collections::BTreeMap<Kind, u64> = Default::default();
        let mut heads: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        let mut buckets = Buckets::default();
        let mut tallies = Tallies::default();
        self.derived(
            |r, h| {
                for k in keys::index_keys(&r) {
                    expected.insert(k, Vec::new());
                }
                tallies.add(&r);
                buckets.add(r.id(), &parse_heads(r.id(), &h)?);
                heads.insert(keys::heads(r.id()), h);
                if !r.is_deleted() {
                    *counts.entry(r.kind()).or_default() += 1;
                }
                records.insert(keys::record(r.id()), r);
                Ok(())
            },
            &mut report,
        )?;
        for kind in Kind::ALL {
            if self.count(*kind)? != counts.get(kind).copied().unwrap_or(0) {
                report.counts_wrong += 1;
            }
        }
        let stored = self.bucket_digests()?;
        report.buckets_wrong = (0..BUCKETS).filter(|&b| stored[b] != buckets.0[b]).count() as u64;
        let mut tallies = tallies.0;
        for (k, v) in self.projection_entries()? {
            if k[0] == keys::COUNT || k[0] == keys::BUCKET {
                continue;
            } else if k[0] == keys::TALLY {
                if tallies.remove(&k).map(|n| n.to_be_bytes().to_vec()) != Some(v) {
                    report.counts_wrong += 1;
                }
            } else if k[0] == keys::HEADS {
                match heads.remove(&k) {
                    Some(h) if h == v => {}
                    Some(_) => report.records_mismatched += 1,
                    None => report.index_keys_stray += 1,
                }
            } else if k[0] == keys::RECORD {
                match records.remove(&k) {
                    Some(r) if decode(&v).ok().as_ref() == Some(&r) => {}
                    Some(_) => report.records_mismatched += 1,
                    None => report.records_orphaned += 1,
                }
            } else if expected.remove(&k).is_none() {
                report.index_keys_stray += 1;
            }
        }
        report.records_missing = records.len() as u64;
        report.index_keys_missing = (expected.len() + heads.len()) as u64;
        report.counts_wrong += tallies.len() as u64;
        Ok(report)
    }

    /// Throws the projections away and derives them again from the documents (the search index
    /// too). Returns what was wrong before.
    pub fn rebuild_projections(&self) -> Result<CheckReport> {
        let before = self.check()?;
        self.rederive_projections()?;
        Ok(before)
    }

    /// The rebuild of [`Store::rebuild_projections`], for a caller that has just checked.
    fn rederive_projections(&self) -> Result<()> {
        let w = lock(&self.writes)?;
        let mut b = WriteBatch::default();
        for (k, _) in self.projection_entries()? {
            b.delete(k);
        }
        self.kv.apply(b)?;
        let mut report = CheckReport::default();
        let mut batch = WriteBatch::default();
        let mut counts: std::collections::BTreeMap<Kind, u64> = Default::default();
        let mut buckets = Buckets::default();
        let mut tallies = Tallies::default();
        self.derived(
            |r, h| {
                if !r.is_deleted() {
                    *counts.entry(r.kind()).or_default() += 1;
                }
                tallies.add(&r);
                buckets.add(r.id(), &parse_heads(r.id(), &h)?);
                self.project(&mut batch, None, &r)?;
                batch.put(keys::heads(r.id()), h);
                if batch.len() > 2048 {
                    self.kv.apply(std::mem::take(&mut batch))?;
                }
                Ok(())
            },
            &mut report,
        )?;
        for (kind, n) in counts {
            batch.put(keys::count(kind), n.to_be_bytes().to_vec());
        }
        buckets.write(&mut batch);
        tallies.write(&mut batch);
        batch.put(keys::HEADS_READY, Vec::new());
        batch.put(keys::AGENDA_READY, Vec::new());
        self.kv.apply(batch)?;
        self.kv.flush()?;
        let seq = w.seq;
        drop(w);
        let mut guard = self.search_index(seq)?;
        if let Some(index) = guard.as_mut() {
            self.reindex_all(index, seq)?;
        }
        Ok(())
    }

    /// Documents, change chunks and bytes.
    pub fn stats(&self) -> Result<StoreStats> {
        let scan = |p: u8| self.kv.scan(&[p], None, Direction::Forward, usize::MAX);
        let bytes = |entries: &[(Vec<u8>, Vec<u8>)]| {
            entries.iter().map(|(_, v)| v.len() as u64).sum::<u64>()
        };
        let (docs, chunks, records) = (scan(keys::DOC)?, scan(keys::CHUNK)?, scan(keys::RECORD)?);
        let mut index_entries = 0;
        for p in &Self::projection_prefixes()[1..] {
            index_entries += scan(*p)?.len() as u64;
        }
        Ok(StoreStats {
            documents: docs.len() as u64,
            change_chunks: chunks.len() as u64,
            document_bytes: bytes(&docs) + bytes(&chunks),
            record_bytes: bytes(&records),
            index_entries,
            disk_bytes: self.kv.size_on_disk()?,
        })
    }

    /// The number of records in the search index (after catching up).
    pub fn search_len(&self) -> Result<u64> {
        self.refresh_search()?;
        let seq = lock(&self.writes)?.seq;
        Ok(self.search_index(seq)?.as_ref().map_or(0, |i| i.len()))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: a crash instead of this is covered by the pending-search entries.
        if let Ok(mut guard) = self.search.lock()
            && let Some(index) = guard.as_mut()
            && index.is_dirty()
        {
            let seq = self.writes.lock().map(|w| w.seq).unwrap_or(0);
            if index.commit(seq).is_ok() {
                let _ = self.trim_pending(seq);
            }
        }
        if self.kv.flush().is_ok()
            && let Some(marker) = &self.marker
        {
            marker.clear();
        }
    }
}

/// A record's projection: its JSON without the fields that hold their default (null, false, an
/// empty list), which reading fills back in (empty strings stay: `Some("")` and `None`
/// differ), compressed when that pays ([`codec::pack`]) unless the database compresses its pages
/// itself (`pack` false).
fn encode(r: &Record, pack: bool) -> Result<Vec<u8>> {
    let bad = |e: serde_json::Error| StoreError::Corrupt(format!("record {}: {e}", r.id()));
    let mut v = serde_json::to_value(r).map_err(bad)?;
    if let serde_json::Value::Object(fields) = &mut v {
        fields.retain(|_, f| match f {
            serde_json::Value::Null | serde_json::Value::Bool(false) => false,
            serde_json::Value::Array(a) => !a.is_empty(),
            _ => true,
        });
    }
    let json = serde_json::to_vec(&v).map_err(bad)?;
    Ok(if pack { codec::pack(json) } else { json })
}

/// Documents loaded and read ahead of being stored ([`Store::prepare`]).
pub struct Prepared {
    items: Vec<(RecordId, Vec<u8>)>,
    loaded: Vec<Option<Preloaded>>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("documents", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// The documents as they came: ids and saved bytes.
    pub fn items(&self) -> &[(RecordId, Vec<u8>)] {
        &self.items
    }
}

/// A whole saved document, loaded and read ahead of its batch.
struct Preloaded {
    bytes: Vec<u8>,
    doc: AutoCommit,
    record: Result<Record>,
}

/// Loads the given saved documents and reads their records, spread over the machine's cores
/// (a device receiving a vault spends much of its time here; what follows must run in order).
/// A document that does not load gets none: its edit then loads it again and reports why.
fn preload<'a>(saved: impl Iterator<Item = Option<&'a [u8]>>) -> Vec<Option<Preloaded>> {
    let saved: Vec<Option<&[u8]>> = saved.collect();
    if saved.iter().all(Option::is_none) {
        return saved.iter().map(|_| None).collect();
    }
    on_every_core(&saved, |b| {
        let b = (*b)?;
        let doc = AutoCommit::load(b).ok()?;
        let record = record_from_doc(&doc).map_err(StoreError::from);
        Some(Preloaded {
            bytes: b.to_vec(),
            doc,
            record,
        })
    })
}

/// Builds, on every core, the document of each record that is `new` (this store holds no
/// document for it): a bulk write (an import, a restore) spends most of its time here, and
/// new documents need nothing from the store. Records not new get none: their edit reconciles
/// them with what is stored, in order.
fn build_new(records: &[&Record], new: &[bool], actor: &ActorId) -> Vec<Option<Preloaded>> {
    let items: Vec<(&Record, bool)> = records.iter().copied().zip(new.iter().copied()).collect();
    on_every_core(&items, |(r, new)| {
        if !new {
            return None;
        }
        let mut doc = AutoCommit::new().with_actor(actor.clone());
        // Prose as plain strings: as text it is one operation per character, and building
        // those was most of a restore (the model's `Prose` says what that trades).
        record_to_doc_with_plain_prose(r, &mut doc).ok()?;
        Some(Preloaded {
            bytes: doc.save(),
            doc,
            // Not read back from the document: a new document written from a record reads back
            // as that record (the model's round-trip property tests), and reading it back was
            // a tenth of a restore.
            record: Ok((*r).clone()),
        })
    })
}

/// `f` of every item, spread over the machine's cores, in the items' order. A worker that
/// panicked gives none for its part (the callers then do that part one by one).
fn on_every_core<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&T) -> Option<U> + Sync,
) -> Vec<Option<U>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(per_thread)
            .map(|chunk| {
                let worker = scope.spawn(move || chunk.iter().map(f).collect::<Vec<_>>());
                (chunk.len(), worker)
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|(n, w)| w.join().unwrap_or_else(|_| (0..n).map(|_| None).collect()))
            .collect()
    })
}

/// How many documents of a bulk write are built (or loaded) and staged at a time.
const BULK_PART: usize = 512;

/// From how many changed records on a write is indexed while the database applies it (a
/// thread is worth it for an import, not for an edit).
const INDEX_WHILE_APPLYING: usize = 256;

/// How many sync buckets a vault's documents fall into (by [`keys::bucket_of`]).
pub const BUCKETS: usize = 256;

/// A document's state in 8 bytes: equal digests mean the same id with the same heads. Two
/// devices compare the XOR of these per bucket before they compare documents.
pub fn sync_digest(id: RecordId, heads: &[ChangeHash]) -> u64 {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut h = blake3::Hasher::new();
    h.update(id.as_bytes());
    for c in sorted {
        h.update(&c.0);
    }
    let mut out = [0u8; 8];
    out.copy_from_slice(&h.finalize().as_bytes()[..8]);
    u64::from_le_bytes(out)
}

/// Bucket digests computed from scratch (index builds, checks).
struct Buckets([u64; BUCKETS]);

impl Default for Buckets {
    fn default() -> Self {
        Buckets([0; BUCKETS])
    }
}

impl Buckets {
    fn add(&mut self, id: RecordId, heads: &[ChangeHash]) {
        self.0[usize::from(keys::bucket_of(id))] ^= sync_digest(id, heads);
    }

    fn write(&self, batch: &mut WriteBatch) {
        for (b, d) in self.0.iter().enumerate() {
            put_bucket(batch, b as u8, *d);
        }
    }
}

/// Zero (an empty bucket) is stored as no key, as a rebuild would leave it.
fn put_bucket(batch: &mut WriteBatch, b: u8, digest: u64) {
    match digest {
        0 => batch.delete(keys::bucket(b)),
        d => batch.put(keys::bucket(b), d.to_le_bytes().to_vec()),
    }
}

fn parse_heads(id: RecordId, bytes: &[u8]) -> Result<Vec<ChangeHash>> {
    bytes
        .chunks(32)
        .map(|c| {
            ChangeHash::try_from(c).map_err(|_| StoreError::Corrupt(format!("the heads of {id}")))
        })
        .collect()
}

/// Heads as stored in the heads index: the 32-byte hashes, concatenated.
fn heads_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

fn decode(stored: &[u8]) -> Result<Record> {
    serde_json::from_slice(&codec::unpack(stored)?)
        .map_err(|e| StoreError::Corrupt(format!("a stored record: {e}")))
}

fn encode_cursor(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(c: &str) -> Result<Vec<u8>> {
    let bad = || {
        StoreError::Rejected(format!(
            "after: '{c}' is not a list cursor (pass the `next` of the previous page)"
        ))
    };
    if !c.len().is_multiple_of(2) || c.len() > 512 {
        return Err(bad());
    }
    (0..c.len())
        .step_by(2)
        .map(|i| {
            c.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn local_key(name: &str) -> Vec<u8> {
    let mut k = vec![keys::LOCAL];
    k.extend_from_slice(name.as_bytes());
    k
}

/// The index a list reads: by person, organization or goal when the query names one (then the
/// page is sorted after reading), else by name or by last change.
fn list_index(q: &ListQuery) -> (Option<(u8, RecordId)>, Vec<u8>, Direction) {
    let related = [
        (keys::BY_PERSON, q.person),
        (keys::BY_ORG, q.organization),
        (keys::BY_GOAL, q.goal),
    ]
    .into_iter()
    .find_map(|(tag, id)| id.map(|id| (tag, id)));
    let (prefix, dir) = match related {
        Some((tag, id)) => {
            let mut p = keys::with_id(tag, id);
            p.push(q.kind.tag());
            (p, Direction::Forward)
        }
        None => match q.order {
            ListOrder::Name => (keys::kind_prefix(keys::BY_NAME, q.kind), Direction::Forward),
            ListOrder::Updated => (
                keys::kind_prefix(keys::BY_UPDATED, q.kind),
                Direction::Backward,
            ),
        },
    };
    (related, prefix, dir)
}

#[cfg(test)]
mod heads_tests {
    use std::convert::Infallible;

    use rapport_model::{Body, Meta, Person, Timestamp};

    use super::*;

    #[test]
    fn check_sees_a_missing_or_wrong_heads_entry_and_rebuild_mends_it() {
        let store = Store::in_memory();
        let r = Record {
            meta: Meta::new_at(Timestamp::from_millis(1_763_800_000_000)),
            body: Body::Person(Person {
                name: "Ada".into(),
                ..Default::default()
            }),
        };
        let id = r.id();
        store
            .write(id, |_| Ok::<_, Infallible>(r))
            .unwrap()
            .unwrap();
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.heads_of(id).unwrap().len(), 1);

        let mut b = WriteBatch::default();
        b.delete(keys::heads(id));
        store.kv.apply(b).unwrap();
        assert_eq!(store.check().unwrap().index_keys_missing, 1);

        let mut b = WriteBatch::default();
        b.put(keys::heads(id), vec![7; 32]);
        store.kv.apply(b).unwrap();
        assert_eq!(store.check().unwrap().records_mismatched, 1);

        store.rebuild_projections().unwrap();
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.all_heads().unwrap()[0].1, store.heads_of(id).unwrap());
    }

    /// A vault left open when the machine went down: its projections are checked as it opens,
    /// and rebuilt when they disagree with the documents; one closed cleanly is not checked.
    #[test]
    fn a_vault_open_when_the_power_went_is_verified_and_repaired_on_opening() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("open-on-boot");
        let ada = person("Ada", 1_763_800_000_000);
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            assert!(marker.exists(), "an open vault is marked");
            store
                .write(ada.id(), |_| Ok::<_, Infallible>(ada.clone()))
                .unwrap()
                .unwrap();
            // What a torn log can leave: an index entry of a version that did not survive.
            let mut b = WriteBatch::default();
            b.put([&[keys::BY_NAME][..], b"ad\0stray"].concat(), Vec::new());
            store.kv.apply(b).unwrap();
            store.kv.flush().unwrap();
            assert_eq!(store.check().unwrap().index_keys_stray, 1);
        }
        assert!(!marker.exists(), "a clean close removes the mark");
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.recovered_after_power_loss(), None);
        drop(store);

        std::fs::write(&marker, "a-boot-before-the-power-cut").unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let found = store.recovered_after_power_loss().cloned().unwrap();
        assert_eq!(found.index_keys_stray, 1, "{found:?}");
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.get(ada.id()).unwrap(), Some(ada));
        drop(store);
        assert!(!marker.exists());
    }

    /// A document that cannot be read after a power cut: the vault is refused as damaged,
    /// and refused again at the next try (the verification is not skipped once it failed).
    #[test]
    fn a_vault_with_an_unreadable_document_after_a_power_cut_is_refused_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("open-on-boot");
        let ada = person("Ada", 1_763_800_000_000);
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            store
                .write(ada.id(), |_| Ok::<_, Infallible>(ada.clone()))
                .unwrap()
                .unwrap();
            let mut b = WriteBatch::default();
            b.put(keys::doc(ada.id()), b"not an automerge document".to_vec());
            store.kv.apply(b).unwrap();
        }
        std::fs::write(&marker, "a-boot-before-the-power-cut").unwrap();
        for _ in 0..2 {
            let e = Store::open(dir.path(), StoreOptions::default()).unwrap_err();
            assert!(matches!(e, StoreError::Damaged(_)), "{e}");
            assert!(e.to_string().contains("cannot be read"), "{e}");
            assert!(marker.exists(), "the vault stays marked for checking");
        }
    }

    fn person(name: &str, at: i64) -> Record {
        Record {
            meta: Meta::new_at(Timestamp::from_millis(at)),
            body: Body::Person(Person {
                name: name.into(),
                ..Default::default()
            }),
        }
    }

    /// What the bucket digests must be: the XOR of the digests of each bucket's documents.
    fn expected_buckets(store: &Store) -> Vec<u64> {
        let mut b = vec![0u64; BUCKETS];
        for (id, heads) in store.all_heads().unwrap() {
            b[usize::from(keys::bucket_of(id))] ^= sync_digest(id, &heads);
        }
        b
    }

    #[test]
    fn bucket_digests_follow_every_write_and_a_wrong_one_is_found_and_mended() {
        let store = Store::in_memory();
        let mut ids = Vec::new();
        for i in 0..40 {
            let r = person(&format!("P{i}"), 1_763_800_000_000 + i);
            ids.push(r.id());
            store
                .write(r.id(), |_| Ok::<_, Infallible>(r))
                .unwrap()
                .unwrap();
        }
        // Edits of existing documents (one and many at once) move their buckets' digests.
        let id = ids[3];
        store
            .write(id, |r| {
                let mut r = r.unwrap();
                r.meta.updated_at = Timestamp::from_millis(1_763_900_000_000);
                Ok::<_, Infallible>(r)
            })
            .unwrap()
            .unwrap();
        store
            .write_all(
                ids[5..15]
                    .iter()
                    .map(|id| {
                        let mut r = store.get(*id).unwrap().unwrap();
                        r.meta.updated_at = Timestamp::from_millis(1_763_950_000_000);
                        r
                    })
                    .collect(),
            )
            .unwrap();
        let digests = store.bucket_digests().unwrap();
        assert_eq!(digests, expected_buckets(&store));
        assert!(digests.iter().any(|d| *d != 0));
        let mine: Vec<(RecordId, Vec<ChangeHash>)> =
            store.heads_in_buckets(&[keys::bucket_of(id)]).unwrap();
        assert!(mine.iter().any(|(i, _)| *i == id));
        assert!(
            mine.iter()
                .all(|(i, _)| keys::bucket_of(*i) == keys::bucket_of(id))
        );
        assert!(store.check().unwrap().is_clean());

        let mut b = WriteBatch::default();
        put_bucket(&mut b, keys::bucket_of(id), 42);
        store.kv.apply(b).unwrap();
        assert_eq!(store.check().unwrap().buckets_wrong, 1);
        store.rebuild_projections().unwrap();
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.bucket_digests().unwrap(), expected_buckets(&store));
    }
}

#[cfg(test)]
mod upgrade_tests {
    use std::convert::Infallible;

    use rapport_model::{Body, Meta, Person, Prose, Timestamp};

    use super::*;
    use crate::kv::{COMPACTED_SETTINGS, NEW_SETTINGS, create_legacy_compressed};

    fn person(i: i64) -> Record {
        Record {
            meta: Meta::new_at(Timestamp::from_millis(1_763_800_000_000 + i)),
            body: Body::Person(Person {
                name: format!("Person {i}"),
                research_notes: Prose::from(
                    "Works on heat pumps and grid planning; met at the energy meetup. "
                        .repeat(4)
                        .as_str(),
                ),
                ..Default::default()
            }),
        }
    }

    /// A vault written before the agenda, candidate and Progress indexes gets them when opened,
    /// and they agree with its records.
    #[test]
    fn a_vault_from_before_the_progress_counters_gets_them_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let referrer = person(0);
        let mut referee = person(1);
        if let Body::Person(p) = &mut referee.body {
            p.referred_by_id = Some(referrer.id());
        }
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            store.write_all(vec![referrer.clone(), referee]).unwrap();
            // As the older version left it: none of the newer indexes, no marker.
            let mut b = WriteBatch::default();
            for prefix in [keys::AGENDA, keys::CANDIDATE, keys::TALLY, keys::REFERRAL] {
                for (k, _) in store
                    .kv
                    .scan(&[prefix], None, Direction::Forward, usize::MAX)
                    .unwrap()
                {
                    b.delete(k);
                }
            }
            b.delete(keys::AGENDA_READY.to_vec());
            store.kv.apply(b).unwrap();
            store.kv.flush().unwrap();
            assert!(store.tallies("funnel:").unwrap().is_empty());
            assert!(!store.check().unwrap().is_clean());
        }
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(
            store.tallies("funnel:").unwrap(),
            vec![("1-identified".to_string(), 2)]
        );
        assert_eq!(store.referrals().unwrap().len(), 1);
        assert_eq!(store.referrals().unwrap()[0].0, referrer.id());
        assert!(store.check().unwrap().is_clean());
    }

    #[test]
    fn projections_read_in_either_form_and_compaction_stores_them_for_sled_compression() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        create_legacy_compressed(&db).unwrap();
        let records: Vec<Record> = (0..3).map(person).collect();
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            for r in &records {
                let r = r.clone();
                store
                    .write(r.id(), |_| Ok::<_, Infallible>(r))
                    .unwrap()
                    .unwrap();
            }
            // sled compresses this database's pages: projections are stored plain.
            let id = records[0].id();
            let stored = store.kv.get(&keys::record(id)).unwrap().unwrap();
            assert_eq!(stored[0], b'{');
            // As a vault created since then holds them: compressed by the store.
            let mut b = WriteBatch::default();
            b.put(keys::record(id), codec::pack(stored));
            store.kv.apply(b).unwrap();
            store.kv.flush().unwrap();
        }
        let settings = SledKv::settings(&db).unwrap();
        assert!(
            settings.compression,
            "the old vault keeps sled's compression"
        );
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            for r in &records {
                assert_eq!(store.get(r.id()).unwrap().as_ref(), Some(r));
            }
            assert!(store.check().unwrap().is_clean());
            assert_eq!(store.search("meetup", None, 10).unwrap().len(), 3);
        }
        let (store, _, _) = Store::open_rewritten(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(SledKv::settings(&db), Some(COMPACTED_SETTINGS));
        for r in &records {
            assert_eq!(store.get(r.id()).unwrap().as_ref(), Some(r));
            let stored = store.kv.get(&keys::record(r.id())).unwrap().unwrap();
            assert_eq!(
                stored[0], b'{',
                "sled compresses the compacted database's pages"
            );
        }
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.search("meetup", None, 10).unwrap().len(), 3);
    }

    #[test]
    fn one_pending_search_entry_per_batch_and_old_single_entries_both_replay() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Record> = (0..5).map(person).collect();
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            assert_eq!(SledKv::settings(&dir.path().join("db")), Some(NEW_SETTINGS));
            let long = person(99);
            let long_id = long.id();
            store.write_all(vec![long]).unwrap();
            let stored = store.kv.get(&keys::record(long_id)).unwrap();
            assert_eq!(stored.unwrap()[0], 1, "compressed by the store");
            store.write_all(records.clone()).unwrap();
            let pending = store
                .kv
                .scan(&[keys::PENDING_SEARCH], None, Direction::Forward, 100)
                .unwrap();
            assert_eq!(pending.len(), 2, "one entry for each batch");
            assert_eq!(pending[1].1.len(), 5 * 16);
            // An entry in the older shape (one id) from before batches shared entries.
            let extra = person(9);
            let id = extra.id();
            store
                .write(id, |_| Ok::<_, Infallible>(extra))
                .unwrap()
                .unwrap();
            let pending = store
                .kv
                .scan(&[keys::PENDING_SEARCH], None, Direction::Forward, 100)
                .unwrap();
            assert_eq!(pending.len(), 3);
            assert_eq!(pending[2].1, id.as_bytes().to_vec());
        }
        // Reopened, the index catches up from every entry.
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.search("meetup", None, 10).unwrap().len(), 7);
    }
}

#[cfg(test)]
mod bulk_index_tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rapport_model::{Body, Meta, Person, Timestamp};

    use super::*;
    use crate::kv::{Entry, MemKv};

    /// An in-memory database whose writes can be made to fail (a full disk, say).
    struct FailingKv {
        inner: MemKv,
        fail: Arc<AtomicBool>,
    }

    impl KvStore for FailingKv {
        fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
            self.inner.get(key)
        }
        fn scan(
            &self,
            prefix: &[u8],
            after: Option<&[u8]>,
            dir: Direction,
            limit: usize,
        ) -> Result<Vec<Entry>> {
            self.inner.scan(prefix, after, dir, limit)
        }
        fn apply(&self, batch: WriteBatch) -> Result<()> {
            if self.fail.load(Ordering::SeqCst) {
                return Err(StoreError::Search("no space left on the device".into()));
            }
            self.inner.apply(batch)
        }
        fn flush(&self) -> Result<()> {
            self.inner.flush()
        }
        fn size_on_disk(&self) -> Result<u64> {
            self.inner.size_on_disk()
        }
    }

    fn people(word: &str, n: usize, from: i64) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                meta: Meta::new_at(Timestamp::from_millis(1_763_800_000_000 + from + i as i64)),
                body: Body::Person(Person {
                    name: format!("{word} {i}"),
                    ..Default::default()
                }),
            })
            .collect()
    }

    #[test]
    fn a_bulk_write_is_searchable_and_a_failed_one_leaves_nothing_in_the_index() {
        let fail = Arc::new(AtomicBool::new(false));
        let kv = FailingKv {
            inner: MemKv::new(),
            fail: fail.clone(),
        };
        let store = Store::with_kv(Box::new(kv), None, StoreOptions::default(), None).unwrap();
        let bulk = INDEX_WHILE_APPLYING + 50;
        // A few ordinary writes, searched: the index is open and has uncommitted additions
        // when the failing write comes.
        store.write_all(people("Early", 3, 0)).unwrap();
        assert_eq!(store.search("early", None, 10).unwrap().len(), 3);
        store.write_all(people("Middle", 2, 10)).unwrap();

        fail.store(true, Ordering::SeqCst);
        assert!(store.write_all(people("Zephyr", bulk, 100)).is_err());
        fail.store(false, Ordering::SeqCst);
        assert!(
            store.search("zephyr", None, 10).unwrap().is_empty(),
            "a write that failed is not found"
        );
        assert_eq!(
            store.search("middle", None, 10).unwrap().len(),
            2,
            "what was written before the failure is still found"
        );

        // Indexed while the database applies it, and found once committed.
        let written = people("Quokka", bulk, 10_000);
        store.write_all(written.clone()).unwrap();
        assert_eq!(store.search("quokka", None, 2 * bulk).unwrap().len(), bulk);
        assert_eq!(store.search_len().unwrap(), (3 + 2 + bulk) as u64);
        let r = &written[7];
        assert_eq!(store.get(r.id()).unwrap().as_ref(), Some(r));
    }
}

/// The counter deltas a change of a record makes: −1 for each facet it had, +1 for each it has.
fn tally_deltas(old: Option<&Record>, new: &Record) -> Vec<(Vec<u8>, i64)> {
    let mut d: std::collections::BTreeMap<Vec<u8>, i64> = Default::default();
    for f in old
        .map(rapport_model::workflow::tally::facets)
        .unwrap_or_default()
    {
        *d.entry(keys::tally(&f)).or_default() -= 1;
    }
    for f in rapport_model::workflow::tally::facets(new) {
        *d.entry(keys::tally(&f)).or_default() += 1;
    }
    d.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// Counters derived from records, for checks and rebuilds.
#[derive(Default)]
struct Tallies(std::collections::BTreeMap<Vec<u8>, u64>);

impl Tallies {
    fn add(&mut self, r: &Record) {
        for f in rapport_model::workflow::tally::facets(r) {
            *self.0.entry(keys::tally(&f)).or_default() += 1;
        }
    }
    fn write(&self, batch: &mut WriteBatch) {
        for (k, n) in &self.0 {
            batch.put(k.clone(), n.to_be_bytes().to_vec());
        }
    }
}
