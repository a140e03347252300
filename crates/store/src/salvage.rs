//! What a process killed part-way leaves in the database's directory, and the repairs of it that
//! are known to be safe. A death is not damage (docs/architecture.md, "A killed process"): every
//! state below is one a `kill -9` can leave, and the next open mends it without losing anything
//! that was acknowledged.
//!
//! Besides its log (`db`), sled 0.34 writes three kinds of files, none of them atomically:
//!
//! - `snap.<lsn>`: a summary of where each page lies in the log, written on every open that finds
//!   log entries newer than the last summary. sled writes `snap.<lsn>.generating`, syncs it,
//!   renames it, then removes the older summaries. A process killed meanwhile leaves the
//!   `.generating` file empty, cut short, or whole but not renamed, and sled reads the newest
//!   file whatever its name: one cut short makes it refuse the whole database as corrupt. A
//!   summary is only a shortcut through the log (sled builds it from the log alone when there is
//!   none, and writes it again at this very open), so an unfinished one is set aside.
//! - `conf`: the segment size and compression, written once as the database is created, before
//!   the log exists. A process killed while writing it leaves a torn file that sled refuses; with
//!   no log there is nothing it describes yet, so it is set aside and written again.
//! - `blobs/<lsn>`: values too large for the log, written before the log entry that points to
//!   them. sled removes those newer than the log it recovers by itself; nothing to do here.
//!
//! The log itself: a write cut short fails its checksum and sled's recovery ends the log before
//! it. It was never acknowledged (the store acknowledges only after a flush), so nothing is lost.
//! A log of two segments or more in which not one segment header passes its checksum is not
//! what a kill leaves (sled writes the first segment's header with its first write): it is
//! refused before sled opens it, because sled's recovery takes such segments for free ones and
//! cuts the file short, which would leave less of it for whoever tries to rescue it.
//!
//! One more repair is tried only after sled refused the files: a renamed summary that fails its
//! checksum cannot come from a kill (it was synced before the rename), but it is still only a
//! summary; it is set aside too, and the vault is then checked document by document as after a
//! power cut, since something really did go wrong on that disk.
//!
//! Nothing is deleted: a file set aside is moved under `set-aside/<time>/` in the data directory
//! and said in the log; `rapport doctor` lists what is there.

use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// The folder of the data directory that keeps every file a repair moved out of the way.
pub const SET_ASIDE: &str = "set-aside";

/// The repairs of one open, and where their files went.
#[derive(Debug)]
pub(crate) struct Salvage {
    data_dir: PathBuf,
    /// Under [`SET_ASIDE`]: one folder per open that set something aside.
    folder: PathBuf,
    /// What was done, in the words of the log.
    pub(crate) done: Vec<String>,
    /// A summary that could not have come from a kill was set aside: the vault is checked.
    pub(crate) found_damage: bool,
}

impl Salvage {
    pub(crate) fn new(data_dir: &Path) -> Self {
        let when = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
        Self {
            data_dir: data_dir.to_path_buf(),
            folder: data_dir
                .join(SET_ASIDE)
                .join(format!("{when}-{}", std::process::id())),
            done: Vec::new(),
            found_damage: false,
        }
    }

    /// Mends, before sled opens `db`, what only a process killed part-way leaves.
    pub(crate) fn before_open(&mut self, db: &Path) -> Result<()> {
        for snap in snapshot_files(db)? {
            if is_unfinished(&snap) {
                self.set_aside(
                    &snap,
                    "a summary of the log that sled was writing when its process died \
                     (rebuilt from the log)",
                )?;
            }
        }
        let conf = db.join("conf");
        if conf_is_torn(&conf) && log_is_empty(db) {
            self.set_aside(
                &conf,
                "the settings of a new database, cut short as they were written (written again)",
            )?;
        }
        if let Some(settings) = crate::kv::existing_settings(db)
            && no_segment_is_whole(&db.join("db"), settings.segment_bytes)?
        {
            return Err(self.refusal(
                "not one segment of the database's log passes its checksum (the log was \
                 overwritten, not cut short by a kill); it was left as it is"
                    .into(),
            ));
        }
        Ok(())
    }

    /// After sled refused `db` as damaged: sets the newest summary of the log aside if it fails
    /// its checksum (sled then rebuilds it from the log). True if it did.
    pub(crate) fn after_refusal(&mut self, db: &Path) -> Result<bool> {
        let mut snaps = snapshot_files(db)?;
        snaps.sort();
        let Some(newest) = snaps.pop() else {
            return Ok(false);
        };
        if snapshot_is_whole(&newest) {
            return Ok(false);
        }
        self.set_aside(
            &newest,
            "a summary of the log that fails its checksum (rebuilt from the log; the vault is \
             then checked)",
        )?;
        self.found_damage = true;
        Ok(true)
    }

    /// The refusal of a vault that no known repair opened, saying what was tried.
    pub(crate) fn refusal(&self, why: String) -> StoreError {
        if self.done.is_empty() {
            return StoreError::Damaged(why);
        }
        StoreError::Damaged(format!(
            "{why}; tried first, without opening it: {}",
            self.done.join("; ")
        ))
    }

    /// Moves `file` (inside the data directory) under this open's set-aside folder, keeping its
    /// path relative to the data directory, durably.
    fn set_aside(&mut self, file: &Path, why: &str) -> Result<()> {
        let relative = file.strip_prefix(&self.data_dir).unwrap_or(file);
        let to = self.folder.join(relative);
        let parent = to.parent().unwrap_or(&self.folder);
        std::fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
        std::fs::rename(file, &to).map_err(|e| StoreError::io(file, e))?;
        for dir in [file.parent(), Some(parent)].into_iter().flatten() {
            sync_dir(dir)?;
        }
        tracing::warn!(
            file = %file.display(),
            kept_at = %to.display(),
            "set aside {why}"
        );
        self.done
            .push(format!("set aside {why}: {}", relative.display()));
        Ok(())
    }
}

/// Makes a directory's entries durable (a rename or a new file in it).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// The files sled reads as summaries of its log (`snap.*`, whatever follows).
fn snapshot_files(db: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(db) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(db, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(db, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // sled skips these itself (its name for a file being moved).
        if name.starts_with("snap.") && !name.ends_with(".in___motion") {
            found.push(entry.path());
        }
    }
    Ok(found)
}

/// A summary sled had not finished: it renames each one once it is written and synced.
fn is_unfinished(snap: &Path) -> bool {
    snap.extension().is_some_and(|e| e == "generating")
}

/// sled's summary file: the (compressed) summary, its length as 8 bytes, a CRC-32 of the
/// summary as 4 bytes (little-endian).
fn snapshot_is_whole(snap: &Path) -> bool {
    let Ok(bytes) = std::fs::read(snap) else {
        return false;
    };
    if bytes.len() <= 12 {
        return false;
    }
    let (body, tail) = bytes.split_at(bytes.len() - 12);
    tail[8..] == crc32fast::hash(body).to_le_bytes()
}

/// sled's settings file: text lines, then a CRC-32 of them (little-endian). sled itself reads a
/// file of 8 bytes or less as missing and writes it again.
fn conf_is_torn(conf: &Path) -> bool {
    let Ok(bytes) = std::fs::read(conf) else {
        return false;
    };
    if bytes.len() <= 8 {
        return false;
    }
    let (text, crc) = bytes.split_at(bytes.len() - 4);
    crc != crc32fast::hash(text).to_le_bytes()
}

/// True for a log of two segments or more in which no segment header passes its checksum.
/// sled 0.34's header, at the start of each segment: a CRC-32 of the 16 bytes after it (the
/// segment's LSN and the highest stable LSN, each XORed with a constant), stored inverted and
/// little-endian. One 20-byte read per segment.
fn no_segment_is_whole(log: &Path, segment_bytes: usize) -> Result<bool> {
    use std::os::unix::fs::FileExt;
    const HEADER: usize = 20;
    let file = match std::fs::File::open(log) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StoreError::io(log, e)),
    };
    let len = file.metadata().map_err(|e| StoreError::io(log, e))?.len();
    let segment = segment_bytes.max(HEADER) as u64;
    if len < 2 * segment {
        return Ok(false);
    }
    let mut header = [0u8; HEADER];
    for at in (0..len - HEADER as u64 + 1).step_by(segment as usize) {
        file.read_exact_at(&mut header, at)
            .map_err(|e| StoreError::io(log, e))?;
        let (crc, rest) = header.split_at(4);
        let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) ^ 0xFFFF_FFFF;
        if crc32fast::hash(rest) == stored {
            return Ok(false);
        }
    }
    Ok(true)
}

/// sled creates its log right after its settings file: a torn settings file beside a log that
/// holds anything is not what a kill leaves.
fn log_is_empty(db: &Path) -> bool {
    std::fs::metadata(db.join("db")).map_or(true, |m| m.len() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(body: &[u8]) -> Vec<u8> {
        let mut out = body.to_vec();
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        out
    }

    /// A segment header as sled 0.34 writes it.
    fn segment_header(lsn: u64) -> [u8; 20] {
        let mut h = [0u8; 20];
        h[4..12].copy_from_slice(&(lsn ^ 0x7FFF_FFFF_FFFF_FFFF).to_le_bytes());
        h[12..20].copy_from_slice(&(lsn ^ 0x7FFF_FFFF_FFFF_FFFF).to_le_bytes());
        let crc = crc32fast::hash(&h[4..20]) ^ 0xFFFF_FFFF;
        h[..4].copy_from_slice(&crc.to_le_bytes());
        h
    }

    #[test]
    fn a_log_is_overwritten_only_if_no_segment_header_of_two_or_more_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("db");
        let segment = 4096;
        assert!(
            !no_segment_is_whole(&log, segment).unwrap(),
            "no log at all"
        );
        // One segment and a bit: what a kill during the first writes can leave.
        std::fs::write(&log, vec![0xa5; segment + 100]).unwrap();
        assert!(!no_segment_is_whole(&log, segment).unwrap());
        let mut bytes = vec![0xa5; 3 * segment + 100];
        std::fs::write(&log, &bytes).unwrap();
        assert!(no_segment_is_whole(&log, segment).unwrap());
        // Any one whole header, even the last, makes it a log sled can recover.
        bytes[3 * segment..3 * segment + 20].copy_from_slice(&segment_header(3 * 4096));
        std::fs::write(&log, &bytes).unwrap();
        assert!(!no_segment_is_whole(&log, segment).unwrap());
        // A header with one bit flipped is not whole.
        bytes[3 * segment + 7] ^= 1;
        std::fs::write(&log, &bytes).unwrap();
        assert!(no_segment_is_whole(&log, segment).unwrap());
    }

    #[test]
    fn a_summary_is_whole_only_with_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.0000000000000010");
        let whole = summary(b"pages and where they are");
        std::fs::write(&path, &whole).unwrap();
        assert!(snapshot_is_whole(&path));
        for cut in [0, 1, 12, whole.len() / 2, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(!snapshot_is_whole(&path), "cut at {cut}");
        }
    }

    #[test]
    fn a_settings_file_is_torn_when_its_checksum_fails_and_short_ones_are_sleds_business() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        let text = b"segment_size: 65536\nuse_compression: false\nversion: 0.34\n";
        let mut whole = text.to_vec();
        whole.extend_from_slice(&crc32fast::hash(text).to_le_bytes());
        std::fs::write(&conf, &whole).unwrap();
        assert!(!conf_is_torn(&conf));
        std::fs::write(&conf, &whole[..8]).unwrap();
        assert!(
            !conf_is_torn(&conf),
            "sled writes a file of 8 bytes or less again"
        );
        for cut in [9, 30, text.len(), whole.len() - 1] {
            std::fs::write(&conf, &whole[..cut]).unwrap();
            assert!(conf_is_torn(&conf), "cut at {cut}");
        }
    }

    #[test]
    fn what_is_set_aside_is_moved_not_deleted_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(db.join("snap.0000000000000010"), summary(b"older")).unwrap();
        std::fs::write(db.join("snap.0000000000000020.generating"), b"cut").unwrap();
        let mut salvage = Salvage::new(dir.path());
        salvage.before_open(&db).unwrap();
        assert!(db.join("snap.0000000000000010").exists());
        assert!(!db.join("snap.0000000000000020.generating").exists());
        let kept = salvage.folder.join("db/snap.0000000000000020.generating");
        assert_eq!(std::fs::read(kept).unwrap(), b"cut");
        assert_eq!(salvage.done.len(), 1);
        assert!(!salvage.found_damage);
        let refused = salvage.refusal("unreadable data".into()).to_string();
        assert!(refused.contains("tried first"), "{refused}");
    }
}
