//! This device's identity: an ed25519 key (iroh's), kept owner-only in the data directory.
//! The public half is the device's id everywhere: in tickets, in the device list, in TLS.

use std::io::Write;
use std::path::Path;

pub use iroh::SecretKey;

use crate::{Result, SyncError};

/// The key's file in the data directory (64 hex digits).
pub const KEY_FILE: &str = "device.key";

/// Reads this device's key, creating it on first use. The file is the owner's alone: a key
/// file others can read is tightened to owner-only before use.
pub fn load_or_create(dir: &Path) -> Result<SecretKey> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            owner_only(&path)?;
            parse(text.trim()).map_err(|e| SyncError::Io(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(dir, &path),
        Err(e) => Err(SyncError::Io(format!("reading {}: {e}", path.display()))),
    }
}

fn parse(hex: &str) -> std::result::Result<SecretKey, String> {
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex.as_bytes())
        .map_err(|_| "the device key is not hex: restore the file or remove it (the device then has to be paired again)".to_string())?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "the device key is not 32 bytes long".to_string())?;
    Ok(SecretKey::from_bytes(&bytes))
}

/// Writes a new key to a temporary file that only the owner can read, then renames it into
/// place, so a crash leaves either no key or a whole one.
fn create(dir: &Path, path: &Path) -> Result<SecretKey> {
    let key = SecretKey::generate();
    let io = |e: std::io::Error| SyncError::Io(format!("writing {}: {e}", path.display()));
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).map_err(io)?;
    f.write_all(data_encoding::HEXLOWER.encode(&key.to_bytes()).as_bytes())
        .map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(key)
}

#[cfg(unix)]
fn owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let io = |e: std::io::Error| SyncError::Io(format!("{}: {e}", path.display()));
    let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn owner_only(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.public(), b.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(KEY_FILE);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            load_or_create(dir.path()).unwrap();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "a readable key file is tightened");
        }
        std::fs::write(dir.path().join(KEY_FILE), "not hex").unwrap();
        let e = load_or_create(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not hex"), "{e}");
    }
}
