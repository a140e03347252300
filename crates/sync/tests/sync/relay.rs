//! Two devices that cannot reach each other directly pair and sync through a real relay: the
//! relay server of iroh's own crate (`iroh-relay`, its `server` feature), plain HTTP on
//! 127.0.0.1. The laptop listens only on [::1] and the phone only on 127.0.0.1, so no packet
//! can go from one to the other except through the relay (each one's QUIC socket cannot send
//! to the other's address family). Nothing here uses a lookup service: where the relay is
//! comes from the ticket and then from the device records. Every wait is bounded.

use std::sync::Arc;
use std::time::Duration;

use iroh::{RelayUrl, SecretKey};
use iroh_relay::server::{RelayConfig, Server, ServerConfig};
use rapport_model::{Body, Clock, FixedClock};
use rapport_store::Store;
use rapport_sync::{Node, NodeConfig, RelayChoice, Route, SyncEvent, Ticket, device_id};
use tokio::time::timeout;

use super::{assert_same, person, put, t};

const LIMIT: Duration = Duration::from_secs(30);

async fn relay_server() -> (Server, RelayUrl) {
    let mut config = ServerConfig::default();
    config.relay = Some(RelayConfig::new(
        "127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let server = Server::spawn(config).await.unwrap();
    let url = format!("http://{}", server.http_addr().unwrap())
        .parse()
        .unwrap();
    (server, url)
}

struct Device {
    store: Arc<Store>,
    node: Node,
}

async fn device(name: &str, bind: &str, relay: RelayChoice) -> Device {
    let store = Arc::new(Store::in_memory());
    let clock = Arc::new(FixedClock::new(t(0)));
    let config = NodeConfig {
        name: Some(name.into()),
        bind: vec![bind.parse().unwrap()],
        relay,
        mdns: false,
    };
    let node = Node::start(
        store.clone(),
        clock as Arc<dyn Clock>,
        SecretKey::generate(),
        config,
    )
    .await
    .unwrap();
    Device { store, node }
}

/// The relays `store` keeps for the device with `key`.
fn relays_of(store: &Store, key: iroh::EndpointId) -> Vec<String> {
    match store.get(device_id(&key)).unwrap().map(|r| r.body) {
        Some(Body::Device(d)) => d.relays,
        other => panic!("no device record: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_with_no_route_between_them_pair_and_sync_through_the_users_relay() {
    let (server, url) = relay_server().await;
    let relay = RelayChoice::Custom(vec![url.clone()]);
    let laptop = device("laptop", "[::1]:0", relay.clone()).await;
    let phone = device("phone", "127.0.0.1:0", relay).await;
    for i in 0..200 {
        put(&laptop.store, person(&format!("Laptop person {i}")));
    }
    put(&phone.store, person("Written on the phone"));

    let ticket = laptop.node.invite(Duration::from_secs(300)).await.unwrap();
    assert_eq!(
        ticket.relays,
        vec![url.clone()],
        "the ticket names the relay"
    );
    let ticket = Ticket::decode(&ticket.encode()).unwrap();

    // Without the relay (a ticket as the first version wrote it), the phone cannot reach the
    // laptop at all: the test's network really has no direct route.
    let mut direct_only = ticket.clone();
    direct_only.relays.clear();
    let direct = timeout(Duration::from_secs(5), phone.node.join(&direct_only)).await;
    assert!(
        !matches!(direct, Ok(Ok(_))),
        "the phone reached the laptop without the relay"
    );

    // With it, pairing and a first sync go through the relay.
    let joined = timeout(LIMIT, phone.node.join(&ticket))
        .await
        .expect("pairing through the relay took too long")
        .expect("pairing through the relay");
    assert_eq!(joined.body.display_name(), "laptop");
    let first = timeout(LIMIT, phone.node.sync_with(laptop.node.key()))
        .await
        .expect("the first sync through the relay took too long")
        .expect("the first sync through the relay");
    assert_eq!(first.route, Route::Relay, "the devices have no direct path");
    assert!(first.stats.documents_received > 0, "{first:?}");
    assert_same(&laptop.store, &phone.store);

    // Each device keeps the other's relay, so either one dials the other by its record alone.
    assert_eq!(
        relays_of(&phone.store, laptop.node.key()),
        [url.to_string()]
    );
    assert_eq!(
        relays_of(&laptop.store, phone.node.key()),
        [url.to_string()]
    );
    put(&phone.store, person("Met at the conference"));
    let mut events = laptop.node.events();
    timeout(LIMIT, laptop.node.sync_with(phone.node.key()))
        .await
        .expect("the laptop's sync through the relay took too long")
        .expect("the laptop dials the phone through the relay");
    assert_same(&laptop.store, &phone.store);
    // What the devices screen shows: the session went through the relay, and how long it took.
    loop {
        match timeout(LIMIT, events.recv()).await.unwrap().unwrap() {
            SyncEvent::Synced { route, took_ms, .. } => {
                assert_eq!(route, Route::Relay);
                assert!(took_ms < 30_000, "{took_ms} ms");
                break;
            }
            _ => continue,
        }
    }

    laptop.node.close().await;
    phone.node.close().await;
    server.shutdown().await.unwrap();
}
