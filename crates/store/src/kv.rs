//! The small ordered key-value interface the store is written against, with two twins: sled on
//! disk and a `BTreeMap` in memory. [`conformance::run`] is the suite both must pass.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::RwLock;

use crate::error::{Result, StoreError};

/// Writes applied together: all of them or none.
#[derive(Debug, Default)]
pub struct WriteBatch {
    ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl WriteBatch {
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push((key.into(), Some(value.into())));
    }
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.ops.push((key.into(), None));
    }
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Which way a scan walks the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

pub type Entry = (Vec<u8>, Vec<u8>);

/// An ordered byte map with atomic batches and an explicit flush.
pub trait KvStore: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Up to `limit` entries whose key starts with `prefix`, strictly after `after` in the walking
    /// direction (or from the start), in key order (reversed for `Backward`).
    fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<Entry>>;
    /// Applies every write of the batch atomically: after a crash, all of them or none. (A batch
    /// larger than [`PART_OPS`] goes to sled in parts, so a reader in this process may see some
    /// of its parts before the call returns.)
    fn apply(&self, batch: WriteBatch) -> Result<()>;
    /// Returns once everything applied so far is on stable storage.
    fn flush(&self) -> Result<()>;
    /// Bytes used on disk (0 in memory).
    fn size_on_disk(&self) -> Result<u64>;
    /// True when the store compresses what it writes itself (then values are stored plain).
    fn compresses(&self) -> bool {
        false
    }
}

/// The smallest key greater than every key starting with `prefix` (none if the prefix is all 0xff).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn bounds(prefix: &[u8], after: Option<&[u8]>, dir: Direction) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let start_of_prefix = Bound::Included(prefix.to_vec());
    let end_of_prefix = prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded);
    match (dir, after) {
        (_, None) => (start_of_prefix, end_of_prefix),
        (Direction::Forward, Some(a)) => (Bound::Excluded(a.to_vec()), end_of_prefix),
        (Direction::Backward, Some(a)) => (start_of_prefix, Bound::Excluded(a.to_vec())),
    }
}

/// True when no key can lie between the bounds (a `BTreeMap` range would panic on them).
fn empty_range(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    match (lo, hi) {
        (Bound::Included(l), Bound::Excluded(h)) | (Bound::Excluded(l), Bound::Excluded(h)) => {
            l >= h
        }
        _ => false,
    }
}

/// The in-memory twin, for tests and for the deterministic sync harness.
#[derive(Debug, Default)]
pub struct MemKv {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemKv {
    pub fn new() -> Self {
        Self::default()
    }
}

fn poisoned() -> StoreError {
    StoreError::Corrupt("an earlier operation panicked while holding the in-memory store".into())
}

impl KvStore for MemKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.map.read().map_err(|_| poisoned())?.get(key).cloned())
    }

    fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<Entry>> {
        let map = self.map.read().map_err(|_| poisoned())?;
        let (lo, hi) = bounds(prefix, after, dir);
        if empty_range(&lo, &hi) {
            return Ok(Vec::new());
        }
        let range = map.range::<Vec<u8>, _>((lo, hi));
        let take = |it: &mut dyn Iterator<Item = (&Vec<u8>, &Vec<u8>)>| {
            it.filter(|(k, _)| k.starts_with(prefix))
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        Ok(match dir {
            Direction::Forward => take(&mut range.into_iter()),
            Direction::Backward => take(&mut range.rev()),
        })
    }

    fn apply(&self, batch: WriteBatch) -> Result<()> {
        let mut map = self.map.write().map_err(|_| poisoned())?;
        for (k, v) in batch.ops {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(0)
    }
}

/// What a rewrite does to each value on the way (given its key): the current stored form.
pub type Repack = dyn Fn(&[u8], Vec<u8>) -> Result<Vec<u8>>;

/// sled on disk.
pub struct SledKv {
    db: sled::Db,
    compresses: bool,
    /// Held while a batch is applied: a batch applied in parts must not interleave with another.
    applying: std::sync::Mutex<()>,
}

impl std::fmt::Debug for SledKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledKv").finish_non_exhaustive()
    }
}

impl SledKv {
    /// Opens (or creates) the database in `dir`. `cache_bytes` bounds sled's page cache; sled's
    /// own background flush is off because the store flushes before acknowledging each write.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self> {
        finish_rewrite(dir)?;
        let db = open_db(dir, cache_bytes, NEW_SETTINGS)?;
        roll_back_unfinished(&db)?;
        let compresses = existing_settings(dir).is_none_or(|s| s.compression);
        Ok(Self {
            db,
            compresses,
            applying: Default::default(),
        })
    }

    /// Rewrites the database in `dir` into fresh files, leaving behind the space sled's log holds
    /// for old versions (sled reuses that space but never gives it back). The copy is made beside
    /// the database and swapped in by renaming, so a crash at any point leaves one whole
    /// database: the old one, or the new one (see [`finish_rewrite`]). Returns the bytes on disk
    /// before and after.
    ///
    /// The copy is made with [`COMPACTED_SETTINGS`] and every value passes through `repack` on
    /// the way, so a rewrite is also how an older database is brought up to the current format.
    pub fn rewrite(dir: &Path, cache_bytes: u64, repack: &Repack) -> Result<(u64, u64)> {
        finish_rewrite(dir)?;
        let fresh = sibling(dir, "new");
        remove_dir(&fresh)?;
        let before;
        {
            let old = open_db(dir, cache_bytes, NEW_SETTINGS)?;
            before = old.size_on_disk()?;
            let new = open_db(&fresh, cache_bytes, COMPACTED_SETTINGS)?;
            // One insert at a time, in key order: measured to leave sled's log ~20% smaller
            // than large batches do (examples/sled_sizes.rs).
            for item in old.iter() {
                let (k, v) = item?;
                let v = repack(&k, v.to_vec())?;
                new.insert(k, v)?;
            }
            // A write in parts cut short is undone in the copy (journal included), not in the
            // old files: after a power cut those may hold pages a lookup cannot read, which the
            // walk above never reaches.
            roll_back_unfinished(&new)?;
            new.flush()?;
        }
        // The copy's files and names are on disk before it replaces the database (sled syncs
        // its log, not its folder), and the swap is on disk before the old files go.
        crate::salvage::sync_dir(&fresh)?;
        let old = sibling(dir, "old");
        std::fs::rename(dir, &old).map_err(|e| StoreError::io(dir, e))?;
        std::fs::rename(&fresh, dir).map_err(|e| StoreError::io(&fresh, e))?;
        if let Some(parent) = dir.parent() {
            crate::salvage::sync_dir(parent)?;
        }
        remove_dir(&old)?;
        let after = open_db(dir, cache_bytes, COMPACTED_SETTINGS)?.size_on_disk()?;
        Ok((before, after))
    }
}

/// sled's log segment size for new databases: 64 KiB left the 1k-people vault 22 % smaller
/// than sled's default 512 KiB after a rewrite (examples/sled_sizes.rs), with every value still
/// inline (32 KiB pushed values out to blob files).
const SEGMENT_BYTES: usize = 64 * 1024;

/// Opens sled, waiting (up to 2 s) while sled's own file lock is held. The vault's lock
/// ([`crate::lock`]) already keeps other processes out, so the holder can only be a handle this
/// process just dropped whose background work has not finished. Added after one unexplained
/// failure to reopen a store right after closing it in a test (not reproduced since, in 9 runs).
fn open_db(dir: &Path, cache_bytes: u64, if_new: SledSettings) -> Result<sled::Db> {
    let mut tries = 0;
    loop {
        match open_db_once(dir, cache_bytes, if_new) {
            Err(StoreError::Db(e))
                if tries < 100
                    && matches!(&*e, sled::Error::Io(io) if io.to_string().contains("lock")) =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// sled's settings for a database: the log segment size and whether sled compresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SledSettings {
    pub segment_bytes: usize,
    pub compression: bool,
}

/// A database created empty (a new vault, a device receiving one): 64 KiB segments and no sled
/// compression. sled 0.34 makes a new zstd context for every fragment it writes (one per key of
/// a batch) and every page it reads, which dominated bulk writes; the store compresses the
/// values that gain from it itself (`codec.rs`).
pub const NEW_SETTINGS: SledSettings = SledSettings {
    segment_bytes: SEGMENT_BYTES,
    compression: false,
};

/// A database rewritten by compaction: sled's compression on. Without it sled's log (old node
/// versions) left the compacted 10k-people vault at 3.6× its JSON export, over the 3× target;
/// with it, 2.3× (BENCHMARKS.md). A compacted vault is one that already holds its data, so the
/// per-fragment cost falls on everyday edits (one batch each), not on bulk writes into an
/// empty vault.
pub const COMPACTED_SETTINGS: SledSettings = SledSettings {
    segment_bytes: SEGMENT_BYTES,
    compression: true,
};

/// The settings an existing database was made with (sled cannot change them in place and
/// refuses to open with others), read from sled's `conf` file: text lines, then a checksum.
pub(crate) fn existing_settings(dir: &Path) -> Option<SledSettings> {
    let conf = std::fs::read(dir.join("conf")).ok()?;
    let text = String::from_utf8_lossy(&conf);
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    Some(SledSettings {
        segment_bytes: value("segment_size:")?.parse().ok()?,
        compression: value("use_compression:")?.parse().ok()?,
    })
}

#[allow(clippy::disallowed_methods)] // this is the one place that opens sled
fn open_db_once(dir: &Path, cache_bytes: u64, if_new: SledSettings) -> Result<sled::Db> {
    // A database keeps the settings it was made with (sled refuses others); `rapport doctor
    // --compact` rewrites it with [`COMPACTED_SETTINGS`].
    let existing = existing_settings(dir);
    let settings = existing.unwrap_or(if_new);
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        .flush_every_ms(None)
        .use_compression(settings.compression)
        .compression_factor(3)
        .segment_size(settings.segment_bytes);
    let db =
        crate::recovery::damaged_on_panic("the log could not be recovered", || Ok(config.open()?))?;
    if existing.is_none() {
        // sled never syncs the settings file it writes for a new database. Lost to a power
        // cut, the next open would read the log with the settings of a new vault, which a
        // compacted one does not have.
        let conf = dir.join("conf");
        std::fs::File::open(&conf)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::io(&conf, e))?;
        crate::salvage::sync_dir(dir)?;
    }
    Ok(db)
}

/// Creates a database with sled's compression on, as every vault was made before
/// [`NEW_SETTINGS`] (tests of the upgrade path).
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn create_legacy_compressed(dir: &Path) -> Result<()> {
    sled::Config::new()
        .path(dir)
        .use_compression(true)
        .compression_factor(3)
        .segment_size(SEGMENT_BYTES)
        .open()?
        .flush()?;
    Ok(())
}

fn sibling(dir: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(dir, e)),
        _ => Ok(()),
    }
}

/// Completes or undoes a rewrite a crash interrupted. `x.new` beside a live `x` is an unfinished
/// copy (dropped); `x.new` without `x` was about to be swapped in (renamed); `x.old` is the
/// previous database, already replaced (dropped).
fn finish_rewrite(dir: &Path) -> Result<()> {
    let fresh = sibling(dir, "new");
    if fresh.exists() {
        if dir.exists() {
            remove_dir(&fresh)?;
        } else {
            std::fs::rename(&fresh, dir).map_err(|e| StoreError::io(&fresh, e))?;
        }
    }
    remove_dir(&sibling(dir, "old"))
}

impl KvStore for SledKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<Entry>> {
        let (lo, hi) = bounds(prefix, after, dir);
        if empty_range(&lo, &hi) {
            return Ok(Vec::new());
        }
        let iter = self.db.range::<Vec<u8>, _>((lo, hi));
        let mut out = Vec::new();
        let mut push = |item: sled::Result<(sled::IVec, sled::IVec)>| -> Result<bool> {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                return Ok(true);
            }
            out.push((k.to_vec(), v.to_vec()));
            Ok(out.len() < limit)
        };
        match dir {
            Direction::Forward => {
                for item in iter {
                    if limit == 0 || !push(item)? {
                        break;
                    }
                }
            }
            Direction::Backward => {
                for item in iter.rev() {
                    if limit == 0 || !push(item)? {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    fn apply(&self, batch: WriteBatch) -> Result<()> {
        let _one_at_a_time = self.applying.lock().map_err(|_| poisoned())?;
        if batch.len() <= PART_OPS {
            return Ok(self.db.apply_batch(sled_batch(batch.ops))?);
        }
        let parts = match self.write_parts(batch) {
            Ok(parts) => parts,
            Err(e) => {
                // Undo what went in; if even that fails, the next open does it.
                let _ = roll_back_unfinished(&self.db);
                return Err(e);
            }
        };
        // Done: the journal goes in one more batch. sled recovers a prefix of its log, so a
        // crash leaves either the journal (undone at the next open) or every part.
        let mut done = sled::Batch::default();
        for i in 0..parts {
            done.remove(undo_key(i));
        }
        self.db.apply_batch(done)?;
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn compresses(&self) -> bool {
        self.compresses
    }
}

/// A batch with more writes than this is applied in parts. sled holds one batch in memory until
/// it is whole: a restore's single batch (311k writes) took 13.3 s with the vault's 16 MB page
/// cache (5.8–7.1 s with 128 MB, and 1.7 GB more memory) against 1.9–4.1 s in parts of 4,096
/// (BENCHMARKS.md).
pub const PART_OPS: usize = 4096;

/// `J` + part number (u64, big-endian) → what the keys of that part of a batch held before it
/// (see [`SledKv::write_parts`]).
const UNDO: u8 = b'J';

fn undo_key(part: usize) -> Vec<u8> {
    let mut k = vec![UNDO];
    k.extend_from_slice(&(part as u64).to_be_bytes());
    k
}

fn sled_batch(ops: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>) -> sled::Batch {
    let mut b = sled::Batch::default();
    for (k, v) in ops {
        match v {
            Some(v) => b.insert(k, v),
            None => b.remove(k),
        }
    }
    b
}

/// Each key with the value it held (length-prefixed: key, then 0 for none or 1 and the value).
fn encode_undo(out: &mut Vec<u8>, key: &[u8], old: Option<&[u8]>) {
    out.extend_from_slice(&(key.len() as u32).to_be_bytes());
    out.extend_from_slice(key);
    match old {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&(v.len() as u32).to_be_bytes());
            out.extend_from_slice(v);
        }
    }
}

type Undo = Vec<(Vec<u8>, Option<Vec<u8>>)>;

fn decode_undo(mut bytes: &[u8]) -> Result<Undo> {
    let damaged = || StoreError::Damaged("an unfinished bulk write's journal is cut short".into());
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
        *bytes = rest;
        Some(head)
    }
    let len = |bytes: &mut &[u8]| -> Option<usize> {
        Some(u32::from_be_bytes(take(bytes, 4)?.try_into().ok()?) as usize)
    };
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let n = len(&mut bytes).ok_or_else(damaged)?;
        let key = take(&mut bytes, n).ok_or_else(damaged)?.to_vec();
        let old = match take(&mut bytes, 1).ok_or_else(damaged)? {
            [0] => None,
            [1] => {
                let n = len(&mut bytes).ok_or_else(damaged)?;
                Some(take(&mut bytes, n).ok_or_else(damaged)?.to_vec())
            }
            _ => return Err(damaged()),
        };
        out.push((key, old));
    }
    Ok(out)
}

/// Undoes a batch that was being applied in parts when the process stopped (or that failed):
/// every part still journalled gets its keys' earlier values back, the last part first, each
/// in one batch with the removal of its journal entry. Returns whether there was one.
fn roll_back_unfinished(db: &sled::Db) -> Result<bool> {
    let parts = db
        .scan_prefix([UNDO])
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if parts.is_empty() {
        return Ok(false);
    }
    for (key, undo) in parts.into_iter().rev() {
        let mut b = sled_batch(decode_undo(&undo)?);
        b.remove(key);
        db.apply_batch(b)?;
    }
    db.flush()?;
    tracing::warn!("a bulk write (an import or a restore) was interrupted; it was undone");
    Ok(true)
}

impl SledKv {
    /// Applies a large batch in parts of [`PART_OPS`] writes, in key order. Each part goes in one
    /// sled batch with a journal entry holding what its keys held before, so a crash between
    /// parts can be undone ([`roll_back_unfinished`]). Returns how many parts were written; their
    /// journal entries are still there.
    fn write_parts(&self, batch: WriteBatch) -> Result<usize> {
        // One write per key, the batch's last (as in one sled batch): a stable sort keeps equal
        // keys in batch order, so reversed first, the first of each run is the last written.
        let mut ops = batch.ops;
        ops.reverse();
        ops.sort_by(|a, b| a.0.cmp(&b.0));
        ops.dedup_by(|later, first| later.0 == first.0);
        let mut parts = 0;
        let mut ops = ops.into_iter().peekable();
        while ops.peek().is_some() {
            let part: Vec<_> = ops.by_ref().take(PART_OPS).collect();
            let mut undo = Vec::new();
            for (k, _) in &part {
                encode_undo(&mut undo, k, self.db.get(k)?.as_deref());
            }
            let mut b = sled_batch(part);
            b.insert(undo_key(parts), undo);
            self.db.apply_batch(b)?;
            parts += 1;
        }
        Ok(parts)
    }

    /// The settings the database in `dir` was made with, if there is one.
    pub fn settings(dir: &Path) -> Option<SledSettings> {
        existing_settings(dir)
    }
}

/// The behaviour every [`KvStore`] must show. Call [`conformance::run`] with a fresh, empty store.
pub mod conformance {
    use super::*;

    fn keys(entries: &[Entry]) -> Vec<&[u8]> {
        entries.iter().map(|(k, _)| k.as_slice()).collect()
    }

    fn check(ok: bool, what: &str) -> std::result::Result<(), String> {
        if ok { Ok(()) } else { Err(what.to_string()) }
    }

    /// Runs the whole suite; the error names the first behaviour that differs.
    pub fn run(kv: &dyn KvStore) -> std::result::Result<(), String> {
        let e = |e: StoreError| e.to_string();
        check(
            kv.get(b"missing").map_err(e)?.is_none(),
            "get of a missing key is None",
        )?;

        let mut b = WriteBatch::default();
        for k in [&b"a1"[..], b"a2", b"a3", b"b1", b"a\xff", b"\xff\xff"] {
            b.put(k, k.to_vec());
        }
        kv.apply(b).map_err(e)?;
        kv.flush().map_err(e)?;
        check(
            kv.get(b"a2").map_err(e)?.as_deref() == Some(&b"a2"[..]),
            "get returns what was put",
        )?;

        let all_a = kv
            .scan(b"a", None, Direction::Forward, usize::MAX)
            .map_err(e)?;
        check(
            keys(&all_a) == vec![&b"a1"[..], b"a2", b"a3", b"a\xff"],
            "forward scan of a prefix, in order",
        )?;
        let back = kv.scan(b"a", None, Direction::Backward, 2).map_err(e)?;
        check(
            keys(&back) == vec![&b"a\xff"[..], b"a3"],
            "backward scan with a limit",
        )?;
        let after = kv
            .scan(b"a", Some(b"a2"), Direction::Forward, 10)
            .map_err(e)?;
        check(
            keys(&after) == vec![&b"a3"[..], b"a\xff"],
            "forward scan after a key",
        )?;
        let before = kv
            .scan(b"a", Some(b"a2"), Direction::Backward, 10)
            .map_err(e)?;
        check(
            keys(&before) == vec![&b"a1"[..]],
            "backward scan before a key",
        )?;
        let ff = kv.scan(b"\xff", None, Direction::Forward, 10).map_err(e)?;
        check(
            keys(&ff) == vec![&b"\xff\xff"[..]],
            "scan of an all-0xff prefix",
        )?;
        let none = kv.scan(b"c", None, Direction::Forward, 10).map_err(e)?;
        check(none.is_empty(), "scan of an absent prefix is empty")?;
        let zero = kv.scan(b"a", None, Direction::Forward, 0).map_err(e)?;
        check(zero.is_empty(), "a limit of 0 returns nothing")?;

        let mut b = WriteBatch::default();
        b.delete(&b"a1"[..]);
        b.put(&b"a2"[..], &b"new"[..]);
        b.delete(&b"never-there"[..]);
        kv.apply(b).map_err(e)?;
        check(kv.get(b"a1").map_err(e)?.is_none(), "a batch deletes")?;
        check(
            kv.get(b"a2").map_err(e)?.as_deref() == Some(&b"new"[..]),
            "a batch overwrites",
        )?;

        let mut b = WriteBatch::default();
        b.put(&b"x"[..], &b"1"[..]);
        b.delete(&b"x"[..]);
        kv.apply(b).map_err(e)?;
        check(
            kv.get(b"x").map_err(e)?.is_none(),
            "later writes in a batch win",
        )?;

        // Larger than one part (sled applies it in parts): still every write, the last of
        // each key winning.
        let mut b = WriteBatch::default();
        b.put(&b"m-first-and-last"[..], &b"first"[..]);
        for i in 0..(2 * PART_OPS + 1) {
            b.put(format!("m{i:06}"), i.to_string());
        }
        b.delete(format!("m{:06}", PART_OPS));
        b.put(&b"m-first-and-last"[..], &b"last"[..]);
        kv.apply(b).map_err(e)?;
        let m = kv
            .scan(b"m", None, Direction::Forward, usize::MAX)
            .map_err(e)?;
        check(
            m.len() == 2 * PART_OPS + 1
                && kv.get(b"m-first-and-last").map_err(e)?.as_deref() == Some(&b"last"[..])
                && kv
                    .get(format!("m{:06}", PART_OPS).as_bytes())
                    .map_err(e)?
                    .is_none()
                && kv.get(b"m000007").map_err(e)?.as_deref() == Some(&b"7"[..]),
            "a batch larger than a part applies whole, later writes winning",
        )?;

        let big = vec![7u8; 1 << 20];
        let mut b = WriteBatch::default();
        b.put(&b"big"[..], big.clone());
        kv.apply(b).map_err(e)?;
        kv.flush().map_err(e)?;
        check(
            kv.get(b"big").map_err(e)?.as_deref() == Some(big.as_slice()),
            "a 1 MiB value round-trips",
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everything(kv: &SledKv) -> Vec<Entry> {
        kv.scan(&[], None, Direction::Forward, usize::MAX).unwrap()
    }

    /// 3,000 keys already there, then a batch over several parts that adds, overwrites,
    /// deletes, and writes one key twice.
    fn before_and_big_batch(kv: &SledKv) -> WriteBatch {
        let mut b = WriteBatch::default();
        for i in 0..3000u32 {
            b.put(format!("k{i:05}"), format!("old {i}"));
        }
        kv.apply(b).unwrap();
        kv.flush().unwrap();
        let mut big = WriteBatch::default();
        for i in 0..(3 * PART_OPS as u32) {
            match i % 3 {
                0 => big.put(format!("k{i:05}"), format!("new {i}")),
                1 => big.delete(format!("k{i:05}")),
                _ => big.put(format!("n{i:05}"), vec![b'x'; 100]),
            }
        }
        big.put("twice", "first");
        big.delete("twice");
        big
    }

    #[test]
    fn a_batch_larger_than_a_part_applies_whole_and_leaves_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        let kv = SledKv::open(dir.path(), 1 << 20).unwrap();
        let big = before_and_big_batch(&kv);
        kv.apply(big).unwrap();
        kv.flush().unwrap();
        assert_eq!(kv.get(b"k00000").unwrap().as_deref(), Some(&b"new 0"[..]));
        assert_eq!(kv.get(b"k00001").unwrap(), None, "deleted");
        assert_eq!(kv.get(b"k00002").unwrap().as_deref(), Some(&b"old 2"[..]));
        assert_eq!(
            kv.get(b"k03000").unwrap().as_deref(),
            Some(&b"new 3000"[..])
        );
        assert_eq!(kv.get(b"n12287").unwrap().map(|v| v.len()), Some(100));
        assert_eq!(kv.get(b"twice").unwrap(), None, "the later write wins");
        assert!(
            kv.scan(&[UNDO], None, Direction::Forward, 1)
                .unwrap()
                .is_empty()
        );
        drop(kv);
        let again = SledKv::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(
            again.get(b"k03000").unwrap().as_deref(),
            Some(&b"new 3000"[..])
        );
    }

    /// Files holding every part of the big batch, its journal not yet removed (what a process
    /// killed at that moment leaves), and everything they held before it.
    fn stopped_between_parts(dir: &Path) -> Vec<Entry> {
        let kv = SledKv::open(dir, 1 << 20).unwrap();
        let big = before_and_big_batch(&kv);
        let before = everything(&kv);
        assert_eq!(kv.write_parts(big).unwrap(), 4, "12,289 distinct keys");
        kv.flush().unwrap();
        assert_ne!(everything(&kv), before);
        before
    }

    #[test]
    fn a_batch_stopped_between_parts_is_undone_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let before = stopped_between_parts(dir.path());
        let reopened = SledKv::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(everything(&reopened), before, "exactly as before the batch");
    }

    #[test]
    fn a_rewrite_of_files_holding_a_stopped_batch_undoes_it_in_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let before = stopped_between_parts(dir.path());
        SledKv::rewrite(dir.path(), 1 << 20, &|_, v| Ok(v)).unwrap();
        let rewritten = SledKv::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(everything(&rewritten), before);
    }

    #[test]
    fn a_cut_journal_entry_is_refused_as_damaged() {
        let mut undo = Vec::new();
        encode_undo(&mut undo, b"key", Some(b"value"));
        encode_undo(&mut undo, b"gone", None);
        let whole = decode_undo(&undo).unwrap();
        assert_eq!(
            whole,
            vec![
                (b"key".to_vec(), Some(b"value".to_vec())),
                (b"gone".to_vec(), None)
            ]
        );
        for cut in 1..undo.len() {
            if cut == 17 {
                continue; // exactly the first entry: whole
            }
            assert!(
                matches!(decode_undo(&undo[..cut]), Err(StoreError::Damaged(_))),
                "cut at {cut}"
            );
        }
    }
}
