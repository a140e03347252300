//! The sync engine between in-memory and on-disk stores, through the deterministic harness:
//! two and three devices, offline edits on both sides, deletions, reconnects that cost almost
//! nothing, and peers that send garbage.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use rapport_model::{Body, Meta, Organization, Person, Prose, Record, RecordId, Timestamp};
use rapport_store::Store;
use rapport_sync::harness::{Traffic, exchange};
use rapport_sync::wire::{FrameReader, MAX_FRAME, Message, WireId};
use rapport_sync::{Progress, Session, SyncError};

mod convergence;
mod lossy;
mod net;
mod pairing;
mod relay;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_763_800_000_000 + ms)
}

fn person(name: &str) -> Record {
    Record {
        meta: Meta::new_at(t(0)),
        body: Body::Person(Person {
            name: name.into(),
            ..Default::default()
        }),
    }
}

fn put(store: &Store, r: Record) -> RecordId {
    let id = r.id();
    store
        .write(id, |_| Ok::<_, Infallible>(r))
        .unwrap()
        .unwrap();
    id
}

fn edit(store: &Store, id: RecordId, f: impl FnOnce(&mut Person)) {
    store
        .write(id, |old| {
            let mut r = old.unwrap();
            if let Body::Person(p) = &mut r.body {
                f(p);
            }
            r.meta.updated_at = t(1);
            Ok::<_, Infallible>(r)
        })
        .unwrap()
        .unwrap();
}

fn sync(a: &Arc<Store>, b: &Arc<Store>) -> Traffic {
    let mut sa = Session::new(a.clone()).unwrap();
    let mut sb = Session::new(b.clone()).unwrap();
    exchange(&mut sa, &mut sb, 1_000_000).unwrap()
}

/// Every record (tombstones included) by id.
fn state(s: &Store) -> BTreeMap<RecordId, Record> {
    s.document_ids()
        .unwrap()
        .into_iter()
        .map(|id| (id, s.get(id).unwrap().unwrap()))
        .collect()
}

fn assert_same(a: &Store, b: &Store) {
    assert_eq!(state(a), state(b));
    assert!(a.check().unwrap().is_clean(), "{:?}", a.check().unwrap());
    assert!(b.check().unwrap().is_clean(), "{:?}", b.check().unwrap());
}

fn seeded(n: usize) -> Arc<Store> {
    let s = Arc::new(Store::in_memory());
    let mut records = Vec::new();
    for i in 0..n {
        let org = Record {
            meta: Meta::new_at(t(0)),
            body: Body::Organization(Organization {
                name: format!("Org {i}"),
                ..Default::default()
            }),
        };
        let mut p = person(&format!("Person {i}"));
        if let Body::Person(pp) = &mut p.body {
            pp.organization_id = Some(org.id());
            pp.research_notes = Prose::from(format!("Notes about person {i}.").as_str());
        }
        records.push(org);
        records.push(p);
    }
    s.write_all(records).unwrap();
    s
}

#[test]
fn an_empty_device_receives_the_whole_vault() {
    let laptop = seeded(200);
    let phone = Arc::new(Store::in_memory());
    let mut a = Session::new(laptop.clone()).unwrap();
    let mut b = Session::new(phone.clone()).unwrap();
    exchange(&mut a, &mut b, 100_000).unwrap();
    assert_same(&laptop, &phone);
    assert_eq!(
        a.stats.documents_sent, 400,
        "whole documents, no protocol rounds"
    );
    assert_eq!(b.stats.documents_received, 400);
    assert_eq!(a.stats.sync_messages_sent + b.stats.sync_messages_sent, 0);
}

/// Runs two sessions to the end, message by message; returns `b`'s progress after each
/// message it received.
fn stepwise(a: &mut Session, b: &mut Session) -> Vec<Progress> {
    let mut seen = Vec::new();
    for _ in 0..100_000 {
        if a.is_done() && b.is_done() {
            return seen;
        }
        while let Some(m) = a.next_outgoing().unwrap() {
            b.receive(m).unwrap();
            seen.push(b.progress());
        }
        while let Some(m) = b.next_outgoing().unwrap() {
            a.receive(m).unwrap();
        }
    }
    panic!("the sessions did not finish");
}

#[test]
fn progress_counts_the_documents_pending_down_to_none() {
    let laptop = seeded(550);
    let phone = Arc::new(Store::in_memory());
    let (mut a, mut b) = (
        Session::new(laptop.clone()).unwrap(),
        Session::new(phone.clone()).unwrap(),
    );
    let seen = stepwise(&mut a, &mut b);
    // Once the laptop's entries are in, the phone knows all 1100 documents are coming; they
    // count as done only once stored (in batches), so pending falls in steps.
    let start = seen.iter().position(|p| p.pending > 0).unwrap();
    assert_eq!((seen[start].pending, seen[start].done), (1100, 0));
    assert!(
        seen[start..]
            .windows(2)
            .all(|w| w[1].pending <= w[0].pending)
    );
    assert!(
        seen.contains(&Progress {
            pending: 1100 - 512,
            done: 512
        }),
        "the first batch was stored while more were coming"
    );
    assert_eq!(
        b.progress(),
        Progress {
            pending: 0,
            done: 1100
        }
    );
    assert_eq!(
        a.progress(),
        Progress {
            pending: 0,
            done: 1100
        },
        "sent"
    );

    // A document both hold, changed on the laptop, is pending on the phone until Automerge's
    // protocol has brought over every change the laptop has.
    let id = *state(&laptop)
        .iter()
        .find(|(_, r)| r.body.display_name() == "Person 7")
        .unwrap()
        .0;
    edit(&laptop, id, |p| p.role = Some("Grid analyst".into()));
    let (mut a, mut b) = (
        Session::new(laptop.clone()).unwrap(),
        Session::new(phone.clone()).unwrap(),
    );
    let seen = stepwise(&mut a, &mut b);
    assert!(seen.iter().any(|p| p.pending == 1), "{seen:?}");
    assert_eq!(
        b.progress(),
        Progress {
            pending: 0,
            done: 1
        }
    );
    assert_same(&laptop, &phone);
}

#[test]
fn a_reconnect_with_nothing_changed_costs_a_summary_each_way() {
    let laptop = seeded(500);
    let phone = Arc::new(Store::in_memory());
    sync(&laptop, &phone);
    let again = sync(&laptop, &phone);
    // A summary and an idle each way.
    assert_eq!(again.messages, 4, "{again:?}");
    assert!(again.bytes < 16 * 1024, "{again:?}");
}

#[test]
fn offline_edits_on_both_sides_merge_field_by_field() {
    let laptop = seeded(20);
    let phone = Arc::new(Store::in_memory());
    sync(&laptop, &phone);
    let id = *state(&laptop)
        .iter()
        .find(|(_, r)| r.body.display_name() == "Person 3")
        .unwrap()
        .0;
    // Offline: the laptop sets the role, the phone adds a note and a tag.
    edit(&laptop, id, |p| p.role = Some("Grid analyst".into()));
    edit(&phone, id, |p| {
        p.tags.push("met-at-conf".into());
        p.research_notes = Prose::from("Notes about person 3. Has a dog.");
    });
    let new_on_phone = put(&phone, person("Omar Haddad"));
    let traffic = sync(&laptop, &phone);
    assert_same(&laptop, &phone);
    let Body::Person(p) = laptop.get(id).unwrap().unwrap().body else {
        panic!()
    };
    assert_eq!(p.role.as_deref(), Some("Grid analyst"));
    assert_eq!(p.tags, ["met-at-conf"]);
    assert!(p.research_notes.as_str().ends_with("Has a dog."));
    assert!(laptop.get(new_on_phone).unwrap().is_some());
    assert!(
        traffic.bytes < 64 * 1024,
        "only what changed travels: {traffic:?}"
    );
    // Search on the laptop finds what the phone wrote.
    let hits = laptop.search("dog", None, 10).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn deletions_sync_as_tombstones() {
    let laptop = seeded(5);
    let phone = Arc::new(Store::in_memory());
    sync(&laptop, &phone);
    let id = put(&laptop, person("Temp"));
    sync(&laptop, &phone);
    laptop
        .write(id, |old| {
            let mut r = old.unwrap();
            r.meta.deleted_at = Some(t(5));
            Ok::<_, Infallible>(r)
        })
        .unwrap()
        .unwrap();
    sync(&laptop, &phone);
    assert!(phone.get(id).unwrap().unwrap().is_deleted());
    assert_same(&laptop, &phone);
}

#[test]
fn three_devices_converge_through_partitions() {
    let laptop = seeded(30);
    let phone = Arc::new(Store::in_memory());
    let tablet = Arc::new(Store::in_memory());
    sync(&laptop, &phone);
    sync(&phone, &tablet);
    // A partition: the laptop and the tablet never meet; each edits for "days".
    let ids: Vec<RecordId> = state(&laptop)
        .into_iter()
        .filter(|(_, r)| matches!(r.body, Body::Person(_)))
        .map(|(id, _)| id)
        .collect();
    for (i, id) in ids.iter().enumerate().take(10) {
        edit(&laptop, *id, |p| p.location = Some(format!("City {i}")));
        edit(&tablet, *id, |p| p.cadence_days = Some(30 + i as u16));
    }
    put(&tablet, person("Met on the train"));
    // The phone carries changes both ways, in any order.
    sync(&tablet, &phone);
    sync(&laptop, &phone);
    sync(&phone, &tablet);
    assert_same(&laptop, &phone);
    assert_same(&phone, &tablet);
    let Body::Person(p) = tablet.get(ids[4]).unwrap().unwrap().body else {
        panic!()
    };
    assert_eq!(
        (p.location.as_deref(), p.cadence_days),
        (Some("City 4"), Some(34))
    );
}

#[test]
fn stores_on_disk_sync_and_survive_a_reopen() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    {
        let a = Arc::new(Store::open(dirs.0.path(), Default::default()).unwrap());
        let b = Arc::new(Store::open(dirs.1.path(), Default::default()).unwrap());
        put(&a, person("Ada Okafor"));
        put(&b, person("Zoë Çelik"));
        sync(&a, &b);
        assert_same(&a, &b);
    }
    let a = Store::open(dirs.0.path(), Default::default()).unwrap();
    let b = Store::open(dirs.1.path(), Default::default()).unwrap();
    assert_eq!(state(&a).len(), 2);
    assert_same(&a, &b);
}

#[test]
fn garbage_from_a_peer_is_refused_without_a_crash() {
    let store = seeded(3);
    let mut s = Session::new(store.clone()).unwrap();
    let before = state(&store);
    // Frames that do not decode.
    for junk in [&b"\x00\x00\x00\x03abc"[..], b"\x00\x00\x00\x01\xff"] {
        let mut r = FrameReader::default();
        r.push(junk);
        assert!(matches!(r.next_message(), Err(SyncError::Malformed(_))));
    }
    // A length over the cap is refused before anything is allocated for it.
    let mut r = FrameReader::default();
    r.push(&((MAX_FRAME as u32) + 1).to_be_bytes());
    assert!(matches!(r.next_message(), Err(SyncError::TooLarge(_))));
    // Messages that decode but make no sense.
    assert!(s.receive(Message::Summary(vec![1, 2, 3])).is_err());
    assert!(
        s.receive(Message::Entries {
            buckets: vec![9999],
            entries: vec![]
        })
        .is_err()
    );
    let id = WireId([7; 16]);
    assert!(
        s.receive(Message::Sync {
            id,
            message: vec![1, 2, 3]
        })
        .is_err()
    );
    // Whole documents are stored in batches: the refusal comes when the batch is stored.
    s.receive(Message::Document {
        id,
        bytes: b"not automerge".to_vec(),
    })
    .unwrap();
    assert!(matches!(s.flush(), Err(SyncError::Rejected(_))));
    // A valid document stored under another record's id.
    let other = person("Mallory");
    let doc = {
        let tmp = Store::in_memory();
        let oid = put(&tmp, other);
        tmp.document_bytes(oid).unwrap().unwrap()
    };
    s.receive(Message::Document { id, bytes: doc }).unwrap();
    assert!(matches!(s.flush(), Err(SyncError::Rejected(_))));
    assert_eq!(state(&store), before, "nothing changed");
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn random_frames_never_panic() {
    use proptest::prelude::*;
    proptest!(ProptestConfig::with_cases(256), |(bytes in proptest::collection::vec(any::<u8>(), 0..512))| {
        let mut r = FrameReader::default();
        r.push(&bytes);
        while let Ok(Some(m)) = r.next_message() {
            let store = Arc::new(Store::in_memory());
            let mut s = Session::new(store).unwrap();
            let _ = s.receive(m);
            let _ = s.flush();
        }
    });
}
