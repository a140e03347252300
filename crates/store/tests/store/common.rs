use std::convert::Infallible;

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
