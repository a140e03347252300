//! Projections are always what a rebuild from the documents gives.

use automerge::AutoCommit;
use proptest::prelude::*;
use rapport_model::{Record, Timestamp, arbitrary, record_from_doc, record_to_doc};
use rapport_store::{Store, StoreOptions};

use crate::common::put;

#[derive(Debug, Clone)]
enum Op {
    Create(Record),
    /// Replace the n-th record's fields with those of another random record of any kind.
    Edit(usize, Record),
    Delete(usize),
    /// Another device edits the n-th record and the change is merged in.
    Merge(usize, Record),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => arbitrary::record().prop_map(Op::Create),
        3 => (any::<usize>(), arbitrary::record()).prop_map(|(i, r)| Op::Edit(i, r)),
        1 => any::<usize>().prop_map(Op::Delete),
        2 => (any::<usize>(), arbitrary::record()).prop_map(|(i, r)| Op::Merge(i, r)),
    ];
    proptest::collection::vec(op, 1..40)
}

fn same_kind(base: &Record, other: Record) -> Option<Record> {
    (base.kind() == other.kind()).then(|| Record {
        meta: base.meta.clone(),
        body: other.body,
    })
}

fn run(store: &Store, ops: Vec<Op>) {
    let mut ids = Vec::new();
    for op in ops {
        match op {
            Op::Create(mut r) => {
                r.meta.deleted_at = None;
                ids.push(put(store, r).id());
            }
            Op::Edit(i, other) if !ids.is_empty() => {
                let cur = store.get(ids[i % ids.len()]).unwrap().unwrap();
                if let Some(next) = same_kind(&cur, other) {
                    put(store, next);
                }
            }
            Op::Delete(i) if !ids.is_empty() => {
                let mut cur = store.get(ids[i % ids.len()]).unwrap().unwrap();
                cur.meta.deleted_at = Some(Timestamp::from_millis(1_800_000_000_000));
                put(store, cur);
            }
            Op::Merge(i, other) if !ids.is_empty() => {
                let id = ids[i % ids.len()];
                let mut remote =
                    AutoCommit::load(&store.document_bytes(id).unwrap().unwrap()).unwrap();
                let cur = record_from_doc(&remote).unwrap();
                if let Some(next) = same_kind(&cur, other) {
                    record_to_doc(&next, &mut remote).unwrap();
                    store.merge(id, &remote.save()).unwrap();
                }
            }
            _ => {}
        }
    }
}

fn assert_projections_are_derived(store: &Store) {
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let before = store.projection_entries().unwrap();
    store.rebuild_projections().unwrap();
    let after = store.projection_entries().unwrap();
    let only = |a: &[(Vec<u8>, Vec<u8>)], b: &[(Vec<u8>, Vec<u8>)]| -> Vec<Vec<u8>> {
        a.iter()
            .filter(|e| !b.contains(e))
            .map(|(k, _)| k.clone())
            .collect()
    };
    assert!(
        before == after,
        "only before: {:?}; only after: {:?}",
        only(&before, &after),
        only(&after, &before)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn in_memory_projections_equal_a_rebuild(ops in ops()) {
        let store = Store::in_memory();
        run(&store, ops);
        assert_projections_are_derived(&store);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn sled_projections_equal_a_rebuild_after_reopening(ops in ops()) {
        let dir = tempfile::tempdir().unwrap();
        let opts = StoreOptions { cached_docs: 2, compact_after_chunks: 4, ..Default::default() };
        {
            let store = Store::open(dir.path(), opts.clone()).unwrap();
            run(&store, ops);
        }
        let store = Store::open(dir.path(), opts).unwrap();
        assert_projections_are_derived(&store);
    }
}

#[test]
fn a_merge_from_another_device_updates_the_projections() {
    let store = Store::in_memory();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    use proptest::strategy::ValueTree;
    for _ in 0..20 {
        let mut r = arbitrary::record().new_tree(&mut runner).unwrap().current();
        r.meta.deleted_at = None;
        put(&store, r);
    }
    // Rewrite one document behind the projections' back, as a bug or a crash might.
    let id = store.document_ids().unwrap()[3];
    let mut doc = AutoCommit::load(&store.document_bytes(id).unwrap().unwrap()).unwrap();
    let good = store.get(id).unwrap().unwrap();
    let mut changed = record_from_doc(&doc).unwrap();
    changed.meta.updated_at = Timestamp::from_millis(changed.meta.updated_at.as_millis() + 1);
    record_to_doc(&changed, &mut doc).unwrap();
    store.merge(id, &doc.save()).unwrap();
    assert_ne!(store.get(id).unwrap(), Some(good));
    assert!(
        store.check().unwrap().is_clean(),
        "merges update projections"
    );
}

#[test]
fn a_damaged_projection_is_found_and_rebuilt() {
    use rapport_store::{KvStore, SledKv, WriteBatch};
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let r = put(
            &store,
            crate::common::new_record(crate::common::person("Ada"), crate::common::now()),
        );
        put(
            &store,
            crate::common::new_record(crate::common::person("Bob"), crate::common::now()),
        );
        r.id()
    };
    {
        // Lose Ada's projected record and leave a stray index key, as a bug might.
        let kv = SledKv::open(&dir.path().join("db"), 1 << 20).unwrap();
        let mut b = WriteBatch::default();
        let mut key = vec![b'R'];
        key.extend_from_slice(id.as_bytes());
        b.delete(key);
        b.put(b"N\x00zzz\x00stray-stray-stra".to_vec(), Vec::new());
        b.put(vec![b'K', 0], 7u64.to_be_bytes().to_vec());
        kv.apply(b).unwrap();
        kv.flush().unwrap();
    }
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let report = store.check().unwrap();
    assert_eq!(
        (report.records_missing, report.index_keys_stray),
        (1, 1),
        "{report:?}"
    );
    store.rebuild_projections().unwrap();
    assert!(store.check().unwrap().is_clean());
    assert_eq!(store.get(id).unwrap().unwrap().body.display_name(), "Ada");
}
