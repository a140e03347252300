//! What no change may undo (docs/threat-model.md, "Trust moves only by pairing"): a device's
//! removal is final, whatever a peer sends.

use automerge::AutoCommit;
use rapport_model::{Body, Device, Record, record_from_doc, record_to_doc};
use rapport_store::Store;

use crate::common::{new_record, now, put};

fn device(addresses: &[&str]) -> Record {
    new_record(
        Body::Device(Device {
            name: "old phone".into(),
            key: "ab".repeat(32),
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            relays: vec!["https://relay.example.org/".into()],
            revoked_at: None,
        }),
        now(),
    )
}

fn revoked(r: &Record) -> Option<rapport_model::Timestamp> {
    match &r.body {
        Body::Device(d) => d.revoked_at,
        _ => None,
    }
}

/// A peer (its own code, not ours) writes a change that clears the removal and gives the
/// device an address again: merged here, the removal stays, at its first moment, and this
/// device's own change saying so is there to go back.
#[test]
fn a_change_that_undoes_a_removal_is_merged_but_the_removal_stays() {
    let laptop = Store::in_memory();
    let phone = put(&laptop, device(&["10.0.0.7:4000"]));
    let id = phone.id();
    let mut gone = phone.clone();
    if let Body::Device(d) = &mut gone.body {
        d.revoked_at = Some(now());
        d.addresses.clear();
        d.relays.clear();
    }
    let gone = put(&laptop, gone);
    let removed_at = revoked(&gone).unwrap();
    let heads_before = laptop.heads_of(id).unwrap();

    // The peer holds the same document and undoes the removal in a change of its own.
    let bytes = laptop.document_bytes(id).unwrap().unwrap();
    let mut theirs = AutoCommit::load(&bytes).unwrap();
    let mut back = record_from_doc(&theirs).unwrap();
    if let Body::Device(d) = &mut back.body {
        d.revoked_at = None;
        d.addresses = vec!["203.0.113.9:4000".into()];
        d.relays = vec!["https://relay.attacker.example/".into()];
    }
    record_to_doc(&back, &mut theirs).unwrap();
    let change = theirs.save_after(&heads_before);

    let merged = laptop.merge(id, &change).unwrap().unwrap();
    assert_eq!(revoked(&merged), Some(removed_at), "the removal was undone");
    match &merged.body {
        Body::Device(d) => assert!(d.addresses.is_empty() && d.relays.is_empty(), "{d:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(laptop.get(id).unwrap(), Some(merged.clone()));
    // The peer's change is in (nothing silently dropped), and so is this device's answer.
    let heads = laptop.heads_of(id).unwrap();
    assert!(
        !heads.contains(&theirs.get_heads()[0]),
        "answered with a change"
    );
    let mut answered = AutoCommit::load(&laptop.document_bytes(id).unwrap().unwrap()).unwrap();
    assert!(
        answered
            .get_change_by_hash(&theirs.get_heads()[0])
            .is_some()
    );
    // The peer, receiving the answer, sees the device removed again.
    theirs
        .merge(&mut answered)
        .expect("the peer takes the answer");
    assert_eq!(
        revoked(&record_from_doc(&theirs).unwrap()),
        Some(removed_at)
    );
}

/// An edit through the store itself (an import, a local write) cannot clear it either.
#[test]
fn a_local_write_cannot_clear_a_removal() {
    let store = Store::in_memory();
    let mut r = put(&store, device(&[]));
    if let Body::Device(d) = &mut r.body {
        d.revoked_at = Some(now());
    }
    let r = put(&store, r);
    let mut back = r.clone();
    if let Body::Device(d) = &mut back.body {
        d.revoked_at = None;
    }
    let stored = put(&store, back);
    assert_eq!(revoked(&stored), revoked(&r));
}
