//! One process per data directory: an exclusive lock on `rapport.lock`, which also records the
//! holder's pid so a second process can say who has it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// How long a lock that names this process is waited for (see [`DirLock::acquire`]).
const OWN_LOCK_WAIT_MS: u64 = 2_000;

/// Held for as long as the store is open; the OS releases it if the process dies.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

/// Creates `dir` (and its parents) readable by the owner only, or tightens an existing one.
pub(crate) fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| StoreError::io(dir, e))?;
    let meta = std::fs::metadata(dir).map_err(|e| StoreError::io(dir, e))?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| StoreError::io(dir, e))?;
    }
    Ok(())
}

impl DirLock {
    pub(crate) fn acquire(dir: &Path) -> Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        let path: PathBuf = dir.join("rapport.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        let mut waited = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
            }
            let mut pid = String::new();
            let _ = file.seek(SeekFrom::Start(0));
            let _ = file.read_to_string(&mut pid);
            let holder: Option<u32> = pid.trim().parse().ok();
            // Held "by this process" just after it closed the vault: a child that another
            // thread is starting holds a copy of every descriptor from its fork until its
            // exec, the lock's included. That lasts moments; a vault really open twice in
            // this process is still refused after the wait.
            if holder == Some(std::process::id()) && waited < OWN_LOCK_WAIT_MS {
                std::thread::sleep(std::time::Duration::from_millis(10));
                waited += 10;
                continue;
            }
            let dir = dir.to_path_buf();
            return Err(match holder {
                Some(pid) => StoreError::AlreadyOpen { dir, pid },
                None => StoreError::AlreadyOpenUnknown { dir },
            });
        }
        let write_pid = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            write!(file, "{}", std::process::id())?;
            file.sync_all()
        };
        write_pid(&mut file).map_err(|e| StoreError::io(&path, e))?;
        Ok(Self { _file: file })
    }
}
