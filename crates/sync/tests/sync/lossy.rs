//! Two real devices syncing through a bad network (issue #7, part 4). `tc netem` needs a
//! kernel module this machine does not have, so the bad network is a UDP relay in the test:
//! each device's recorded address for the other is a relay socket on loopback, and the relay
//! drops, delays, holds back and duplicates the QUIC datagrams it forwards. Its dice are
//! seeded: the n-th datagram through a relay meets the same fate on every run (which datagram
//! is the n-th still depends on timing).
//!
//! The laptop listens only on [::1] and the phone only on 127.0.0.1. iroh tells the other end
//! of a connection the addresses it listens on and hole-punches to them, so two devices on the
//! same loopback leave the relay right after the handshake; across address families only the
//! relays, which have a socket in each, connect them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iroh::endpoint::VarInt;
use iroh::{SecretKey, TransportAddr};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rapport_model::{Body, Clock, FixedClock, Prose, Record, RecordId};
use rapport_store::Store;
use rapport_sync::{Node, NodeConfig, RelayChoice, SyncEvent};
use tokio::net::UdpSocket;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinSet;
use tokio::time::timeout;

use super::{assert_same, person, put, state, t};

const LIMIT: Duration = Duration::from_secs(30);

/// What the relay does to each datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Weather {
    /// Forwarded at once.
    Clear = 0,
    /// 20% dropped; the rest 250–350 ms late, a share held back longer or sent twice.
    Stormy = 1,
    /// Nothing gets through: a partition.
    Cut = 2,
}

const DROP: f64 = 0.20;
const DELAY_MS: (u64, u64) = (250, 350);
/// Held back a further 100–200 ms: overtaken by the packets sent after it.
const HOLD_BACK: f64 = 0.10;
const HOLD_BACK_MS: (u64, u64) = (100, 200);
const DUPLICATE: f64 = 0.05;

/// The network between the two devices: both relays, in the same weather, counted together.
#[derive(Default)]
struct Network {
    weather: AtomicU8,
    stats: Stats,
}

impl Network {
    fn set(&self, w: Weather) {
        self.weather.store(w as u8, Ordering::SeqCst);
    }
    fn weather(&self) -> Weather {
        match self.weather.load(Ordering::SeqCst) {
            0 => Weather::Clear,
            1 => Weather::Stormy,
            _ => Weather::Cut,
        }
    }
    fn figures(&self) -> Figures {
        self.stats.figures()
    }
}

/// What the relays did, both directions together.
#[derive(Default, Debug)]
struct Stats {
    received: AtomicU64,
    forwarded: AtomicU64,
    dropped: AtomicU64,
    /// Lost to a partition (including packets in flight when it began).
    cut: AtomicU64,
    delayed: AtomicU64,
    held_back: AtomicU64,
    duplicated: AtomicU64,
    /// Delivered after a packet that arrived at the relay later than it.
    reordered: AtomicU64,
    bytes: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Figures {
    received: u64,
    forwarded: u64,
    dropped: u64,
    cut: u64,
    delayed: u64,
    held_back: u64,
    duplicated: u64,
    reordered: u64,
    bytes: u64,
}

impl Stats {
    fn figures(&self) -> Figures {
        let g = |a: &AtomicU64| a.load(Ordering::SeqCst);
        Figures {
            received: g(&self.received),
            forwarded: g(&self.forwarded),
            dropped: g(&self.dropped),
            cut: g(&self.cut),
            delayed: g(&self.delayed),
            held_back: g(&self.held_back),
            duplicated: g(&self.duplicated),
            reordered: g(&self.reordered),
            bytes: g(&self.bytes),
        }
    }
}

impl std::ops::Sub for Figures {
    type Output = Figures;
    fn sub(self, o: Figures) -> Figures {
        Figures {
            received: self.received - o.received,
            forwarded: self.forwarded - o.forwarded,
            dropped: self.dropped - o.dropped,
            cut: self.cut - o.cut,
            delayed: self.delayed - o.delayed,
            held_back: self.held_back - o.held_back,
            duplicated: self.duplicated - o.duplicated,
            reordered: self.reordered - o.reordered,
            bytes: self.bytes - o.bytes,
        }
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} packets in, {} forwarded ({} KiB), {} dropped at random, {} lost to the partition, \
             {} delayed, {} held back, {} duplicated, {} delivered out of order",
            self.received,
            self.forwarded,
            self.bytes / 1024,
            self.dropped,
            self.cut,
            self.delayed,
            self.held_back,
            self.duplicated,
            self.reordered
        )
    }
}

/// One direction through the relay: numbers packets as they arrive, to count the ones
/// delivered out of that order.
#[derive(Default)]
struct Lane {
    arrived: AtomicU64,
    latest_delivered: AtomicU64,
}

/// One relay's share of the network: its own seeded dice.
struct Shaper {
    net: Arc<Network>,
    rng: Mutex<StdRng>,
}

impl Shaper {
    /// When to deliver a datagram that just arrived: no times if it is dropped.
    fn fate(&self) -> Vec<Duration> {
        self.net.stats.received.fetch_add(1, Ordering::SeqCst);
        match self.net.weather() {
            Weather::Clear => vec![Duration::ZERO],
            Weather::Cut => {
                self.net.stats.cut.fetch_add(1, Ordering::SeqCst);
                vec![]
            }
            Weather::Stormy => {
                let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
                if rng.gen_bool(DROP) {
                    self.net.stats.dropped.fetch_add(1, Ordering::SeqCst);
                    return vec![];
                }
                let copies = if rng.gen_bool(DUPLICATE) {
                    self.net.stats.duplicated.fetch_add(1, Ordering::SeqCst);
                    2
                } else {
                    1
                };
                (0..copies)
                    .map(|_| {
                        let mut ms = rng.gen_range(DELAY_MS.0..=DELAY_MS.1);
                        if rng.gen_bool(HOLD_BACK) {
                            self.net.stats.held_back.fetch_add(1, Ordering::SeqCst);
                            ms += rng.gen_range(HOLD_BACK_MS.0..=HOLD_BACK_MS.1);
                        }
                        self.net.stats.delayed.fetch_add(1, Ordering::SeqCst);
                        Duration::from_millis(ms)
                    })
                    .collect()
            }
        }
    }

    /// Sends `datagram` from `socket` to `to`, as its fate says.
    async fn pass(
        self: &Arc<Self>,
        lane: &Arc<Lane>,
        datagram: &[u8],
        socket: &Arc<UdpSocket>,
        to: SocketAddr,
    ) {
        let seq = lane.arrived.fetch_add(1, Ordering::SeqCst) + 1;
        for delay in self.fate() {
            if delay.is_zero() {
                self.deliver(lane, seq, datagram, socket, to).await;
                continue;
            }
            let (me, lane, socket, datagram) = (
                self.clone(),
                lane.clone(),
                socket.clone(),
                datagram.to_vec(),
            );
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                // A partition that began meanwhile takes the packets still on the wire too.
                if me.net.weather() == Weather::Cut {
                    me.net.stats.cut.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                me.deliver(&lane, seq, &datagram, &socket, to).await;
            });
        }
    }

    async fn deliver(
        &self,
        lane: &Lane,
        seq: u64,
        datagram: &[u8],
        socket: &UdpSocket,
        to: SocketAddr,
    ) {
        if lane.latest_delivered.fetch_max(seq, Ordering::SeqCst) > seq {
            self.net.stats.reordered.fetch_add(1, Ordering::SeqCst);
        }
        if socket.send_to(datagram, to).await.is_ok() {
            self.net.stats.forwarded.fetch_add(1, Ordering::SeqCst);
            self.net
                .stats
                .bytes
                .fetch_add(datagram.len() as u64, Ordering::SeqCst);
        }
    }
}

/// A UDP relay in front of one device: whoever sends to `listen` reaches `target`, from a
/// socket of the relay's own (one per sender), and the answers come back the same way.
struct Relay {
    listen: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        // Ends the per-sender tasks too: they live in the main task's JoinSet.
        self.task.abort();
    }
}

impl Relay {
    async fn start(
        listen_on: &str,
        target: SocketAddr,
        upstream_on: &str,
        net: Arc<Network>,
        seed: u64,
    ) -> Relay {
        let listen = Arc::new(UdpSocket::bind(listen_on).await.unwrap());
        let listen_addr = listen.local_addr().unwrap();
        let upstream_on: SocketAddr = upstream_on.parse().unwrap();
        let shaper = Arc::new(Shaper {
            net,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        });
        let task = tokio::spawn(async move {
            let mut flows: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
            let mut answers = JoinSet::new();
            let onward = Arc::new(Lane::default());
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let Ok((n, sender)) = listen.recv_from(&mut buf).await else {
                    // Not expected on loopback; pause rather than spin if it happens.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                };
                let upstream = match flows.get(&sender) {
                    Some(u) => u.clone(),
                    None => {
                        let Ok(u) = UdpSocket::bind(upstream_on).await else {
                            continue;
                        };
                        let u = Arc::new(u);
                        answers.spawn(carry_back(
                            u.clone(),
                            listen.clone(),
                            sender,
                            target,
                            shaper.clone(),
                        ));
                        flows.insert(sender, u.clone());
                        u
                    }
                };
                shaper.pass(&onward, &buf[..n], &upstream, target).await;
            }
        });
        Relay {
            listen: listen_addr,
            task,
        }
    }
}

/// Forwards what `target` sends to the relay's socket for `sender` back to `sender`.
async fn carry_back(
    upstream: Arc<UdpSocket>,
    listen: Arc<UdpSocket>,
    sender: SocketAddr,
    target: SocketAddr,
    shaper: Arc<Shaper>,
) {
    let back = Arc::new(Lane::default());
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let Ok((n, from)) = upstream.recv_from(&mut buf).await else {
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        };
        if from == target {
            shaper.pass(&back, &buf[..n], &listen, sender).await;
        }
    }
}

struct Device {
    store: Arc<Store>,
    node: Node,
}

async fn device(name: &str, bind: &str) -> Device {
    let store = Arc::new(Store::in_memory());
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(t(0)));
    let config = NodeConfig {
        name: Some(name.into()),
        bind: vec![bind.parse().unwrap()],
        relay: RelayChoice::Off,
        mdns: false,
    };
    let node = Node::start(store.clone(), clock, SecretKey::generate(), config)
        .await
        .unwrap();
    Device { store, node }
}

/// Records each device's address for the other as the relay in front of that other device.
async fn route_through_relays(
    laptop: &Device,
    phone: &Device,
    to_laptop: &Relay,
    to_phone: &Relay,
) {
    let (laptop_at, phone_at) = (
        vec![to_laptop.listen.to_string()],
        vec![to_phone.listen.to_string()],
    );
    // Twice: both devices wrote the phone's record (and the laptop's) before they ever
    // synced, so the first merge keeps one of those versions whole, maybe not the one with
    // the relay. The second rewrite is made on the merged record, so it is the one that stays.
    for _ in 0..2 {
        let dir = laptop.node.directory();
        dir.add(&phone.node.key(), "phone", &phone_at).unwrap();
        let dir = phone.node.directory();
        dir.add(&laptop.node.key(), "laptop", &laptop_at).unwrap();
        timeout(LIMIT, phone.node.sync_with(laptop.node.key()))
            .await
            .unwrap()
            .unwrap();
    }
    let addresses = |d: &Device, key| d.node.directory().get(&key).unwrap().unwrap().addresses;
    assert_eq!(addresses(laptop, phone.node.key()), phone_at);
    assert_eq!(addresses(phone, laptop.node.key()), laptop_at);
}

/// What a device reported of its sessions, for the figures (a session ends "synced" on both
/// devices, so it counts twice).
#[derive(Default)]
struct Tally {
    synced: AtomicU64,
    failed: AtomicU64,
    disconnected: AtomicU64,
}

impl Tally {
    fn counts(&self) -> [u64; 3] {
        [&self.synced, &self.failed, &self.disconnected].map(|a| a.load(Ordering::SeqCst))
    }
}

fn tally(node: &Node, into: Arc<Tally>) -> tokio::task::JoinHandle<()> {
    let mut events = node.events();
    tokio::spawn(async move {
        loop {
            let counter = match events.recv().await {
                Ok(SyncEvent::Synced { .. }) => &into.synced,
                Ok(SyncEvent::Error { .. }) => &into.failed,
                Ok(SyncEvent::Disconnected { .. }) => &into.disconnected,
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            };
            counter.fetch_add(1, Ordering::SeqCst);
        }
    })
}

/// A write a device acknowledged (the call returned): both devices must end up with it.
#[derive(Debug)]
enum Acked {
    Created(RecordId, String),
    Role(RecordId, String),
    Location(RecordId, String),
    Deleted(RecordId),
}

fn holds(s: &Store, acked: &[Acked]) -> bool {
    let person = |id: &RecordId| match s.get(*id).unwrap() {
        Some(Record {
            body: Body::Person(p),
            ..
        }) => Some(p),
        _ => None,
    };
    acked.iter().all(|a| match a {
        Acked::Created(id, name) => s
            .get(*id)
            .unwrap()
            .is_some_and(|r| r.body.display_name() == name),
        Acked::Role(id, role) => person(id).is_some_and(|p| p.role.as_ref() == Some(role)),
        Acked::Location(id, at) => person(id).is_some_and(|p| p.location.as_ref() == Some(at)),
        Acked::Deleted(id) => s.get(*id).unwrap().is_some_and(|r| r.is_deleted()),
    })
}

/// Waits until both devices hold every acknowledged write and the very same records; returns
/// how long that took. Fails the test after `limit`.
async fn converge(a: &Device, b: &Device, acked: &[Acked], limit: Duration, leg: &str) -> Duration {
    let start = Instant::now();
    let done = timeout(limit, async {
        loop {
            if holds(&a.store, acked)
                && holds(&b.store, acked)
                && state(&a.store) == state(&b.store)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    if done.is_err() {
        let missing: Vec<&Acked> = acked
            .iter()
            .filter(|x| {
                !(holds(&a.store, std::slice::from_ref(x))
                    && holds(&b.store, std::slice::from_ref(x)))
            })
            .collect();
        panic!(
            "{leg}: the devices did not converge within {limit:?}; missing on one side: {missing:?}"
        );
    }
    start.elapsed()
}

fn edit_person(s: &Store, id: RecordId, f: impl FnOnce(&mut rapport_model::Person)) {
    s.write(id, |old| {
        let mut r = old.unwrap();
        if let Body::Person(p) = &mut r.body {
            f(p);
        }
        Ok::<_, Infallible>(r)
    })
    .unwrap()
    .unwrap();
}

fn delete(s: &Store, id: RecordId) {
    s.write(id, |old| {
        let mut r = old.unwrap();
        r.meta.deleted_at = Some(t(5));
        Ok::<_, Infallible>(r)
    })
    .unwrap()
    .unwrap();
}

/// A person with about `len` bytes of notes that do not compress away.
fn person_with_notes(name: &str, rng: &mut StdRng, len: usize) -> Record {
    let mut r = person(name);
    let words: Vec<String> = (0..len / 8)
        .map(|_| format!("{:07x}", rng.gen_range(0..0x0fff_ffffu32)))
        .collect();
    if let Body::Person(p) = &mut r.body {
        p.research_notes = Prose::from(words.join(" ").as_str());
    }
    r
}

const STORM_ROUNDS: usize = 12;
const PARTITION: Duration = Duration::from_secs(6);
const CUT_FOR: Duration = Duration::from_secs(5);
const BULK_RECORDS: usize = 60;
const BULK_NOTES: usize = 1500;
const CONVERGE_LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_network_devices_converge_through_loss_delay_reordering_and_partitions() {
    let began = Instant::now();
    let net = Arc::new(Network::default());
    // One device on IPv6 loopback, the other on IPv4 loopback, each with no other socket:
    // neither can reach the other directly, only through the relays, which bridge the two.
    let laptop = device("laptop", "[::1]:0").await;
    let phone = device("phone", "127.0.0.1:0").await;
    assert!(
        laptop.node.addresses().iter().all(|a| a.is_ipv6()),
        "{:?}",
        laptop.node.addresses()
    );
    assert!(
        phone.node.addresses().iter().all(|a| a.is_ipv4()),
        "{:?}",
        phone.node.addresses()
    );
    let to_laptop = Relay::start(
        "127.0.0.1:0",
        laptop.node.addresses()[0],
        "[::1]:0",
        net.clone(),
        0x5eed_0001,
    )
    .await;
    let to_phone = Relay::start(
        "[::1]:0",
        phone.node.addresses()[0],
        "127.0.0.1:0",
        net.clone(),
        0x5eed_0002,
    )
    .await;

    // Pairing and a first sync in clear weather, through the relays.
    let base: Vec<RecordId> = (0..40)
        .map(|i| put(&laptop.store, person(&format!("Base {i}"))))
        .collect();
    let mut ticket = laptop.node.invite(Duration::from_secs(300)).await.unwrap();
    ticket.addrs = vec![to_laptop.listen];
    timeout(LIMIT, phone.node.join(&ticket))
        .await
        .unwrap()
        .unwrap();
    route_through_relays(&laptop, &phone, &to_laptop, &to_phone).await;
    assert_same(&laptop.store, &phone.store);
    // And iroh found no way around them.
    let conn = timeout(LIMIT, phone.node.connect(laptop.node.key()))
        .await
        .unwrap()
        .unwrap();
    timeout(LIMIT, phone.node.sync_on(&conn))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    for path in conn.paths().iter() {
        let TransportAddr::Ip(to) = path.remote_addr() else {
            panic!("a path not over IP: {:?}", path.remote_addr());
        };
        assert!(
            !laptop.node.addresses().contains(to),
            "a direct path to the laptop: {to}"
        );
    }
    // Closed, and seen closed by the laptop, before the figures below start counting.
    let mut laptop_events = laptop.node.events();
    conn.close(VarInt::from_u32(0), b"done");
    timeout(LIMIT, async {
        loop {
            match laptop_events.recv().await {
                Ok(SyncEvent::Disconnected { .. }) => return,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => panic!("the laptop stopped"),
            }
        }
    })
    .await
    .expect("the laptop saw the connection close");
    let setup = net.figures();
    eprintln!("lossy: setup (clear weather: pairing and first sync): {setup}");
    assert!(setup.forwarded > 0);

    // Both devices keep each other in sync, as `rapport sync --watch` does.
    let laptop = Arc::new(laptop);
    let phone = Arc::new(phone);
    let tallies = [Arc::new(Tally::default()), Arc::new(Tally::default())];
    let counters = [
        tally(&laptop.node, tallies[0].clone()),
        tally(&phone.node, tallies[1].clone()),
    ];
    let sessions = || {
        let [a, b] = [tallies[0].counts(), tallies[1].counts()];
        [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
    };
    let mut stops = Vec::new();
    let mut watches = Vec::new();
    for d in [&laptop, &phone] {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let d = d.clone();
        stops.push(stop);
        watches.push(tokio::spawn(async move {
            d.node
                .watch(async {
                    let _ = stopped.await;
                })
                .await
        }));
    }
    let mut acked = Vec::new();

    // Leg 1: a storm. Both devices edit, new records and the same records (different fields),
    // while the relays drop a fifth of the packets and delay, reorder and duplicate the rest.
    let before = (net.figures(), sessions());
    net.set(Weather::Stormy);
    for (i, &id) in base.iter().enumerate().take(STORM_ROUNDS) {
        let name = format!("Laptop storm {i}");
        acked.push(Acked::Created(put(&laptop.store, person(&name)), name));
        let role = format!("Role {i}");
        edit_person(&laptop.store, id, |p| p.role = Some(role.clone()));
        acked.push(Acked::Role(id, role));
        let name = format!("Phone storm {i}");
        acked.push(Acked::Created(put(&phone.store, person(&name)), name));
        let city = format!("City {i}");
        edit_person(&phone.store, id, |p| p.location = Some(city.clone()));
        acked.push(Acked::Location(id, city));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let took = converge(&laptop, &phone, &acked, CONVERGE_LIMIT, "storm").await;
    let (f, s) = (net.figures() - before.0, sessions());
    eprintln!(
        "lossy: storm: {} writes on each device; converged {:.1} s after the last one; sync events on the two devices: {} synced, {} errors, {} disconnects; relays: {f}",
        STORM_ROUNDS * 2,
        took.as_secs_f64(),
        s[0] - before.1[0],
        s[1] - before.1[1],
        s[2] - before.1[2],
    );
    assert!(
        f.dropped > 0 && f.delayed > 0 && f.reordered > 0 && f.duplicated > 0,
        "{f}"
    );

    // Leg 2: a partition that heals. Both devices edit while nothing gets through, then the
    // (still stormy) network comes back.
    let before = (net.figures(), sessions());
    net.set(Weather::Cut);
    let cut_at = Instant::now();
    let mut unseen = Vec::new();
    for i in 0..5 {
        let name = format!("Laptop cut {i}");
        let id = put(&laptop.store, person(&name));
        unseen.push((id, &phone.store));
        acked.push(Acked::Created(id, name));
        let role = format!("Role {}", 100 + i);
        edit_person(&laptop.store, base[20 + i], |p| p.role = Some(role.clone()));
        acked.push(Acked::Role(base[20 + i], role));
        let name = format!("Phone cut {i}");
        let id = put(&phone.store, person(&name));
        unseen.push((id, &laptop.store));
        acked.push(Acked::Created(id, name));
        let city = format!("City {}", 100 + i);
        edit_person(&phone.store, base[20 + i], |p| {
            p.location = Some(city.clone())
        });
        acked.push(Acked::Location(base[20 + i], city));
    }
    delete(&laptop.store, base[30]);
    acked.push(Acked::Deleted(base[30]));
    tokio::time::sleep(PARTITION.saturating_sub(cut_at.elapsed())).await;
    for (id, other) in &unseen {
        assert!(
            other.get(*id).unwrap().is_none(),
            "a write crossed the partition"
        );
    }
    net.set(Weather::Stormy);
    let took = converge(&laptop, &phone, &acked, CONVERGE_LIMIT, "partition").await;
    let (f, s) = (net.figures() - before.0, sessions());
    eprintln!(
        "lossy: partition: {:.0} s cut, 11 writes on the laptop and 10 on the phone meanwhile; converged {:.1} s after it healed; sync events on the two devices: {} synced, {} errors, {} disconnects; relays: {f}",
        PARTITION.as_secs_f64(),
        took.as_secs_f64(),
        s[0] - before.1[0],
        s[1] - before.1[1],
        s[2] - before.1[2],
    );
    assert!(f.cut > 0, "{f}");

    // Leg 3: the network goes away in the middle of a larger transfer, then comes back.
    let before = (net.figures(), sessions());
    let mut rng = StdRng::seed_from_u64(7);
    let bulk: Vec<Record> = (0..BULK_RECORDS)
        .map(|i| person_with_notes(&format!("Bulk {i}"), &mut rng, BULK_NOTES))
        .collect();
    for r in &bulk {
        acked.push(Acked::Created(r.id(), r.body.display_name().to_string()));
    }
    let ids: Vec<RecordId> = bulk.iter().map(|r| r.id()).collect();
    laptop.store.write_all(bulk).unwrap();
    let bulk_bytes: u64 = ids
        .iter()
        .map(|id| laptop.store.document_bytes(*id).unwrap().unwrap().len() as u64)
        .sum();
    let started = Instant::now();
    timeout(CONVERGE_LIMIT, async {
        while (net.figures() - before.0).bytes < bulk_bytes * 2 / 5 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the transfer got under way");
    net.set(Weather::Cut);
    let stored_at_cut = ids
        .iter()
        .filter(|id| phone.store.get(**id).unwrap().is_some())
        .count();
    let cut_after = started.elapsed();
    assert!(
        stored_at_cut < ids.len(),
        "the transfer was over before the cut"
    );
    tokio::time::sleep(CUT_FOR).await;
    net.set(Weather::Stormy);
    let took = converge(&laptop, &phone, &acked, CONVERGE_LIMIT, "cut mid-transfer").await;
    let (f, s) = (net.figures() - before.0, sessions());
    eprintln!(
        "lossy: cut mid-transfer: {} records ({} KiB of documents), cut {:.1} s in with {} stored on the phone, {:.0} s cut; converged {:.1} s after it came back; sync events on the two devices: {} synced, {} errors, {} disconnects; relays: {f}",
        ids.len(),
        bulk_bytes / 1024,
        cut_after.as_secs_f64(),
        stored_at_cut,
        CUT_FOR.as_secs_f64(),
        took.as_secs_f64(),
        s[0] - before.1[0],
        s[1] - before.1[1],
        s[2] - before.1[2],
    );

    for stop in stops {
        let _ = stop.send(());
    }
    for w in watches {
        timeout(LIMIT, w).await.unwrap().unwrap().unwrap();
    }
    for c in counters {
        c.abort();
    }
    assert_same(&laptop.store, &phone.store);
    eprintln!(
        "lossy: {} records on each device, identical; whole test {:.1} s; relays overall: {}",
        state(&laptop.store).len(),
        began.elapsed().as_secs_f64(),
        net.figures()
    );
    for d in [laptop, phone] {
        let Ok(d) = Arc::try_unwrap(d) else {
            panic!("a watch still holds the device");
        };
        timeout(LIMIT, d.node.close()).await.unwrap();
    }
}
