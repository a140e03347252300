//! What a process killed at any instant leaves in a vault's files, each state built exactly as
//! sled 0.34 and the store write it (RELIABILITY.md §1, "What a kill leaves"): the next open
//! mends it quickly, with every acknowledged write there, and keeps whatever it sets aside.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rapport_model::{Body, Person, Prose, Record};
use rapport_store::{SET_ASIDE, Store, StoreError, StoreOptions};

use crate::common::{copy_dir, new_record, now, person, put};

fn open(vault: &Path) -> Store {
    Store::open(vault, StoreOptions::default())
        .unwrap_or_else(|e| panic!("{} does not open: {e}", vault.display()))
}

/// A vault opened, written and closed `rounds` times. From the second open on, sled writes a
/// summary of its log at every open that finds newer entries, so the next open of this vault
/// writes one (its first one if `rounds` is 1).
fn vault_with_history(vault: &Path, rounds: usize) -> Vec<Record> {
    let mut all = Vec::new();
    for round in 0..rounds {
        let store = open(vault);
        for i in 0..20 {
            let name = format!("Round {round} person {i:02}");
            all.push(put(&store, new_record(person(&name), now())));
        }
    }
    all
}

/// The names of sled's summary files in a vault.
fn summaries(vault: &Path) -> BTreeSet<String> {
    std::fs::read_dir(vault.join("db"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("snap."))
        .collect()
}

/// The summary sled writes at the next open of `vault`, learnt by opening a copy of it:
/// (its file name, its bytes).
fn next_summary(vault: &Path, scratch: &Path) -> (String, Vec<u8>) {
    copy_dir(vault, scratch);
    let before = summaries(scratch);
    drop(open(scratch));
    let new: Vec<String> = summaries(scratch).difference(&before).cloned().collect();
    assert_eq!(new.len(), 1, "one new summary at the open: {new:?}");
    let bytes = std::fs::read(scratch.join("db").join(&new[0])).unwrap();
    (new[0].clone(), bytes)
}

/// The vault's process died on this boot (what `kill -9` leaves): the open takes the fast path.
fn left_by_a_dead_process(vault: &Path) {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    std::fs::write(vault.join("open-on-boot"), boot.trim()).unwrap();
}

/// Every file under the vault's set-aside folder.
fn set_aside(vault: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&vault.join(SET_ASIDE), &mut out);
    out
}

fn assert_every_write(store: &Store, records: &[Record]) {
    for r in records {
        assert_eq!(
            store.get(r.id()).unwrap().as_ref(),
            Some(r),
            "a write is lost"
        );
    }
    let report = store.check().unwrap();
    assert!(
        report.is_clean(),
        "{}: {report:?}",
        store.dir().unwrap().display()
    );
}

/// The vault goes on: a write, a close, and an open that needs no repair.
fn assert_goes_on(store: Store, vault: &Path, records: &[Record]) {
    let after = put(&store, new_record(person("After the repair"), now()));
    drop(store);
    let store = open(vault);
    assert!(store.repairs().is_empty(), "{:?}", store.repairs());
    assert_eq!(store.get(after.id()).unwrap(), Some(after));
    assert_every_write(&store, records);
}

/// sled writes its summary to `snap.<lsn>.generating`, syncs it and renames it. A process killed
/// meanwhile leaves it empty, cut anywhere, or whole; sled alone refuses the first two.
#[test]
fn a_summary_of_the_log_cut_short_by_a_kill_is_set_aside_and_every_write_is_there() {
    let dir = tempfile::tempdir().unwrap();
    for rounds in [1, 3] {
        let vault = dir.path().join(format!("vault-{rounds}"));
        let records = vault_with_history(&vault, rounds);
        let (name, whole) = next_summary(&vault, &dir.path().join(format!("learn-{rounds}")));
        let len = whole.len();
        for cut in [0, 1, 8, 12, len / 2, len - 12, len - 4, len - 1, len] {
            let case = dir.path().join(format!("rounds-{rounds}-cut-{cut}"));
            copy_dir(&vault, &case);
            left_by_a_dead_process(&case);
            std::fs::write(
                case.join("db").join(format!("{name}.generating")),
                &whole[..cut],
            )
            .unwrap();
            let store = Store::open(&case, StoreOptions::default())
                .unwrap_or_else(|e| panic!("{rounds} rounds, cut at {cut} of {len}: {e}"));
            assert!(
                store.recovered_after_power_loss().is_none(),
                "a dead process is not a power cut: no full check"
            );
            let repairs = store.repairs().to_vec();
            assert_eq!(repairs.len(), 1, "{repairs:?}");
            assert!(repairs[0].contains("summary of the log"), "{repairs:?}");
            assert_every_write(&store, &records);
            let kept = set_aside(&case);
            assert_eq!(kept.len(), 1, "{kept:?}");
            assert_eq!(
                std::fs::read(&kept[0]).unwrap(),
                &whole[..cut],
                "kept as it was"
            );
            assert_goes_on(store, &case, &records);
        }
    }
}

/// Killed after the rename, before the older summary was removed: two whole summaries.
#[test]
fn two_whole_summaries_open_without_a_repair() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let records = vault_with_history(&vault, 3);
    let (name, whole) = next_summary(&vault, &dir.path().join("learn"));
    assert_eq!(summaries(&vault).len(), 1);
    std::fs::write(vault.join("db").join(&name), whole).unwrap();
    left_by_a_dead_process(&vault);
    let store = open(&vault);
    assert!(store.repairs().is_empty(), "{:?}", store.repairs());
    assert_every_write(&store, &records);
    assert_goes_on(store, &vault, &records);
}

/// sled writes its settings file once, as it creates the database, before the log; killed
/// while writing it, the first open leaves a torn file that sled alone refuses.
#[test]
fn the_settings_of_a_new_vault_cut_short_are_set_aside_and_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let learn = dir.path().join("learn");
    drop(open(&learn));
    let conf = std::fs::read(learn.join("db/conf")).unwrap();
    for cut in 9..conf.len() {
        let case = dir.path().join(format!("cut-{cut}"));
        std::fs::create_dir_all(case.join("db/blobs")).unwrap();
        std::fs::write(case.join("db/conf"), &conf[..cut]).unwrap();
        // Killed before or after sled created its (still empty) log.
        if cut % 2 == 0 {
            std::fs::write(case.join("db/db"), b"").unwrap();
        }
        left_by_a_dead_process(&case);
        let store = Store::open(&case, StoreOptions::default())
            .unwrap_or_else(|e| panic!("settings cut at {cut} of {}: {e}", conf.len()));
        assert_eq!(store.repairs().len(), 1, "{:?}", store.repairs());
        assert_eq!(std::fs::read(case.join("db/conf")).unwrap(), conf);
        assert_eq!(set_aside(&case).len(), 1);
        assert_goes_on(store, &case, &[]);
    }
}

/// The store's own mark of an open vault is replaced whole (written beside it, then renamed):
/// a kill leaves the old mark and a cut-short new one, never an empty mark that would read as
/// a power cut and cost a full check.
#[test]
fn a_mark_of_an_open_vault_cut_short_costs_the_next_open_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let records = vault_with_history(&vault, 2);
    left_by_a_dead_process(&vault);
    std::fs::write(vault.join("open-on-boot.new"), b"").unwrap();
    let store = open(&vault);
    assert!(store.recovered_after_power_loss().is_none());
    assert!(store.repairs().is_empty());
    assert_every_write(&store, &records);
    // While open, the mark names this boot; a clean close removes it.
    let mark = std::fs::read_to_string(vault.join("open-on-boot")).unwrap();
    assert!(!mark.is_empty());
    drop(store);
    assert!(!vault.join("open-on-boot").exists());
}

fn noted(name: &str, i: u64) -> Record {
    // Notes that do not compress much, so the write takes room in the log.
    let notes: String = (0..300u64)
        .map(|k| format!("{:08x}", (i * 7919 + k).wrapping_mul(2_654_435_761) >> 8))
        .collect();
    new_record(
        Body::Person(Person {
            name: name.into(),
            research_notes: Prose::from(notes.as_str()),
            ..Default::default()
        }),
        now(),
    )
}

/// A write whose bytes reached the log only in part (the process died inside the call that
/// writes sled's buffer, which writes one buffer with one call, so what lands is a prefix of it):
/// sled's recovery ends the log before it. It was not acknowledged; every earlier write is
/// there and the projections agree, on the fast path (no check at open).
#[test]
fn a_write_cut_short_in_the_log_leaves_every_earlier_write() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let before = dir.path().join("before");
    let after = dir.path().join("after");
    let mut older = vault_with_history(&vault, 2);
    let cut_write = {
        let store = open(&vault);
        for i in 0..10 {
            older.push(put(&store, noted(&format!("Older {i}"), i)));
        }
        // The files as they stand after the last acknowledged write (copied while open: the
        // mark names this boot), then after one more.
        copy_dir(&vault, &before);
        let one = put(&store, noted("The write cut short", 99));
        copy_dir(&vault, &after);
        one
    };
    let old = std::fs::read(before.join("db/db")).unwrap();
    let new = std::fs::read(after.join("db/db")).unwrap();
    let changed: Vec<usize> = (0..new.len())
        .filter(|&i| old.get(i) != Some(&new[i]))
        .collect();
    let (first, last) = (changed[0], changed[changed.len() - 1]);
    assert!(
        last - first < 64 * 1024,
        "one small write is one buffer of one segment: {first}..{last}"
    );
    let mut landed = 0;
    let span = last - first;
    for upto in [
        first,
        first + 1,
        first + span / 4,
        first + span / 2,
        last - 8,
        last,
    ] {
        // The write's bytes landed up to `upto`.
        let mut torn: Vec<u8> = new[..upto].to_vec();
        if old.len() > upto {
            torn.extend_from_slice(&old[upto..]);
        }
        let case = dir.path().join(format!("torn-{upto}"));
        copy_dir(&before, &case);
        std::fs::write(case.join("db/db"), &torn).unwrap();
        let store = Store::open(&case, StoreOptions::default())
            .unwrap_or_else(|e| panic!("torn at byte {upto} of {first}..={last}: {e}"));
        assert!(store.recovered_after_power_loss().is_none());
        assert_every_write(&store, &older);
        let single = store.get(cut_write.id()).unwrap();
        assert!(
            single.is_none() || single.as_ref() == Some(&cut_write),
            "the write cut short is whole or absent"
        );
        landed += usize::from(single.is_some());
        assert_goes_on(store, &case, &older);
    }
    assert!(
        landed < 6,
        "the write landed from every prefix, even the empty one"
    );
}

/// A whole summary that fails its checksum is not what a kill leaves (it was synced before it
/// was renamed), but it is only a summary: set aside, and the vault checked before it is used.
#[test]
fn a_summary_that_fails_its_checksum_is_set_aside_and_the_vault_checked() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let records = vault_with_history(&vault, 3);
    drop(open(&vault));
    let name = summaries(&vault).pop_last().unwrap();
    let path = vault.join("db").join(&name);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();
    left_by_a_dead_process(&vault);
    let store = open(&vault);
    assert!(
        store.recovered_after_power_loss().is_some(),
        "checked document by document"
    );
    assert!(
        store.repairs()[0].contains("checksum"),
        "{:?}",
        store.repairs()
    );
    assert_every_write(&store, &records);
    assert_eq!(std::fs::read(&set_aside(&vault)[0]).unwrap(), bytes);
    assert_goes_on(store, &vault, &records);
}

/// Real damage (a log overwritten) is refused, saying what was tried first, and the files that
/// were set aside are kept.
#[test]
fn real_damage_is_refused_saying_what_was_tried_first() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    vault_with_history(&vault, 3);
    let (name, whole) = next_summary(&vault, &dir.path().join("learn"));
    std::fs::write(
        vault.join("db").join(format!("{name}.generating")),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let log = vault.join("db/db");
    let len = std::fs::metadata(&log).unwrap().len() as usize;
    std::fs::write(&log, vec![0xa5; len]).unwrap();
    left_by_a_dead_process(&vault);
    match Store::open(&vault, StoreOptions::default()) {
        Err(e @ StoreError::Damaged(_)) => {
            let msg = e.to_string();
            assert!(msg.contains("tried first"), "{msg}");
            assert!(msg.contains("summary of the log"), "{msg}");
        }
        Err(e) => panic!("refused, but not as damaged: {e}"),
        Ok(_) => panic!("an overwritten log opened"),
    }
    assert_eq!(set_aside(&vault).len(), 1, "what was set aside is kept");
    // The log is still there, byte for byte, for whoever looks at it next: it was refused
    // before sled opened it (sled's recovery would take its segments for free ones and cut
    // the file short).
    assert!(
        std::fs::read(&log).unwrap() == vec![0xa5; len],
        "the overwritten log was changed"
    );
}

/// `rapport doctor --compact` copies the database into `db.new` and swaps it in by renaming:
/// killed at any step, the next open finishes or undoes it.
#[test]
fn a_compaction_killed_at_any_step_leaves_one_whole_database() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let records = vault_with_history(&vault, 2);
    let compacted = dir.path().join("compacted");
    copy_dir(&vault, &compacted);
    drop(Store::open_rewritten(&compacted, StoreOptions::default()).unwrap());
    type Step<'a> = (&'a str, &'a dyn Fn(&Path));
    let steps: [Step; 4] = [
        ("copy begun", &|case| {
            std::fs::create_dir_all(case.join("db.new")).unwrap();
            std::fs::copy(compacted.join("db/conf"), case.join("db.new/conf")).unwrap();
        }),
        ("copy written", &|case| {
            copy_dir(&compacted.join("db"), &case.join("db.new"));
        }),
        ("old moved away", &|case| {
            copy_dir(&compacted.join("db"), &case.join("db.new"));
            std::fs::rename(case.join("db"), case.join("db.old")).unwrap();
        }),
        ("copy swapped in", &|case| {
            std::fs::rename(case.join("db"), case.join("db.old")).unwrap();
            copy_dir(&compacted.join("db"), &case.join("db"));
        }),
    ];
    for (step, make) in steps {
        let case = dir.path().join(step.replace(' ', "-"));
        copy_dir(&vault, &case);
        make(&case);
        left_by_a_dead_process(&case);
        let store = Store::open(&case, StoreOptions::default())
            .unwrap_or_else(|e| panic!("killed at \"{step}\": {e}"));
        assert_every_write(&store, &records);
        assert!(!case.join("db.new").exists() && !case.join("db.old").exists());
        assert_goes_on(store, &case, &records);
    }
}
