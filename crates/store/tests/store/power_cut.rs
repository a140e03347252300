//! Power cuts (RELIABILITY.md §1): a copy of a vault whose database log lost its newest bytes,
//! as a disk may after the power goes, must reopen with every older write, or refuse to open
//! with an error that says the database is damaged — never open with older writes missing.

use std::collections::BTreeMap;
use std::path::Path;

use rapport_model::{Body, Person, Prose, Record, RecordId};
use rapport_store::{Store, StoreOptions};

use crate::common::{copy_dir, new_record, now, put};

fn someone(name: &str, notes: &str) -> Record {
    new_record(
        Body::Person(Person {
            name: name.into(),
            research_notes: Prose::from(notes),
            ..Default::default()
        }),
        now(),
    )
}

/// What reopening a cut copy gave.
#[derive(Debug)]
enum Outcome {
    /// It opened with every older write and the projections consistent (rebuilt if they were
    /// not), with `newer` of the newer writes, in `gaps + 1` unbroken runs of their order.
    Recovered {
        newer: usize,
        gaps: usize,
        rebuilt: bool,
    },
    /// It refused to open, saying why.
    Refused(String),
}

/// Opens the cut copy in `dir`; panics if older data is missing, the copy was not verified as
/// it opened, or the projections still disagree with the documents.
fn reopen(dir: &Path, older: &BTreeMap<RecordId, Record>, newer: &[Record]) -> Outcome {
    let opened = std::panic::catch_unwind(|| Store::open(dir, StoreOptions::default()));
    let store = match opened {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Outcome::Refused(e.to_string()),
        Err(_) => panic!("opening a damaged database panicked"),
    };
    for (id, r) in older {
        match store.get(*id) {
            Ok(Some(got)) => assert_eq!(&got, r, "an older write changed"),
            other => panic!("an older write is gone after the cut: {id} ({other:?})"),
        }
    }
    let present: Vec<bool> = newer
        .iter()
        .map(|r| store.get(r.id()).unwrap().is_some_and(|got| &got == r))
        .collect();
    // Which newer writes survive depends on where sled's log put them: it reuses freed
    // segments, so the last bytes of the file are not always the newest writes, and a cut can
    // take an earlier write's bytes and leave a later one's. Counted, not asserted: a real power
    // cut keeps what was flushed; what must hold is that every older write is there.
    let n = present.iter().filter(|p| **p).count();
    let gaps = present.windows(2).filter(|w| !w[0] && w[1]).count();
    let rebuilt = match store.recovered_after_power_loss() {
        Some(found) => !found.is_clean(),
        None => panic!("a vault open when the power went was not verified as it opened"),
    };
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{report:?}");
    // The vault goes on being used: a write after the recovery, then a reopen.
    let after = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        put(&store, someone("After the cut", "A note."))
    }));
    let Ok(after) = after else {
        panic!("writing to a recovered database panicked");
    };
    drop(store);
    let store = Store::open(dir, StoreOptions::default()).unwrap();
    assert_eq!(store.get(after.id()).unwrap(), Some(after));
    assert_eq!(
        store.get(*older.keys().next().unwrap()).unwrap().as_ref(),
        older.values().next()
    );
    Outcome::Recovered {
        newer: n,
        gaps,
        rebuilt,
    }
}

/// The newest bytes of the log cut at many points: within what the newer writes added, the
/// vault must come back with every older write and a prefix of the newer ones; deeper, it may
/// also refuse to open, saying the files are damaged. A cut snapshot file is the same.
#[test]
fn a_cut_log_reopens_with_every_older_write_or_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    // Older writes (a batch, as a new vault's question bank is written, then one by one),
    // closed cleanly; then newer ones, each flushed as it is acknowledged, and the files copied
    // while the store is still open: what the disk holds when the power goes.
    let older: BTreeMap<RecordId, Record> = {
        let store = Store::open(&vault, StoreOptions::default()).unwrap();
        let batch: Vec<Record> = (0..80)
            .map(|i| someone(&format!("Batch {i:02}"), "Met at a meet-up."))
            .collect();
        store.write_all(batch.clone()).unwrap();
        let mut older: BTreeMap<RecordId, Record> = batch
            .into_iter()
            .map(|r| (r.id(), store.get(r.id()).unwrap().unwrap()))
            .collect();
        for i in 0..40 {
            let r = put(&store, someone(&format!("Older {i:02}"), "Works on grids."));
            older.insert(r.id(), r);
        }
        older
    };
    let log = |d: &Path| d.join("db").join("db");
    let older_len = std::fs::metadata(log(&vault)).unwrap().len();
    let at_cut = dir.path().join("at-cut");
    let newer: Vec<Record> = {
        let store = Store::open(&vault, StoreOptions::default()).unwrap();
        // Notes that do not compress much, so the newer writes take room in the log.
        let notes = |i: u64| -> String {
            (0..250u64)
                .map(|k| format!("{:08x}", (i * 7919 + k).wrapping_mul(2_654_435_761) >> 8))
                .collect()
        };
        let newer = (0..40)
            .map(|i| put(&store, someone(&format!("Newer {i:02}"), &notes(i))))
            .collect();
        copy_dir(&vault, &at_cut);
        newer
    };
    let len = std::fs::metadata(log(&at_cut)).unwrap().len();
    // What the newer writes added to the file (at least a segment's worth: sled writes into
    // freed segments inside the file first, so the file may have grown less than they wrote).
    let grown = (len - older_len).max(64 * 1024).min(len / 2);

    let cut_copy = |name: &str, file: &dyn Fn(&Path) -> std::path::PathBuf, keep: u64| {
        let d = dir.path().join(name);
        copy_dir(&at_cut, &d);
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(file(&d))
            .unwrap();
        f.set_len(keep).unwrap();
        // The vault was open when the power went: the mark it left names an earlier boot.
        std::fs::write(d.join("open-on-boot"), "a-boot-before-the-power-cut").unwrap();
        d
    };
    let mut figures = Vec::new();
    let (mut recovered, mut refused) = (0, 0);
    let cuts = [
        1,
        7,
        100,
        1000,
        4096,
        10_000,
        grown / 4,
        grown / 2,
        grown,
        grown + 4096,
        grown + 70_000,
        len / 2,
        len - 4096,
    ];
    for cut in cuts.into_iter().filter(|c| *c < len) {
        let d = cut_copy(&format!("cut-{cut}"), &log, len - cut);
        match reopen(&d, &older, &newer) {
            Outcome::Recovered {
                newer,
                gaps,
                rebuilt,
            } => {
                recovered += 1;
                let how = if rebuilt { ", projections rebuilt" } else { "" };
                let gaps = if gaps > 0 {
                    format!(" in {} runs", gaps + 1)
                } else {
                    String::new()
                };
                figures.push(format!("-{cut} B: {newer}/40 newer{gaps}{how}"));
            }
            Outcome::Refused(e) => {
                // A torn last write (a few KiB) must never cost the vault.
                assert!(cut > 4096, "a cut of {cut} bytes refused to open: {e}");
                assert!(e.contains("damaged"), "an unclear refusal: {e}");
                refused += 1;
                figures.push(format!("-{cut} B: refused"));
            }
        }
    }
    // The snapshot sled keeps of its page table, cut in half.
    let snap = std::fs::read_dir(at_cut.join("db"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snap.")
        });
    if let Some(snap) = snap {
        let name = snap.file_name().unwrap().to_owned();
        let half = std::fs::metadata(&snap).unwrap().len() / 2;
        let d = cut_copy("snap", &|d: &Path| d.join("db").join(&name), half);
        let outcome = reopen(&d, &older, &newer);
        if let Outcome::Refused(e) = &outcome {
            assert!(e.contains("damaged"), "an unclear refusal: {e}");
        }
        figures.push(format!("snapshot halved: {outcome:?}"));
    }
    println!(
        "power cut: log {len} B ({grown} B from the newer writes); {recovered} cuts recovered, \
         {refused} refused: {}",
        figures.join(", ")
    );
}
