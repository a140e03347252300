//! Convergence (RELIABILITY.md §2): two and three replicas driven through random interleavings
//! of local edits, deletions, changes passed by hand (late, out of order, duplicated, whole
//! documents or only the changes since what the receiver had) and full sync sessions; after a
//! final round of syncs every replica holds the same documents, the same projections, the same
//! lists and search results, and every acknowledged write is still in each document's history.
//!
//! The number of cases follows `PROPTEST_CASES` (the long run sets it high).

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::Arc;

use automerge::{AutoCommit, ChangeHash};
use proptest::prelude::*;
use rapport_model::{Body, Kind, Record, RecordId, Timestamp, arbitrary, record_from_doc};
use rapport_store::{ListOrder, ListQuery, Store, StoreOptions};

use crate::sync;

#[derive(Debug, Clone)]
enum Op {
    /// A replica creates a record.
    Create {
        at: usize,
        record: Record,
    },
    /// A replica edits one of its live records: a person gets a new role (`token`) or, with
    /// `whole`, another person's fields; any other kind a new update time.
    Edit {
        at: usize,
        pick: usize,
        token: u32,
        whole: Option<Body>,
    },
    Delete {
        at: usize,
        pick: usize,
    },
    /// A replica puts one document on the wire to another: whole, or only the changes the
    /// receiver lacks at this moment (which may arrive after later changes, or never).
    Send {
        from: usize,
        to: usize,
        pick: usize,
        whole: bool,
    },
    /// A message on the wire arrives; with `again` it stays on the wire to arrive once more.
    Deliver {
        pick: usize,
        again: bool,
    },
    /// Two replicas run a whole sync session through the protocol.
    Sync {
        a: usize,
        b: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..3usize;
    prop_oneof![
        3 => (r.clone(), arbitrary::record()).prop_map(|(at, record)| Op::Create { at, record }),
        4 => (r.clone(), any::<usize>(), any::<u32>(), proptest::option::weighted(0.3, arbitrary::person()))
            .prop_map(|(at, pick, token, whole)| Op::Edit { at, pick, token, whole: whole.map(Body::Person) }),
        1 => (r.clone(), any::<usize>()).prop_map(|(at, pick)| Op::Delete { at, pick }),
        3 => (r.clone(), r.clone(), any::<usize>(), any::<bool>())
            .prop_map(|(from, to, pick, whole)| Op::Send { from, to, pick, whole }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(pick, again)| Op::Deliver { pick, again }),
        1 => (r.clone(), r).prop_map(|(a, b)| Op::Sync { a, b }),
    ]
}

/// A write a replica acknowledged: the document's heads right after it, and the record then.
struct Ack {
    id: RecordId,
    heads: Vec<ChangeHash>,
    record: Record,
}

struct World {
    replicas: Vec<Arc<Store>>,
    wire: Vec<(usize, RecordId, Vec<u8>)>,
    acks: Vec<Ack>,
    deleted: BTreeSet<RecordId>,
}

fn write(store: &Store, r: Record) -> Record {
    store
        .write(r.id(), |_| Ok::<_, Infallible>(r))
        .unwrap()
        .unwrap()
}

fn live(store: &Store) -> Vec<RecordId> {
    store
        .document_ids()
        .unwrap()
        .into_iter()
        .filter(|id| !store.get(*id).unwrap().unwrap().is_deleted())
        .collect()
}

impl World {
    fn new(replicas: Vec<Arc<Store>>) -> Self {
        Self {
            replicas,
            wire: Vec::new(),
            acks: Vec::new(),
            deleted: BTreeSet::new(),
        }
    }

    fn ack(&mut self, at: usize, r: &Record) {
        let store = &self.replicas[at];
        self.acks.push(Ack {
            id: r.id(),
            heads: store.heads_of(r.id()).unwrap(),
            record: store.get(r.id()).unwrap().unwrap(),
        });
    }

    fn apply(&mut self, op: Op) {
        let n = self.replicas.len();
        match op {
            Op::Create { at, mut record } => {
                record.meta.deleted_at = None;
                let r = write(&self.replicas[at % n], record);
                self.ack(at % n, &r);
            }
            Op::Edit {
                at,
                pick,
                token,
                whole,
            } => {
                let store = self.replicas[at % n].clone();
                let ids = live(&store);
                let Some(id) = ids.get(pick % ids.len().max(1)) else {
                    return;
                };
                let mut r = store.get(*id).unwrap().unwrap();
                r.meta.updated_at = Timestamp::from_millis(
                    r.meta.updated_at.as_millis() + 1 + i64::from(token % 1000),
                );
                match (&mut r.body, whole) {
                    (Body::Person(_), Some(other)) => r.body = other,
                    (Body::Person(p), None) => p.role = Some(format!("role {token}")),
                    _ => {}
                }
                let r = write(&store, r);
                self.ack(at % n, &r);
            }
            Op::Delete { at, pick } => {
                let store = self.replicas[at % n].clone();
                let ids = live(&store);
                let Some(id) = ids.get(pick % ids.len().max(1)) else {
                    return;
                };
                let mut r = store.get(*id).unwrap().unwrap();
                r.meta.deleted_at = Some(Timestamp::from_millis(1_800_000_000_000));
                let r = write(&store, r);
                self.deleted.insert(r.id());
                self.ack(at % n, &r);
            }
            Op::Send {
                from,
                to,
                pick,
                whole,
            } => {
                let (from, to) = (from % n, to % n);
                let ids = self.replicas[from].document_ids().unwrap();
                let Some(id) = ids.get(pick % ids.len().max(1)) else {
                    return;
                };
                let bytes = self.replicas[from].document_bytes(*id).unwrap().unwrap();
                let bytes = if whole {
                    bytes
                } else {
                    let known = self.replicas[to].heads_of(*id).unwrap();
                    let mut doc = AutoCommit::load(&bytes).unwrap();
                    // Heads the sender has never seen cannot be a base; send everything then.
                    if known.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
                        doc.save_after(&known)
                    } else {
                        bytes
                    }
                };
                self.wire.push((to, *id, bytes));
            }
            Op::Deliver { pick, again } => {
                if self.wire.is_empty() {
                    return;
                }
                let i = pick % self.wire.len();
                let (to, id, bytes) = if again {
                    self.wire[i].clone()
                } else {
                    self.wire.swap_remove(i)
                };
                self.replicas[to].merge(id, &bytes).unwrap();
            }
            Op::Sync { a, b } => {
                let (a, b) = (a % n, b % n);
                if a != b {
                    sync(&self.replicas[a], &self.replicas[b]);
                }
            }
        }
    }

    /// Syncs every replica with every other until nothing moves.
    fn settle(&mut self) {
        let n = self.replicas.len();
        for _ in 0..2 {
            for a in 0..n {
                for b in a + 1..n {
                    sync(&self.replicas[a], &self.replicas[b]);
                }
            }
        }
    }
}

/// Everything a replica shows: records (tombstones too), heads, projections, lists of every
/// kind in both orders, and what a few searches find.
#[derive(Debug, PartialEq)]
struct Shown {
    records: BTreeMap<RecordId, Record>,
    heads: BTreeMap<RecordId, Vec<ChangeHash>>,
    projections: Vec<(Vec<u8>, Vec<u8>)>,
    lists: Vec<Vec<RecordId>>,
    searches: Vec<BTreeSet<RecordId>>,
}

fn shown(s: &Store) -> Shown {
    let ids = s.document_ids().unwrap();
    let mut lists = Vec::new();
    for kind in Kind::ALL {
        for order in [ListOrder::Name, ListOrder::Updated] {
            let mut q = ListQuery::new(*kind);
            q.order = order;
            q.limit = 1000;
            lists.push(s.list(&q).unwrap().items.iter().map(Record::id).collect());
        }
    }
    let mut words: BTreeSet<String> = BTreeSet::new();
    for id in ids.iter().take(5) {
        let r = s.get(*id).unwrap().unwrap();
        if let Some(w) = r.body.display_name().split_whitespace().next() {
            words.insert(w.to_lowercase());
        }
    }
    words.insert("role".into());
    let searches = words
        .iter()
        .map(|w| {
            s.search(w, None, 1000)
                .unwrap()
                .into_iter()
                .map(|h| h.id)
                .collect()
        })
        .collect();
    Shown {
        records: ids
            .iter()
            .map(|id| (*id, s.get(*id).unwrap().unwrap()))
            .collect(),
        heads: ids
            .iter()
            .map(|id| (*id, s.heads_of(*id).unwrap()))
            .collect(),
        projections: s.projection_entries().unwrap(),
        lists,
        searches,
    }
}

/// After settling: all replicas show the same; each is consistent in itself; every deletion
/// stuck; every acknowledged write's change is in the document, and the document as of that
/// change reads back as the record that was acknowledged.
fn assert_converged(world: &mut World) {
    world.settle();
    let first = shown(&world.replicas[0]);
    for (i, s) in world.replicas.iter().enumerate() {
        let report = s.check().unwrap();
        assert!(report.is_clean(), "replica {i}: {report:?}");
        if i > 0 {
            let other = shown(s);
            assert!(
                other == first,
                "replica {i} differs from replica 0:\n{other:#?}\n{first:#?}"
            );
        }
    }
    for id in &world.deleted {
        assert!(
            first.records[id].is_deleted(),
            "a deletion of {id} was undone"
        );
    }
    let mut docs: BTreeMap<RecordId, AutoCommit> = BTreeMap::new();
    for ack in &world.acks {
        let doc = docs.entry(ack.id).or_insert_with(|| {
            AutoCommit::load(&world.replicas[0].document_bytes(ack.id).unwrap().unwrap()).unwrap()
        });
        for h in &ack.heads {
            assert!(
                doc.get_change_by_hash(h).is_some(),
                "an acknowledged change of {} is gone",
                ack.id
            );
        }
        let then = record_from_doc(&doc.fork_at(&ack.heads).unwrap()).unwrap();
        assert_eq!(
            then, ack.record,
            "the history of {} lost an acknowledged state",
            ack.id
        );
    }
}

/// `PROPTEST_CASES` if set (the long run), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn replicas(n: usize) -> Vec<Arc<Store>> {
    (0..n).map(|_| Arc::new(Store::in_memory())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    #[test]
    fn two_replicas_converge(ops in proptest::collection::vec(op(), 1..50)) {
        let mut world = World::new(replicas(2));
        for op in ops {
            world.apply(op);
        }
        assert_converged(&mut world);
    }

    #[test]
    fn three_replicas_converge(ops in proptest::collection::vec(op(), 1..60)) {
        let mut world = World::new(replicas(3));
        for op in ops {
            world.apply(op);
        }
        assert_converged(&mut world);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(3), ..ProptestConfig::default() })]

    /// The same on disk: sled stores that fold documents after 3 changes and keep one loaded,
    /// reopened before the final syncs.
    #[test]
    fn three_replicas_on_disk_converge_after_reopening(ops in proptest::collection::vec(op(), 1..50)) {
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let opts = StoreOptions { cached_docs: 1, compact_after_chunks: 3, ..Default::default() };
        let open = |d: &tempfile::TempDir| Arc::new(Store::open(d.path(), opts.clone()).unwrap());
        let mut world = World::new(dirs.iter().map(open).collect());
        for op in ops {
            world.apply(op);
        }
        world.replicas.clear();
        world.replicas = dirs.iter().map(open).collect();
        assert_converged(&mut world);
    }
}
