//! How record projections (`R` values) are stored: their JSON, compressed with zstd when that
//! pays, through one compression context per thread.
//!
//! sled's own compression used to do this for every value and key, but sled 0.34 builds a new
//! zstd context for every log fragment it writes (one per key of a batch) and every page it
//! reads: a device receiving a 10k-people vault spent most of its sled time creating contexts
//! (BENCHMARKS.md). Databases created empty run with sled's compression off; documents are
//! compressed by Automerge already, and the JSON projections — the other large values — are
//! compressed here.
//!
//! A stored value is either plain JSON (it starts with `{`: small records, vaults whose sled
//! compresses its pages — compacted ones, and ones written before this) or [`ZSTD`], the
//! JSON's length (u32, little-endian) and a zstd frame.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::error::{Result, StoreError};

/// The first byte of a compressed value (JSON never starts with it).
const ZSTD: u8 = 1;
/// Values shorter than this are stored as they are: zstd's frame header would eat the gain.
const MIN_COMPRESSED: usize = 96;
/// zstd's level: 3, as sled used (measured: level 1 saved no time, see BENCHMARKS.md).
const LEVEL: i32 = 3;
/// A stored length above this is damage, not a record: never allocate for it.
const MAX_RECORD: usize = 64 << 20;

thread_local! {
    static COMPRESSOR: RefCell<zstd::block::Compressor> = RefCell::new(zstd::block::Compressor::new());
    static DECOMPRESSOR: RefCell<zstd::block::Decompressor> =
        RefCell::new(zstd::block::Decompressor::new());
}

/// The stored form of a record's JSON.
pub fn pack(json: Vec<u8>) -> Vec<u8> {
    if json.len() < MIN_COMPRESSED {
        return json;
    }
    let Ok(len) = u32::try_from(json.len()) else {
        return json;
    };
    let compressed = COMPRESSOR.with(|c| c.borrow_mut().compress(&json, LEVEL));
    match compressed {
        Ok(z) if z.len() + 5 < json.len() => {
            let mut out = Vec::with_capacity(5 + z.len());
            out.push(ZSTD);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&z);
            out
        }
        // Incompressible (or the compressor failed): plain JSON reads back just as well.
        _ => json,
    }
}

/// A record's JSON from its stored form (either form).
pub fn unpack(stored: &[u8]) -> Result<Cow<'_, [u8]>> {
    let Some((&ZSTD, rest)) = stored.split_first() else {
        return Ok(Cow::Borrowed(stored));
    };
    let damaged = |what: &str| StoreError::Corrupt(format!("a stored record: {what}"));
    let (len, frame) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| damaged("cut short"))?;
    let len = u32::from_le_bytes(*len) as usize;
    if len > MAX_RECORD {
        return Err(damaged("an impossible length"));
    }
    let json = DECOMPRESSOR
        .with(|d| d.borrow_mut().decompress(frame, len))
        .map_err(|e| damaged(&e.to_string()))?;
    if json.len() != len {
        return Err(damaged("the wrong length"));
    }
    Ok(Cow::Owned(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_read_back_and_damage_is_refused() {
        let small = br#"{"a":1}"#.to_vec();
        assert_eq!(pack(small.clone()), small, "small values stay plain");
        let big = format!(r#"{{"notes":"{}"}}"#, "heat pumps and grids ".repeat(40)).into_bytes();
        let packed = pack(big.clone());
        assert_eq!(packed[0], ZSTD);
        assert!(packed.len() < big.len() / 4);
        assert_eq!(unpack(&packed).unwrap().as_ref(), big.as_slice());
        // A plain value (a compacted vault, or one written before compression moved here)
        // reads as it is.
        assert_eq!(unpack(&big).unwrap().as_ref(), big.as_slice());
        for bad in [
            vec![ZSTD],
            vec![ZSTD, 1, 0, 0],
            vec![ZSTD, 0xff, 0xff, 0xff, 0xff, 1, 2],
            [&packed[..packed.len() - 3]].concat(),
            [&[ZSTD, 5, 0, 0, 0][..], &packed[5..]].concat(),
        ] {
            assert!(
                matches!(unpack(&bad), Err(StoreError::Corrupt(_))),
                "{bad:?}"
            );
        }
    }
}
