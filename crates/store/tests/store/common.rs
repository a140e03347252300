use std::convert::Infallible;
use std::path::Path;

use rapport_model::{Body, Meta, Record, RecordId, Timestamp};
use rapport_store::{Store, StoreOptions};

/// Runs `f` against a fresh in-memory store and a fresh sled store in a temporary directory.
pub fn each_store(f: impl Fn(&Store)) {
    f(&Store::in_memory());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    f(&store);
}

pub fn now() -> Timestamp {
    Timestamp::from_millis(1_763_800_000_000)
}

pub fn new_record(body: Body, at: Timestamp) -> Record {
    Record {
        meta: Meta {
            id: RecordId::new_at(at),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        },
        body,
    }
}

/// Stores `record` as is.
pub fn put(store: &Store, record: Record) -> Record {
    store
        .write(record.id(), |_| Ok::<_, Infallible>(record.clone()))
        .unwrap()
        .unwrap()
}

pub fn person(name: &str) -> Body {
    Body::Person(rapport_model::Person {
        name: name.into(),
        ..Default::default()
    })
}

/// Copies a directory tree (a vault's files, as they stand).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
