//! Copies a vault's database into fresh sled databases with different settings and prints the
//! bytes each takes on disk (how the store's sled settings were chosen; see BENCHMARKS.md).
//! Usage: cargo run --release -p rapport-store --example sled_sizes -- VAULT_DIR/db

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let src = std::env::args()
        .nth(1)
        .ok_or("pass a vault's db directory")?;
    #[allow(clippy::disallowed_methods)]
    let old = sled::Config::new()
        .path(&src)
        .use_compression(true)
        .open()?;
    let entries: Vec<_> = old.iter().collect::<Result<_, _>>()?;
    let logical: usize = entries.iter().map(|(k, v)| k.len() + v.len()).sum();
    println!(
        "{} entries, {:.1} MB of keys and values",
        entries.len(),
        logical as f64 / 1e6
    );
    for (compress, segment_kb, factor) in [(true, 32, 3), (true, 16, 3)] {
        let dir = tempfile::tempdir()?;
        #[allow(clippy::disallowed_methods)]
        let db = sled::Config::new()
            .path(dir.path())
            .use_compression(compress)
            .compression_factor(factor)
            .segment_size(segment_kb * 1024)
            .open()?;
        for (k, v) in &entries {
            db.insert(k.clone(), v.clone())?;
        }
        db.flush()?;
        println!(
            "compression {compress:5} (zstd {factor}), segments {segment_kb:3} KB: {:.1} MB",
            db.size_on_disk()? as f64 / 1e6
        );
        drop(db);
        #[allow(clippy::disallowed_methods)]
        let db = sled::Config::new()
            .path(dir.path())
            .use_compression(compress)
            .compression_factor(factor)
            .segment_size(segment_kb * 1024)
            .open()?;
        println!(
            "  after reopening: {:.1} MB; files: {:?}",
            db.size_on_disk()? as f64 / 1e6,
            std::fs::read_dir(dir.path().join("blobs"))?.count()
        );
    }
    Ok(())
}
