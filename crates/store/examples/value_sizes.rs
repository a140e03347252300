//! Bytes of keys and values in a vault's database, by key kind (the first byte), with what zstd
//! (level 3, one context) would make of each kind's values: how the store decided which values
//! to compress itself (see BENCHMARKS.md).
//! Usage: cargo run --release -p rapport-store --example value_sizes -- VAULT_DIR/db

use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let src = std::env::args()
        .nth(1)
        .ok_or("pass a vault's db directory")?;
    let conf = std::fs::read(std::path::Path::new(&src).join("conf"))?;
    let compressed = String::from_utf8_lossy(&conf).contains("use_compression: true");
    #[allow(clippy::disallowed_methods)]
    let db = sled::Config::new()
        .path(&src)
        .use_compression(compressed)
        .segment_size(64 * 1024)
        .open()?;
    let mut z = zstd::block::Compressor::new();
    // kind → (entries, key bytes, value bytes, value bytes zstd'd one by one)
    let mut by_kind: BTreeMap<char, (u64, u64, u64, u64)> = BTreeMap::new();
    for item in db.iter() {
        let (k, v) = item?;
        let e = by_kind.entry(char::from(k[0])).or_default();
        e.0 += 1;
        e.1 += k.len() as u64;
        e.2 += v.len() as u64;
        e.3 += if v.len() > 64 {
            z.compress(&v, 3)?.len().min(v.len()) as u64
        } else {
            v.len() as u64
        };
    }
    println!("size on disk {:.1} MB", db.size_on_disk()? as f64 / 1e6);
    println!("| key | entries | key MB | value MB | values zstd'd MB |");
    for (kind, (n, kb, vb, zb)) in by_kind {
        println!(
            "| {kind} | {n} | {:.2} | {:.2} | {:.2} |",
            kb as f64 / 1e6,
            vb as f64 / 1e6,
            zb as f64 / 1e6
        );
    }
    Ok(())
}
