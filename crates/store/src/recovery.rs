//! Telling a power cut from a process that was killed, so the vault is verified only when it
//! needs to be.
//!
//! Each write is flushed to disk before it is acknowledged, and sled recovers a log that holds
//! every byte it wrote: after `kill -9` the operating system still has them all, so nothing
//! needs checking. After the machine lost power it may not: the newest bytes of the log can be
//! missing or torn, and sled 0.34 then sometimes recovers pages of different ages (projections
//! that disagree with their documents; found by `power_cut.rs`). Documents are the truth and the
//! projections can be derived again, so a vault that was open when the machine went down is
//! checked as it opens, and repaired or refused.
//!
//! The signal is a file, `open-on-boot`, written when the vault opens and removed when it closes
//! cleanly. It holds the kernel's boot id: if a later open finds it with another boot's id (or
//! no boot id can be read on this system), the machine went down while the vault was open.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::salvage::sync_dir;

const MARKER: &str = "open-on-boot";

/// The kernel's id for this boot (Linux and Android); none elsewhere.
fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// How the vault was left by whoever had it open before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LastClose {
    /// Closed cleanly, or never opened.
    Clean,
    /// The process died, but the machine kept running: the disk has every byte written.
    ProcessDied,
    /// The machine went down (or we cannot tell): the newest writes may be torn.
    MachineDown,
}

/// The marker of an open vault; [`OpenMarker::clear`] it once everything is flushed.
#[derive(Debug)]
pub(crate) struct OpenMarker {
    path: PathBuf,
}

impl OpenMarker {
    fn path(dir: &Path) -> PathBuf {
        dir.join(MARKER)
    }

    /// How the previous session ended, read from the marker it left (if any).
    pub(crate) fn last_close(dir: &Path) -> LastClose {
        match std::fs::read_to_string(Self::path(dir)) {
            Err(_) => LastClose::Clean,
            Ok(left) => match boot_id() {
                Some(now) if now == left.trim() => LastClose::ProcessDied,
                _ => LastClose::MachineDown,
            },
        }
    }

    /// Writes the marker with this boot's id, durably (the file and its directory entry), so a
    /// power cut from now on is noticed at the next open.
    pub(crate) fn set(dir: &Path) -> Result<Self> {
        Self::write(dir, &boot_id().unwrap_or_default())?;
        Ok(Self {
            path: Self::path(dir),
        })
    }

    /// Leaves a marker that no boot has: the next open checks the vault, as after a power cut,
    /// until a check passes (a repair that found real damage asks for one).
    pub(crate) fn require_check(dir: &Path) -> Result<()> {
        Self::write(dir, "unverified")
    }

    /// Replaces the marker whole: written to a file beside it, synced, renamed over it. A
    /// process killed half-way through leaves the old marker or the new one, never an empty
    /// one (which would read as a power cut and cost the next open a full check).
    fn write(dir: &Path, content: &str) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = Self::path(dir);
        let tmp = dir.join(format!("{MARKER}.new"));
        let io = |e| StoreError::io(&path, e);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        f.write_all(content.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        sync_dir(dir)
    }

    /// Removes the marker: the vault was closed with everything on disk. Best effort: if this
    /// fails, the next open after a reboot verifies a vault that did not need it.
    pub(crate) fn clear(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `f`, turning a panic into [`StoreError::Damaged`]: sled 0.34 panics on some torn logs
/// (an index out of bounds while it recovers its segments, or reads a page) instead of
/// returning its corruption error. The same answer, said plainly.
pub(crate) fn damaged_on_panic<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(done) => done,
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no reason given");
            Err(StoreError::Damaged(format!("{what}: {why}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_left_on_this_boot_means_the_process_died_and_another_boot_means_power_loss() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(OpenMarker::last_close(dir.path()), LastClose::Clean);
        let marker = OpenMarker::set(dir.path()).unwrap();
        let expect_alive = if boot_id().is_some() {
            LastClose::ProcessDied
        } else {
            LastClose::MachineDown
        };
        assert_eq!(OpenMarker::last_close(dir.path()), expect_alive);
        std::fs::write(OpenMarker::path(dir.path()), "a-boot-before-the-power-cut").unwrap();
        assert_eq!(OpenMarker::last_close(dir.path()), LastClose::MachineDown);
        marker.clear();
        assert_eq!(OpenMarker::last_close(dir.path()), LastClose::Clean);
    }
}
