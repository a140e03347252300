//! Devices over real iroh connections on 127.0.0.1 (relays off, no discovery): pairing with
//! tickets, syncing, and everything that must be refused — unknown and removed devices, used,
//! expired and wrong secrets, oversized and garbage frames. Every wait is bounded.

use std::sync::Arc;
use std::time::Duration;

use iroh::endpoint::{VarInt, presets};
use iroh::{Endpoint, EndpointAddr, SecretKey, TransportAddr};
use rapport_model::{Body, Clock, FixedClock, Kind};
use rapport_store::Store;
use rapport_sync::node::SYNC_ALPN;
use rapport_sync::ticket::PairingSecret;
use rapport_sync::{Node, NodeConfig, RelayChoice, SyncError, SyncEvent, device_id};
use tokio::time::timeout;

use super::{assert_same, person, put, state, t};

const LIMIT: Duration = Duration::from_secs(30);

struct Device {
    store: Arc<Store>,
    clock: Arc<FixedClock>,
    node: Node,
}

async fn device(name: &str) -> Device {
    let store = Arc::new(Store::in_memory());
    let clock = Arc::new(FixedClock::new(t(0)));
    let config = NodeConfig {
        name: Some(name.into()),
        bind: vec!["127.0.0.1:0".parse().unwrap()],
        relay: RelayChoice::Off,
        mdns: false,
    };
    let node = Node::start(
        store.clone(),
        clock.clone() as Arc<dyn Clock>,
        SecretKey::generate(),
        config,
    )
    .await
    .unwrap();
    Device { store, clock, node }
}

async fn paired(a_name: &str, b_name: &str) -> (Device, Device) {
    let a = device(a_name).await;
    let b = device(b_name).await;
    let ticket = a.node.invite(Duration::from_secs(300)).await.unwrap();
    timeout(LIMIT, b.node.join(&ticket)).await.unwrap().unwrap();
    (a, b)
}

fn device_names(s: &Store) -> Vec<String> {
    let mut names: Vec<String> = state(s)
        .values()
        .filter(|r| r.kind() == Kind::Device)
        .map(|r| r.body.display_name().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paired_devices_sync_over_loopback_and_know_each_other() {
    let a = device("laptop").await;
    let b = device("phone").await;
    put(&a.store, person("Ada Lovelace"));
    put(&b.store, person("Grace Hopper"));

    let ticket = a.node.invite(Duration::from_secs(300)).await.unwrap();
    // The ticket travels as text (or a QR code of it).
    let ticket = rapport_sync::Ticket::decode(&ticket.encode()).unwrap();
    let laptop = timeout(LIMIT, b.node.join(&ticket)).await.unwrap().unwrap();
    assert_eq!(laptop.body.display_name(), "laptop");

    let report = timeout(LIMIT, b.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap();
    // Two devices on one loopback reach each other directly; the session says so itself.
    assert_eq!(report.route, rapport_sync::Route::Direct);
    let stats = report.stats;
    assert!(
        stats.documents_received > 0 && stats.documents_sent > 0,
        "{stats:?}"
    );
    assert_same(&a.store, &b.store);
    assert_eq!(device_names(&a.store), ["laptop", "phone"]);

    // An edit on either side reaches the other on the next session, from either side.
    put(&a.store, person("Katherine Johnson"));
    timeout(LIMIT, a.node.sync_with(b.node.key()))
        .await
        .unwrap()
        .unwrap();
    assert_same(&a.store, &b.store);
    a.node.close().await;
    b.node.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_reports_documents_pending_then_synced() {
    let (a, b) = paired("laptop", "phone").await;
    let records: Vec<_> = (0..700).map(|i| person(&format!("Person {i}"))).collect();
    a.store.write_all(records).unwrap();
    let mut events = b.node.events();
    let stats = timeout(LIMIT, b.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap()
        .stats;
    let mut progress = Vec::new();
    loop {
        match timeout(LIMIT, events.recv()).await.unwrap().unwrap() {
            SyncEvent::Progress {
                device,
                pending,
                done,
                ..
            } => {
                assert_eq!(device, "laptop");
                progress.push((pending, done));
            }
            SyncEvent::Synced { route, .. } => {
                // Two devices on one loopback reach each other directly.
                assert_eq!(route, rapport_sync::Route::Direct);
                break;
            }
            _ => {}
        }
    }
    // Reported as soon as the documents are known to be coming (the 700 people, and the two
    // device records both sides wrote while pairing), and once more at the end.
    assert_eq!(stats.documents_received, 700, "{stats:?}");
    let (first, last) = (progress[0], progress[progress.len() - 1]);
    assert!(first.0 > 0 && first.0 + first.1 == 702, "{progress:?}");
    assert_eq!(last, (0, 702), "{progress:?}");
    assert_same(&a.store, &b.store);
    a.node.close().await;
    b.node.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_device_is_refused_before_any_data() {
    let a = device("laptop").await;
    put(&a.store, person("Ada Lovelace"));
    let stranger = device("stranger").await;
    // The stranger knows where the laptop is and its key, but was never paired.
    stranger
        .node
        .directory()
        .add(
            &a.node.key(),
            "laptop",
            &[a.node.addresses()[0].to_string()],
        )
        .unwrap();
    let mut events = a.node.events();
    let before = state(&stranger.store);
    let err = timeout(LIMIT, stranger.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, SyncError::Refused(_)), "{err}");
    assert!(err.to_string().contains("not paired"), "{err}");
    assert_eq!(state(&stranger.store), before, "nothing arrived");
    let refused = timeout(LIMIT, async {
        loop {
            if let Ok(SyncEvent::Refused { key, .. }) = events.recv().await {
                return key;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(refused, stranger.node.key().to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_device_is_refused_by_every_device() {
    let (a, b) = paired("laptop", "phone").await;
    let c = device("tablet").await;
    let ticket = a.node.invite(Duration::from_secs(300)).await.unwrap();
    timeout(LIMIT, c.node.join(&ticket)).await.unwrap().unwrap();
    timeout(LIMIT, c.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap();
    timeout(LIMIT, b.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap();

    // The laptop removes the phone; the removal reaches the tablet by sync.
    a.node.directory().revoke(device_id(&b.node.key())).unwrap();
    timeout(LIMIT, c.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap();
    for other in [&a, &c] {
        let err = timeout(LIMIT, b.node.sync_with(other.node.key()))
            .await
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("removed"), "{err}");
    }
    // Nor does anyone dial it.
    let err = a.node.sync_with(b.node.key()).await.unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    // Pairing again does not bring it back.
    let ticket = a.node.invite(Duration::from_secs(300)).await.unwrap();
    let err = timeout(LIMIT, b.node.join(&ticket))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_secrets_work_once_expire_and_must_match() {
    let a = device("laptop").await;
    let b = device("phone").await;
    let c = device("tablet").await;
    let ticket = a.node.invite(Duration::from_secs(300)).await.unwrap();
    timeout(LIMIT, b.node.join(&ticket)).await.unwrap().unwrap();

    // Replayed by another device: refused, and the tablet is not added.
    let err = timeout(LIMIT, c.node.join(&ticket))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("already used"), "{err}");
    assert!(a.node.directory().get(&c.node.key()).unwrap().is_none());

    // A wrong secret.
    let mut forged = a.node.invite(Duration::from_secs(300)).await.unwrap();
    forged.secret = PairingSecret::random();
    let err = timeout(LIMIT, c.node.join(&forged))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        err.to_string().contains("not one this device issued"),
        "{err}"
    );

    // Expired: the laptop's clock moved on past the five minutes (the tablet's did not).
    let late = a.node.invite(Duration::from_secs(300)).await.unwrap();
    a.clock.advance_millis(301_000);
    let err = timeout(LIMIT, c.node.join(&late))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    // And the joining side checks the expiry itself before dialing.
    c.clock.advance_millis(301_000);
    let err = c.node.join(&late).await.unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    assert!(a.node.directory().get(&c.node.key()).unwrap().is_none());
    assert_eq!(device_names(&a.store), ["laptop", "phone"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_garbage_frames_end_the_session_not_the_device() {
    let (a, b) = paired("laptop", "phone").await;
    put(&a.store, person("Ada Lovelace"));
    // A paired key that speaks nonsense: a raw endpoint with a key the laptop trusts.
    let rogue_key = SecretKey::generate();
    a.node
        .directory()
        .add(&rogue_key.public(), "rogue", &[])
        .unwrap();
    let rogue = Endpoint::builder(presets::Minimal)
        .secret_key(rogue_key)
        .relay_mode(iroh::RelayMode::Disabled)
        .bind_addr("127.0.0.1:0")
        .unwrap()
        .bind()
        .await
        .unwrap();
    let addr = EndpointAddr::from_parts(
        a.node.key(),
        a.node.addresses().into_iter().map(TransportAddr::Ip),
    );
    let before = state(&a.store);
    for frame in [
        vec![0xff, 0xff, 0xff, 0xff],    // 4 GiB announced
        vec![0, 0, 0, 5, 1, 2, 3, 4, 5], // not a message
        vec![0, 0, 0, 200, 9, 9],        // cut short
        vec![0, 0, 0, 3, 0, 1],          // a summary cut in the middle
    ] {
        let conn = timeout(LIMIT, rogue.connect(addr.clone(), SYNC_ALPN))
            .await
            .unwrap()
            .unwrap();
        let (mut send, mut recv) = conn.open_bi().await.unwrap();
        send.write_all(&frame).await.unwrap();
        send.finish().unwrap();
        // The laptop ends the session: the stream closes without a complete reply.
        let _ = timeout(LIMIT, recv.read_to_end(1 << 20)).await.unwrap();
        conn.close(VarInt::from_u32(0), b"bye");
    }
    assert_eq!(state(&a.store), before, "nothing was stored");
    // The laptop still serves its real devices.
    timeout(LIMIT, b.node.sync_with(a.node.key()))
        .await
        .unwrap()
        .unwrap();
    assert_same(&a.store, &b.store);
    rogue.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watching_pushes_each_change_while_connected() {
    let (a, b) = paired("laptop", "phone").await;
    let (stop_a, stopped_a) = tokio::sync::oneshot::channel::<()>();
    let (stop_b, stopped_b) = tokio::sync::oneshot::channel::<()>();
    let a = Arc::new(a);
    let b = Arc::new(b);
    let wa = {
        let a = a.clone();
        tokio::spawn(async move {
            a.node
                .watch(async {
                    let _ = stopped_a.await;
                })
                .await
        })
    };
    let wb = {
        let b = b.clone();
        tokio::spawn(async move {
            b.node
                .watch(async {
                    let _ = stopped_b.await;
                })
                .await
        })
    };
    // Edits on each side, while both watch: each arrives on the other without a manual sync.
    let ada = put(&a.store, person("Ada Lovelace"));
    let grace = put(&b.store, person("Grace Hopper"));
    timeout(LIMIT, async {
        loop {
            let both = a.store.get(grace).unwrap().is_some() && b.store.get(ada).unwrap().is_some();
            if both {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("changes pushed within the limit");
    let _ = stop_a.send(());
    let _ = stop_b.send(());
    timeout(LIMIT, wa).await.unwrap().unwrap().unwrap();
    timeout(LIMIT, wb).await.unwrap().unwrap().unwrap();
    for r in [&a.store, &b.store] {
        assert!(matches!(
            r.get(ada).unwrap().map(|r| r.body),
            Some(Body::Person(_))
        ));
    }
}
