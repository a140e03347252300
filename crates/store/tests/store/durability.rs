use std::os::unix::fs::PermissionsExt;

use rapport_model::{Body, Person, Prose};
use rapport_store::{Store, StoreError, StoreOptions};

use crate::common::*;

#[test]
fn a_write_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let r = {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        put(&store, new_record(person("Ada Lovelace"), now()))
    };
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(store.get(r.id()).unwrap(), Some(r));
}

#[test]
fn a_second_open_of_the_same_directory_names_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path(), StoreOptions::default()).unwrap();
    match Store::open(dir.path(), StoreOptions::default()) {
        Err(StoreError::AlreadyOpen { pid, .. }) => assert_eq!(pid, std::process::id()),
        other => panic!("expected AlreadyOpen, got {other:?}"),
    }
    let msg = Store::open(dir.path(), StoreOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("already open by pid {}", std::process::id())),
        "{msg}"
    );
}

#[test]
fn the_data_directory_is_private() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("vault");
    drop(Store::open(&dir, StoreOptions::default()).unwrap());
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);

    // An existing directory readable by others is tightened.
    let loose = parent.path().join("loose");
    std::fs::create_dir(&loose).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(Store::open(&loose, StoreOptions::default()).unwrap());
    assert_eq!(
        std::fs::metadata(&loose).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn many_edits_are_compacted_and_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions {
        compact_after_chunks: 8,
        cached_docs: 1,
        ..Default::default()
    };
    let first = new_record(person("Ada"), now());
    let id = first.id();
    {
        let store = Store::open(dir.path(), opts.clone()).unwrap();
        put(&store, first.clone());
        for i in 0..20 {
            let mut r = store.get(id).unwrap().unwrap();
            if let Body::Person(p) = &mut r.body {
                p.role = Some(format!("role {i}"));
            }
            put(&store, r);
            // Push the document out of the one-slot cache so the next edit reloads it from disk.
            put(&store, new_record(person(&format!("filler {i}")), now()));
        }
        let stats = store.stats().unwrap();
        assert!(stats.change_chunks < 8, "chunks are folded in: {stats:?}");
        store.compact().unwrap();
        assert_eq!(store.stats().unwrap().change_chunks, 0);
    }
    let store = Store::open(dir.path(), opts).unwrap();
    let Body::Person(Person { role, .. }) = store.get(id).unwrap().unwrap().body else {
        panic!()
    };
    assert_eq!(role.as_deref(), Some("role 19"));
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn a_refused_change_stores_nothing() {
    each_store(|store| {
        let r = put(store, new_record(person("Ada"), now()));
        let before = store.projection_entries().unwrap();
        let outcome = store
            .write(r.id(), |_| Err::<rapport_model::Record, _>("no"))
            .unwrap();
        assert_eq!(outcome, Err("no"));
        assert_eq!(store.projection_entries().unwrap(), before);
        assert_eq!(store.get(r.id()).unwrap(), Some(r));
    });
}

#[test]
fn a_bulk_write_lands_whole_with_its_projections() {
    each_store(|store| {
        let records: Vec<_> = (0..200)
            .map(|i| new_record(person(&format!("Person {i:03}")), now()))
            .collect();
        store.write_all(records.clone()).unwrap();
        assert_eq!(store.count(rapport_model::Kind::Person).unwrap(), 200);
        assert_eq!(
            store.get(records[17].id()).unwrap().as_ref(),
            Some(&records[17])
        );
        assert!(store.check().unwrap().is_clean());
        assert_eq!(
            store.search("person 117", None, 5).unwrap()[0].id,
            records[117].id()
        );
        let twice = vec![records[0].clone(), records[0].clone()];
        assert!(store.write_all(twice).is_err());
    });
}

/// A bulk write stores prose as plain strings (one operation, not one per character). An edit of
/// another field leaves such a note be; the edit that changes it makes it text.
#[test]
fn a_bulk_write_stores_notes_as_plain_strings_until_a_note_is_edited() {
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, Value};
    each_store(|store| {
        let mut r = new_record(
            Body::Person(Person {
                name: "Ada".into(),
                research_notes: Prose::new("Works on compilers."),
                ..Default::default()
            }),
            now(),
        );
        let id = r.id();
        let notes_are_text = || {
            let bytes = store.document_bytes(id).unwrap().unwrap();
            let doc = AutoCommit::load(&bytes).unwrap();
            let data = doc.get(ROOT, "data").unwrap().unwrap().1;
            let notes = doc.get(&data, "research_notes").unwrap().unwrap().0;
            matches!(notes, Value::Object(ObjType::Text))
        };
        store.write_all(vec![r.clone()]).unwrap();
        assert!(!notes_are_text());
        let Body::Person(p) = &mut r.body else {
            unreachable!()
        };
        p.role = Some("Engineer".into());
        put(store, r.clone());
        assert!(
            !notes_are_text(),
            "an edit of another field leaves the note be"
        );
        let Body::Person(p) = &mut r.body else {
            unreachable!()
        };
        p.research_notes = Prose::new("Works on compilers. Likes tea.");
        put(store, r.clone());
        assert!(notes_are_text(), "the edit of the note makes it text");
        assert_eq!(store.get(r.id()).unwrap(), Some(r.clone()));
    });
}

/// A bulk write is prepared and staged a part of 512 documents at a time; one that fails in a
/// later part must leave nothing of the earlier ones.
#[test]
fn a_bulk_write_that_fails_in_a_later_part_leaves_nothing() {
    each_store(|store| {
        let mine = put(store, new_record(person("Already here"), now()));
        let list = |store: &Store| store.document_ids().unwrap();
        let before = list(store);
        let mut records: Vec<_> = (0..1200)
            .map(|i| new_record(person(&format!("Bulk {i:04}")), now()))
            .collect();
        // The 1,100th, in the third part, is an organization with the person's id: refused when
        // it is staged, after two parts went in.
        let mut clash = new_record(
            Body::Organization(rapport_model::Organization {
                name: "Clash".into(),
                ..Default::default()
            }),
            now(),
        );
        clash.meta.id = mine.id();
        records[1099] = clash;
        assert!(store.write_all(records.clone()).is_err());
        assert_eq!(list(store), before);
        assert_eq!(store.count(rapport_model::Kind::Person).unwrap(), 1);
        assert_eq!(store.get(records[3].id()).unwrap(), None);
        assert_eq!(store.get(mine.id()).unwrap(), Some(mine.clone()));
        assert!(store.check().unwrap().is_clean());
        // Without the clash it lands whole.
        records.remove(1099);
        store.write_all(records).unwrap();
        assert_eq!(store.count(rapport_model::Kind::Person).unwrap(), 1200);
        assert!(store.check().unwrap().is_clean());
    });
}

#[test]
fn a_database_with_the_old_segment_size_opens_and_compaction_converts_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        put(&store, new_record(person("Ada"), now()))
    };
    // Recreate the database as sled's defaults (512 KiB segments) would have, with the record.
    let entries: Vec<(Vec<u8>, Vec<u8>)> = {
        use rapport_store::KvStore;
        let kv = rapport_store::SledKv::open(&dir.path().join("db"), 1 << 20).unwrap();
        let mut all = Vec::new();
        for p in 0u8..=255 {
            all.extend(
                kv.scan(
                    &[p],
                    None,
                    rapport_store::kv::Direction::Forward,
                    usize::MAX,
                )
                .unwrap(),
            );
        }
        all
    };
    std::fs::remove_dir_all(dir.path().join("db")).unwrap();
    {
        #[allow(clippy::disallowed_methods)]
        let old = sled::Config::new()
            .path(dir.path().join("db"))
            .use_compression(true)
            .open()
            .unwrap();
        for (k, v) in entries {
            old.insert(k, v).unwrap();
        }
        old.flush().unwrap();
    }
    let conf = |d: &std::path::Path| {
        String::from_utf8_lossy(&std::fs::read(d.join("db/conf")).unwrap()).into_owned()
    };
    assert!(conf(dir.path()).contains("segment_size: 524288"));
    {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(
            store.get(first.id()).unwrap(),
            Some(first.clone()),
            "the old database opens as it is"
        );
    }
    let (store, _, _) = Store::open_rewritten(dir.path(), StoreOptions::default()).unwrap();
    assert!(
        conf(dir.path()).contains("segment_size: 65536"),
        "compaction rewrites it with the new size"
    );
    assert_eq!(store.get(first.id()).unwrap(), Some(first));
}

/// A child that another thread is starting holds a copy of every open descriptor from its fork
/// until its exec, the vault's lock included. Closing and reopening the vault in that moment
/// must not be refused as "already open by" this very process (a test failed so in CI).
#[test]
#[allow(unsafe_code)] // `pre_exec` only; see the SAFETY note
fn a_vault_closed_while_a_child_is_being_started_reopens() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let (forked, at_fork) = std::sync::mpsc::channel();
    let starting = std::thread::spawn(move || {
        let mut child = std::process::Command::new("true");
        // Runs in the child between fork and exec: the lock's descriptor is held meanwhile.
        // SAFETY: the hook only sleeps (nanosleep, async-signal-safe); it allocates nothing and
        // takes no lock.
        unsafe {
            child.pre_exec(|| {
                std::thread::sleep(std::time::Duration::from_millis(300));
                Ok(())
            });
        }
        forked.send(()).unwrap();
        child.status().unwrap()
    });
    at_fork.recv().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    drop(store);
    let reopened = Store::open(dir.path(), StoreOptions::default());
    assert!(starting.join().unwrap().success());
    assert!(reopened.is_ok(), "{:?}", reopened.err());
}
