//! A device on the network: an iroh endpoint keyed by the device's key, that pairs with new
//! devices, syncs with paired ones and refuses everyone else before any data moves.
//!
//! Two protocols (ALPNs) share the endpoint: `rapport/sync/1`, open only to keys in the vault's
//! device list (checked right after the TLS handshake, and again before every session), and
//! `rapport/pair/1`, open to anyone but useful only with a pairing secret this device issued.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use iroh::endpoint::{
    AfterHandshakeOutcome, Connection, ConnectionError, EndpointHooks, RecvStream, SendStream,
    VarInt, presets,
};
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayMode, RelayUrl, SecretKey, TransportAddr};
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use rapport_model::{Body, Clock, Record, Timestamp};
use rapport_store::Store;
use serde::{Deserialize, Serialize};
use tokio::sync::{Semaphore, broadcast, watch};
use ts_rs::TS;

use crate::devices::{Directory, Refusal};
use crate::session::{Progress, SessionStats};
use crate::stream::{AfterSession, QUIET_LIMIT, read_frame, run_session};
use crate::ticket::{PairingSecret, Ticket};
use crate::{Result, SyncError};

pub const SYNC_ALPN: &[u8] = b"rapport/sync/1";
pub const PAIR_ALPN: &[u8] = b"rapport/pair/1";
/// Close code for a device that is not (or no longer) allowed to sync.
const REFUSED: u32 = 403;
/// The close code of a connection a newer one from the same device replaced.
const SUPERSEDED: u32 = 409;
/// A pairing message is a name, a few addresses and a secret.
const PAIR_FRAME_LIMIT: usize = 16 * 1024;
/// Connections served at once; more wait (a vault has a handful of devices).
const MAX_CONNECTIONS: usize = 16;
/// How long dialing a device may take.
const DIAL_LIMIT: Duration = Duration::from_secs(15);

/// Which relays help devices that cannot reach each other directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayChoice {
    /// Direct connections only (same network, or reachable addresses).
    Off,
    /// The public relays run by iroh's makers (they see only encrypted traffic).
    Default,
    /// Self-hosted iroh-relay servers.
    Custom(Vec<RelayUrl>),
    /// The vault's setting (the user's relays in the profile), else [`RelayChoice::Default`]:
    /// resolved by the app before the node starts; a node given it uses the default.
    Auto,
}

impl FromStr for RelayChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim() {
            "off" | "none" => Ok(RelayChoice::Off),
            "default" => Ok(RelayChoice::Default),
            "auto" => Ok(RelayChoice::Auto),
            list => list
                .split(',')
                .map(|u| {
                    u.trim().parse::<RelayUrl>().map_err(|_| {
                        format!("'{u}' is not a relay: use auto, off, default, or relay URLs such as https://relay.example.org")
                    })
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map(RelayChoice::Custom),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// This device's name in the other devices' lists [default: the name it already has, or
    /// the host name].
    pub name: Option<String>,
    /// Local addresses to listen on; empty: every interface, a port the system picks.
    pub bind: Vec<SocketAddr>,
    pub relay: RelayChoice,
    /// Find devices on the local network by multicast DNS (addresses only: keys are checked).
    pub mdns: bool,
}

/// What the node reports as it works: the app shows it, `rapport sync` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    Listening {
        key: String,
        addresses: Vec<String>,
    },
    /// A paired device announced itself on the local network.
    Seen {
        device: String,
        key: String,
    },
    Connected {
        device: String,
        key: String,
    },
    /// A session under way: documents still to move and moved so far (see
    /// [`crate::session::Progress`]). Reported when documents first become pending, then at
    /// most every 250 ms, and once more at the end.
    Progress {
        device: String,
        key: String,
        pending: u64,
        done: u64,
    },
    Synced {
        device: String,
        key: String,
        at: Timestamp,
        /// How the session's connection reached the device at its end.
        route: Route,
        /// How long the session took, in milliseconds.
        took_ms: u64,
        #[serde(flatten)]
        stats: SessionStats,
    },
    Paired {
        device: String,
        key: String,
    },
    /// A device this one refused (or that refused this one).
    Refused {
        key: String,
        reason: String,
    },
    Disconnected {
        device: String,
        key: String,
    },
    Error {
        device: Option<String>,
        reason: String,
    },
}

/// `addresses` in both pairing messages are hints: `ip:port`s and relay URLs (a relay URL among
/// them is how an older device, which keeps only the `ip:port`s, reads the same message).
/// How a connection reaches the other device: straight to one of its addresses, or through a
/// relay (when the devices share no network, or before a direct path is found).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Direct,
    Relay,
}

impl Route {
    /// The path the connection uses now (a relay until a direct one is chosen).
    pub fn of(conn: &Connection) -> Route {
        let paths = conn.paths();
        let relayed = paths
            .iter()
            .find(|p| p.is_selected())
            .is_none_or(|p| p.is_relay());
        if relayed { Route::Relay } else { Route::Direct }
    }
}

/// One finished session with a device: what moved, how the connection reached the device, and
/// how long the session took.
#[derive(Clone, Debug, Serialize)]
pub struct SessionReport {
    pub route: Route,
    pub took_ms: u64,
    #[serde(flatten)]
    pub stats: SessionStats,
}

#[derive(Serialize, Deserialize)]
struct PairRequest {
    secret: [u8; 16],
    name: String,
    addresses: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum PairReply {
    Welcome {
        name: String,
        addresses: Vec<String>,
    },
    Refused {
        reason: String,
    },
}

type SessionLock = Arc<tokio::sync::Mutex<()>>;

/// Who opened a session: this device, or the other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Direction {
    Opened,
    Accepted,
}

struct Shared {
    dir: Directory,
    name: String,
    events: broadcast::Sender<SyncEvent>,
    /// One session at a time with each device in each direction (opened here, opened there).
    /// Not one lock for both: two devices that each open a session at the same moment would
    /// each hold their own and wait for the other's.
    peer_locks: Mutex<HashMap<(EndpointId, Direction), SessionLock>>,
    connections: Semaphore,
    /// The connection each device has open to this one. A device runs one process at a time,
    /// so a new connection from it means the old one's process is gone (killed, say, before
    /// it could close): the old connection is closed at once rather than left to time out
    /// with its session holding that device's lock (about 30 s, after which the new session
    /// had failed too).
    accepted: Mutex<HashMap<EndpointId, Connection>>,
    /// The store's sequence number, updated by every durable write: what wakes the pushes.
    writes: watch::Receiver<u64>,
    /// The user's own relays (`--relay URL`): put in tickets and this device's record, so the
    /// other devices dial through them with no lookup service.
    relays: Vec<RelayUrl>,
}

impl Shared {
    fn relays_with(&self, endpoint: &Endpoint) -> Vec<RelayUrl> {
        let mut r = self.relays.clone();
        for home in endpoint.addr().relay_urls() {
            if !r.contains(home) {
                r.push(home.clone());
            }
        }
        r.truncate(rapport_model::MAX_DEVICE_RELAYS);
        r
    }

    fn emit(&self, e: SyncEvent) {
        tracing::debug!(?e, "sync");
        let _ = self.events.send(e);
    }

    fn peer_lock(&self, key: EndpointId, dir: Direction) -> SessionLock {
        let mut locks = self.peer_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry((key, dir)).or_default().clone()
    }

    fn device_name(&self, key: &EndpointId) -> String {
        match self.dir.get(key) {
            Ok(Some(d)) => d.name,
            _ => key.fmt_short().to_string(),
        }
    }

    /// Runs one session with `key` (one at a time per device) and reports it.
    async fn session(
        &self,
        conn: &Connection,
        dir: Direction,
        send: SendStream,
        recv: RecvStream,
        after: AfterSession,
    ) -> Result<SessionReport> {
        let key = conn.remote_id();
        let lock = self.peer_lock(key, dir);
        let _one_at_a_time = lock.lock().await;
        let started = std::time::Instant::now();
        let device = self.device_name(&key);
        let events = self.events.clone();
        let (name, key_text) = (device.clone(), key.to_string());
        let on_progress = move |p: Progress| {
            let e = SyncEvent::Progress {
                device: name.clone(),
                key: key_text.clone(),
                pending: p.pending,
                done: p.done,
            };
            tracing::debug!(?e, "sync");
            let _ = events.send(e);
        };
        match run_session(self.dir.store().clone(), send, recv, on_progress, after).await {
            Ok(stats) => {
                let report = SessionReport {
                    route: Route::of(conn),
                    took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    stats,
                };
                self.emit(SyncEvent::Synced {
                    device,
                    key: key.to_string(),
                    at: self.dir.now(),
                    route: report.route,
                    took_ms: report.took_ms,
                    stats: report.stats.clone(),
                });
                Ok(report)
            }
            Err(e) => {
                self.emit(SyncEvent::Error {
                    device: Some(device),
                    reason: e.to_string(),
                });
                Err(e)
            }
        }
    }
}

/// Refuses unpaired and removed devices on the sync protocol right after the TLS handshake,
/// when their key is proven and before a single byte of the vault moves.
struct Gate(Arc<Shared>);

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

impl EndpointHooks for Gate {
    async fn after_handshake<'a>(&'a self, conn: &'a Connection) -> AfterHandshakeOutcome {
        if conn.alpn() != SYNC_ALPN {
            return AfterHandshakeOutcome::Accept;
        }
        let key = conn.remote_id();
        let reason = match self.0.dir.check(&key) {
            Ok(Ok(_)) => return AfterHandshakeOutcome::Accept,
            Ok(Err(refusal)) => refusal.to_string(),
            Err(e) => format!("the device could not read its device list: {e}"),
        };
        self.0.emit(SyncEvent::Refused {
            key: key.to_string(),
            reason: reason.clone(),
        });
        AfterHandshakeOutcome::Reject {
            error_code: VarInt::from_u32(REFUSED),
            reason: reason.into_bytes(),
        }
    }
}

/// The reason a peer gave when it closed the connection on us, if it refused us.
fn refusal_in(e: &ConnectionError) -> Option<String> {
    match e {
        ConnectionError::ApplicationClosed(c) if c.error_code == VarInt::from_u32(REFUSED) => {
            Some(String::from_utf8_lossy(&c.reason).into_owned())
        }
        _ => None,
    }
}

const PORT: &str = "sync-port";

/// The machine's name, as a first name for this device.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "this device".into())
}

/// `addrs` (every interface when empty) with port 0 replaced by `port`.
fn with_port(addrs: &[SocketAddr], port: u16) -> Vec<SocketAddr> {
    let defaults = [
        SocketAddr::from(([0, 0, 0, 0], 0)),
        SocketAddr::from(([0u16; 8], 0)),
    ];
    let addrs = if addrs.is_empty() {
        &defaults[..]
    } else {
        addrs
    };
    addrs
        .iter()
        .map(|a| {
            let mut a = *a;
            if a.port() == 0 {
                a.set_port(port);
            }
            a
        })
        .collect()
}

async fn bind(
    config: &NodeConfig,
    key: SecretKey,
    shared: &Arc<Shared>,
    addrs: &[SocketAddr],
) -> Result<Endpoint> {
    let relay_mode = match &config.relay {
        RelayChoice::Off => RelayMode::Disabled,
        RelayChoice::Default | RelayChoice::Auto => RelayMode::Default,
        // A relay served over plain HTTP (`rapport relay`) has no QUIC endpoint for address
        // discovery: probing one anyway held the choice of a home relay, and with it every
        // dial through the relay, for the probes' 3 s timeout (pairing through the relay took
        // 4.1 s instead of 1.1 s in `relay_netns.rs`).
        RelayChoice::Custom(urls) => RelayMode::Custom(
            urls.iter()
                .map(|url| match url.scheme() {
                    "http" => iroh::RelayConfig::new(url.clone(), None),
                    _ => iroh::RelayConfig::from(url.clone()),
                })
                .collect(),
        ),
    };
    // With the public relays, devices also publish where they are under their key (iroh's
    // DNS service), so a device that moved to another network can still be dialed by key.
    // With the user's own relays nothing goes to iroh's makers: tickets and device records
    // carry the relay URLs instead. With relays off nothing leaves the local network.
    let builder = match config.relay {
        RelayChoice::Default | RelayChoice::Auto => Endpoint::builder(presets::N0),
        RelayChoice::Off | RelayChoice::Custom(_) => Endpoint::builder(presets::Minimal),
    };
    let mut builder = builder
        .secret_key(key)
        .alpns(vec![SYNC_ALPN.to_vec(), PAIR_ALPN.to_vec()])
        .relay_mode(relay_mode)
        .hooks(Gate(shared.clone()));
    // Addresses named here are the only ones listened on. Without this iroh keeps its
    // every-interface socket for the address family not named, so a device bound to
    // 127.0.0.1 also answered on [::]. The lossy-network tests rely on it too: a device bound
    // only to [::1] and one bound only to 127.0.0.1 cannot reach each other directly (iroh
    // would otherwise hole-punch past the test's relay), only through the relay.
    if !addrs.is_empty() {
        builder = builder.clear_ip_transports();
    }
    for addr in addrs {
        builder = builder
            .bind_addr(*addr)
            .map_err(|e| SyncError::Network(format!("cannot listen on {addr}: {e}")))?;
    }
    builder
        .bind()
        .await
        .map_err(|e| SyncError::Network(format!("cannot start networking: {e}")))
}

/// This device on the network. Its operations live on [`NodeHandle`], which background
/// tasks hold too.
pub struct Node {
    handle: NodeHandle,
    accept_task: tokio::task::JoinHandle<()>,
    mdns_task: Option<tokio::task::JoinHandle<()>>,
}

impl std::ops::Deref for Node {
    type Target = NodeHandle;
    fn deref(&self) -> &NodeHandle {
        &self.handle
    }
}

/// What can be done with a running node (cheap to clone).
#[derive(Clone)]
pub struct NodeHandle {
    endpoint: Endpoint,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("key", &self.handle.endpoint.id())
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Starts listening as `key`, and records this device (name, addresses) in the device list.
    pub async fn start(
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
        key: SecretKey,
        config: NodeConfig,
    ) -> Result<Node> {
        let (events, _) = broadcast::channel(256);
        let dir = Directory::new(store, clock);
        let name = match config.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => match dir.get(&key.public())? {
                Some(d) => d.name,
                None => host_name(),
            },
        };
        let (wrote, writes) = watch::channel(dir.store().write_seq()?);
        dir.store().on_write(move |seq| wrote.send(seq).is_ok())?;
        let shared = Arc::new(Shared {
            dir,
            name,
            events,
            peer_locks: Mutex::default(),
            accepted: Mutex::default(),
            connections: Semaphore::new(MAX_CONNECTIONS),
            writes,
            relays: match &config.relay {
                RelayChoice::Custom(urls) => urls.clone(),
                _ => Vec::new(),
            },
        });
        // The port this device listened on last time, so the addresses other devices keep
        // for it stay right across restarts; a busy port falls back to one the system picks.
        let remembered = shared
            .dir
            .store()
            .local(PORT)?
            .and_then(|b| <[u8; 2]>::try_from(b.as_slice()).ok())
            .map(u16::from_be_bytes);
        let wanted = match remembered {
            Some(port) => with_port(&config.bind, port),
            None => config.bind.clone(),
        };
        let endpoint = match bind(&config, key.clone(), &shared, &wanted).await {
            Ok(e) => e,
            Err(_) if remembered.is_some() => bind(&config, key, &shared, &config.bind).await?,
            Err(e) => return Err(e),
        };
        if let Some(port) = endpoint.bound_sockets().first().map(|a| a.port())
            && remembered != Some(port)
        {
            shared
                .dir
                .store()
                .set_local(PORT, Some(&port.to_be_bytes()))?;
        }

        let mdns_task = if config.mdns {
            let mdns = MdnsAddressLookup::builder()
                .service_name("rapport")
                .build(endpoint.id())
                .map_err(|e| SyncError::Network(format!("local discovery: {e}")))?;
            endpoint
                .address_lookup()
                .map_err(|e| SyncError::Network(format!("local discovery: {e}")))?
                .add(mdns.clone());
            Some(tokio::spawn(announce_seen(shared.clone(), mdns)))
        } else {
            None
        };

        let node = Node {
            accept_task: tokio::spawn(accept_loop(endpoint.clone(), shared.clone())),
            handle: NodeHandle { endpoint, shared },
            mdns_task,
        };
        let me = node.endpoint.id();
        let addresses = node.address_strings();
        let dir = node.shared.dir.clone();
        let name = node.shared.name.clone();
        let hints = node.hints();
        tokio::task::spawn_blocking(move || dir.add(&me, &name, &hints))
            .await
            .map_err(|e| SyncError::Store(e.to_string()))??;
        node.shared.emit(SyncEvent::Listening {
            key: me.to_string(),
            addresses,
        });
        Ok(node)
    }

    /// Keeps every paired device in sync until `stop` resolves: connects (retrying with
    /// backoff), syncs, then pushes each change made here as it happens. Changes made there
    /// arrive the same way, through their side's connection.
    pub async fn watch(&self, stop: impl std::future::Future<Output = ()>) -> Result<()> {
        let mut keepers: HashMap<EndpointId, tokio::task::JoinHandle<()>> = HashMap::new();
        let refresh = async {
            loop {
                let peers = self.peers().unwrap_or_default();
                keepers.retain(|k, task| {
                    let keep = peers.contains(k) && !task.is_finished();
                    if !keep {
                        task.abort();
                    }
                    keep
                });
                for key in peers {
                    keepers
                        .entry(key)
                        .or_insert_with(|| tokio::spawn(keep_in_sync(self.handle.clone(), key)));
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        };
        tokio::select! {
            _ = stop => {}
            _ = refresh => {}
        }
        for (_, t) in keepers {
            t.abort();
        }
        Ok(())
    }

    /// Stops listening and closes every connection.
    pub async fn close(self) {
        self.accept_task.abort();
        if let Some(t) = &self.mdns_task {
            t.abort();
        }
        self.handle.endpoint.close().await;
    }
}

impl NodeHandle {
    pub fn key(&self) -> EndpointId {
        self.endpoint.id()
    }

    /// The addresses this device listens on (what a ticket carries).
    pub fn addresses(&self) -> Vec<SocketAddr> {
        let mut a: Vec<SocketAddr> = self.endpoint.addr().ip_addrs().copied().collect();
        if a.is_empty() {
            a = self.endpoint.bound_sockets();
        }
        a
    }

    fn address_strings(&self) -> Vec<String> {
        self.addresses().iter().map(|a| a.to_string()).collect()
    }

    /// The relays this device can be reached through: the user's own, and the one iroh chose
    /// as its home among the public relays once it has one.
    pub fn relays(&self) -> Vec<RelayUrl> {
        self.shared.relays_with(&self.endpoint)
    }

    /// What another device keeps to dial this one: addresses, then relay URLs.
    fn hints(&self) -> Vec<String> {
        let mut h = self.address_strings();
        h.extend(self.relays().iter().map(|r| r.to_string()));
        h
    }

    pub fn events(&self) -> broadcast::Receiver<SyncEvent> {
        self.shared.events.subscribe()
    }

    pub fn directory(&self) -> &Directory {
        &self.shared.dir
    }

    /// Issues a pairing ticket valid for `ttl`, whose secret works once.
    pub async fn invite(&self, ttl: Duration) -> Result<Ticket> {
        let secret = PairingSecret::random();
        let expires_at = Timestamp::from_millis(
            self.shared.dir.now().as_millis() + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
        );
        let dir = self.shared.dir.clone();
        tokio::task::spawn_blocking(move || dir.invite(&secret, expires_at))
            .await
            .map_err(|e| SyncError::Store(e.to_string()))??;
        Ok(Ticket {
            key: self.key(),
            addrs: self.addresses(),
            relays: self.relays(),
            secret,
            expires_at,
        })
    }

    /// Joins the device that issued `ticket`: proves the secret to exactly that key, then both
    /// add each other. Returns the other device's record here.
    pub async fn join(&self, ticket: &Ticket) -> Result<Record> {
        if ticket.key == self.key() {
            return Err(SyncError::Pairing(
                "this ticket comes from this very device: use it on the other device".into(),
            ));
        }
        let now = self.shared.dir.now();
        if now > ticket.expires_at {
            return Err(SyncError::Pairing(format!(
                "the ticket expired at {}: start `rapport pair` again on the other device",
                ticket.expires_at
            )));
        }
        let addr = EndpointAddr::from_parts(
            ticket.key,
            ticket
                .addrs
                .iter()
                .copied()
                .map(TransportAddr::Ip)
                .chain(ticket.relays.iter().cloned().map(TransportAddr::Relay)),
        );
        // Through a relay, the first packets of a dial sent before this device is connected to
        // its own relay are lost, and QUIC sends them again only ~0.8 s later. Pairing happens
        // once, right after the process starts: wait for the relay first (bounded, so a relay
        // that cannot be reached costs at most this, and direct addresses are tried then).
        // Pairing plus a first sync of 1,000 people through the relay: 1.9 s before, 1.2 s after.
        if !ticket.relays.is_empty() && !self.relays().is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(2), self.endpoint.online()).await;
        }
        let conn = self.dial(addr, PAIR_ALPN).await?;
        let (mut send, mut recv) = conn
            .open_bi()
            .await
            .map_err(|e| SyncError::Network(format!("pairing: {e}")))?;
        let request = pairing_request(&ticket.secret, &self.shared.name, &self.hints());
        write_frame(&mut send, &request).await?;
        let _ = send.finish();
        let body = read_frame(&mut recv, PAIR_FRAME_LIMIT)
            .await?
            .ok_or_else(|| SyncError::Pairing("the other device hung up".into()))?;
        let reply: PairReply = postcard::from_bytes(&body)
            .map_err(|_| SyncError::Malformed("a pairing reply".into()))?;
        conn.close(VarInt::from_u32(0), b"paired");
        match reply {
            PairReply::Refused { reason } => Err(SyncError::Pairing(reason)),
            PairReply::Welcome { name, addresses } => {
                let dir = self.shared.dir.clone();
                let key = ticket.key;
                let record = tokio::task::spawn_blocking(move || dir.add(&key, &name, &addresses))
                    .await
                    .map_err(|e| SyncError::Store(e.to_string()))??;
                self.shared.emit(SyncEvent::Paired {
                    device: record.body.display_name().to_string(),
                    key: key.to_string(),
                });
                Ok(record)
            }
        }
    }

    async fn dial(&self, addr: EndpointAddr, alpn: &[u8]) -> Result<Connection> {
        let key = addr.id;
        match tokio::time::timeout(DIAL_LIMIT, self.endpoint.connect(addr, alpn)).await {
            Err(_) => Err(SyncError::Network(format!(
                "could not reach {} within {} s: is it on, and is `rapport sync --watch` (or the app) running there?",
                self.shared.device_name(&key),
                DIAL_LIMIT.as_secs()
            ))),
            Ok(Err(e)) => Err(SyncError::Network(format!(
                "could not connect to {}: {e}",
                self.shared.device_name(&key)
            ))),
            Ok(Ok(conn)) => Ok(conn),
        }
    }

    /// Where to find a paired device: the addresses and relays it last reported (local
    /// discovery and, with the public relays, iroh's lookup service add theirs).
    fn addr_of(&self, key: EndpointId) -> Result<EndpointAddr> {
        let device = match self.shared.dir.check(&key)? {
            Ok(d) => d,
            Err(refusal) => return Err(SyncError::Refused(refusal_for_peer(&refusal))),
        };
        let ips = device
            .addresses
            .iter()
            .filter_map(|a| a.parse().ok())
            .map(TransportAddr::Ip);
        let relays = device
            .relays
            .iter()
            .filter_map(|r| r.parse::<RelayUrl>().ok())
            .map(TransportAddr::Relay);
        Ok(EndpointAddr::from_parts(key, ips.chain(relays)))
    }

    /// Connects to a paired device on the sync protocol.
    pub async fn connect(&self, key: EndpointId) -> Result<Connection> {
        let addr = self.addr_of(key)?;
        let conn = self.dial(addr, SYNC_ALPN).await?;
        self.shared.emit(SyncEvent::Connected {
            device: self.shared.device_name(&key),
            key: key.to_string(),
        });
        Ok(conn)
    }

    /// Runs one session on a connection this device opened and keeps open.
    pub async fn sync_on(&self, conn: &Connection) -> Result<SessionReport> {
        self.session_on(conn, AfterSession::KeepOpen).await
    }

    async fn session_on(&self, conn: &Connection, after: AfterSession) -> Result<SessionReport> {
        let key = conn.remote_id();
        let (send, recv) = match conn.open_bi().await {
            Ok(s) => s,
            Err(e) => {
                let err = match refusal_in(&e) {
                    Some(reason) => SyncError::Refused(format!(
                        "{} refused this device: {reason}",
                        self.shared.device_name(&key)
                    )),
                    None => SyncError::Network(format!("the connection closed: {e}")),
                };
                self.shared.emit(SyncEvent::Error {
                    device: Some(self.shared.device_name(&key)),
                    reason: err.to_string(),
                });
                return Err(err);
            }
        };
        self.shared
            .session(conn, Direction::Opened, send, recv, after)
            .await
            .map_err(
                |e| match conn.close_reason().as_ref().and_then(refusal_in) {
                    Some(reason) => SyncError::Refused(format!(
                        "{} refused this device: {reason}",
                        self.shared.device_name(&key)
                    )),
                    None => e,
                },
            )
    }

    /// Connects to a paired device and syncs once.
    pub async fn sync_with(&self, key: EndpointId) -> Result<SessionReport> {
        let conn = self.connect(key).await?;
        let out = self.session_on(&conn, AfterSession::Close).await;
        conn.close(VarInt::from_u32(0), b"done");
        out
    }

    /// The other devices of the vault that may sync.
    pub fn peers(&self) -> Result<Vec<EndpointId>> {
        let me = self.key();
        Ok(self
            .shared
            .dir
            .list()?
            .into_iter()
            .filter_map(|r| match r.body {
                Body::Device(d) if d.revoked_at.is_none() => EndpointId::from_str(&d.key).ok(),
                _ => None,
            })
            .filter(|k| *k != me)
            .collect())
    }

    /// Syncs once with every other paired device; returns each device's outcome.
    pub async fn sync_all(&self) -> Result<Vec<(String, Result<SessionReport>)>> {
        // Every device at once: one that is off costs its dial timeout (15 s) once, not once
        // before each device after it in the list.
        let runs = self.peers()?.into_iter().map(|key| async move {
            let res = self.sync_with(key).await;
            (self.shared.device_name(&key), res)
        });
        Ok(futures_util::future::join_all(runs).await)
    }
}

fn refusal_for_peer(r: &Refusal) -> String {
    match r {
        Refusal::Unknown => "that device is not in this vault's device list".into(),
        Refusal::Revoked(at) => format!("that device was removed from the vault on {at}"),
    }
}

/// Keeps one device in sync while `watch` runs.
async fn keep_in_sync(node: NodeHandle, key: EndpointId) {
    let mut backoff = Duration::from_secs(1);
    let its_key = key.to_string();
    loop {
        // A dial to a device that is not up yet is answered only when QUIC sends its first
        // packets again, about 1 s later. If the device connects here meanwhile, it is up now:
        // dial again at once. (In `relay_netns.rs`'s ping-pong, the first edit from the device
        // that started first took 0.75 s to reach the other before this.)
        let mut events = node.shared.events.subscribe();
        let dialed = tokio::select! {
            r = node.connect(key) => r,
            () = connected_here(&mut events, &its_key) => node.connect(key).await,
        };
        match dialed {
            Ok(conn) => {
                backoff = Duration::from_secs(1);
                let mut writes = node.shared.writes.clone();
                let mut synced_at: Option<u64> = None;
                loop {
                    let seq = *writes.borrow_and_update();
                    if synced_at != Some(seq) {
                        if node.sync_on(&conn).await.is_err() {
                            break;
                        }
                        synced_at = Some(seq);
                    }
                    // Woken by the next write here (pushed at once); changes made there come
                    // through that device's own connection.
                    tokio::select! {
                        _ = conn.closed() => break,
                        changed = writes.changed() => if changed.is_err() { break },
                    }
                }
                node.shared.emit(SyncEvent::Disconnected {
                    device: node.shared.device_name(&key),
                    key: key.to_string(),
                });
            }
            Err(e) => node.shared.emit(SyncEvent::Error {
                device: Some(node.shared.device_name(&key)),
                reason: e.to_string(),
            }),
        }
        if !matches!(node.shared.dir.check(&key), Ok(Ok(_))) {
            return;
        }
        // The wait before dialing again ends early, too, when the device connects here.
        let mut events = node.shared.events.subscribe();
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = connected_here(&mut events, &its_key) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Returns when the device with `key` connects to this one (or when events were missed, which
/// may have held that).
async fn connected_here(events: &mut broadcast::Receiver<SyncEvent>, key: &str) {
    loop {
        match events.recv().await {
            Ok(SyncEvent::Connected { key: k, .. }) if k == key => return,
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            Ok(_) => {}
        }
    }
}

async fn accept_loop(endpoint: Endpoint, shared: Arc<Shared>) {
    while let Some(incoming) = endpoint.accept().await {
        let Ok(permit) = shared.connections.try_acquire() else {
            incoming.refuse();
            continue;
        };
        permit.forget();
        let shared = shared.clone();
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            if let Ok(conn) = incoming.await {
                if conn.alpn() == SYNC_ALPN {
                    serve_sync(&shared, conn).await;
                } else if conn.alpn() == PAIR_ALPN {
                    serve_pairing(&shared, &endpoint, conn).await;
                }
            }
            shared.connections.add_permits(1);
        });
    }
}

/// Serves sessions a paired device opens, one per stream, until it disconnects.
async fn serve_sync(shared: &Shared, conn: Connection) {
    let key = conn.remote_id();
    let superseded = shared
        .accepted
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, conn.clone());
    if let Some(old) = superseded {
        old.close(
            VarInt::from_u32(SUPERSEDED),
            b"a newer connection from this device",
        );
    }
    shared.emit(SyncEvent::Connected {
        device: shared.device_name(&key),
        key: key.to_string(),
    });
    while let Ok((send, recv)) = conn.accept_bi().await {
        // A removal that arrived since the connection opened takes effect now.
        if let Ok(Err(refusal)) = shared.dir.check(&key) {
            conn.close(VarInt::from_u32(REFUSED), refusal.to_string().as_bytes());
            break;
        }
        let _ = shared
            .session(
                &conn,
                Direction::Accepted,
                send,
                recv,
                AfterSession::KeepOpen,
            )
            .await;
    }
    {
        let mut accepted = shared.accepted.lock().unwrap_or_else(|p| p.into_inner());
        if accepted
            .get(&key)
            .is_some_and(|c| c.stable_id() == conn.stable_id())
        {
            accepted.remove(&key);
        }
    }
    shared.emit(SyncEvent::Disconnected {
        device: shared.device_name(&key),
        key: key.to_string(),
    });
}

const NOT_UNDERSTOOD: &str = "the pairing request was not understood";

/// What a joining device's pairing request (`body`, the one frame it sends, from device `key`)
/// gets: its device record, added, if it carries a secret this device issued, unused and
/// unexpired; otherwise why not. Public for the fuzz target (`fuzz/`): the body comes straight
/// from the network.
pub fn answer_pairing_request(dir: &Directory, key: &EndpointId, body: &[u8]) -> Result<Record> {
    let req: PairRequest =
        postcard::from_bytes(body).map_err(|_| SyncError::Pairing(NOT_UNDERSTOOD.into()))?;
    dir.redeem(&PairingSecret(req.secret))?;
    dir.add(key, &req.name, &req.addresses)
}

/// A pairing request as the joining device sends it (tests and the fuzz corpus).
pub fn pairing_request(secret: &PairingSecret, name: &str, addresses: &[String]) -> Vec<u8> {
    postcard::to_stdvec(&PairRequest {
        secret: secret.0,
        name: name.into(),
        addresses: addresses.to_vec(),
    })
    .unwrap_or_default()
}

/// Checks a joining device's secret; on success adds it and says who this device is.
async fn serve_pairing(shared: &Shared, endpoint: &Endpoint, conn: Connection) {
    let key = conn.remote_id();
    let Ok(Ok((mut send, mut recv))) = tokio::time::timeout(QUIET_LIMIT, conn.accept_bi()).await
    else {
        return;
    };
    let reply = match read_frame(&mut recv, PAIR_FRAME_LIMIT).await {
        Ok(Some(body)) => {
            let dir = shared.dir.clone();
            let outcome =
                tokio::task::spawn_blocking(move || answer_pairing_request(&dir, &key, &body))
                    .await;
            match outcome {
                Ok(Ok(record)) => {
                    shared.emit(SyncEvent::Paired {
                        device: record.body.display_name().to_string(),
                        key: key.to_string(),
                    });
                    PairReply::Welcome {
                        name: shared.name.clone(),
                        addresses: endpoint
                            .addr()
                            .ip_addrs()
                            .map(|a| a.to_string())
                            .chain(shared.relays_with(endpoint).iter().map(|r| r.to_string()))
                            .collect(),
                    }
                }
                Ok(Err(e)) => {
                    let reason = match e {
                        SyncError::Pairing(r) | SyncError::Refused(r) => r,
                        other => other.to_string(),
                    };
                    shared.emit(SyncEvent::Refused {
                        key: key.to_string(),
                        reason: reason.clone(),
                    });
                    PairReply::Refused { reason }
                }
                Err(e) => PairReply::Refused {
                    reason: e.to_string(),
                },
            }
        }
        _ => PairReply::Refused {
            reason: NOT_UNDERSTOOD.into(),
        },
    };
    let _ = write_frame(&mut send, &postcard::to_stdvec(&reply).unwrap_or_default()).await;
    let _ = send.finish();
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
}

async fn write_frame(send: &mut SendStream, body: &[u8]) -> Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| SyncError::TooLarge(body.len()))?;
    let mut frame = len.to_be_bytes().to_vec();
    frame.extend_from_slice(body);
    send.write_all(&frame)
        .await
        .map_err(|e| SyncError::Network(format!("sending to the other device: {e}")))
}

/// Reports paired devices that local discovery finds.
async fn announce_seen(shared: Arc<Shared>, mdns: MdnsAddressLookup) {
    let mut events = mdns.subscribe().await;
    while let Some(ev) = events.next().await {
        if let DiscoveryEvent::Discovered { endpoint_info, .. } = ev {
            let key = endpoint_info.endpoint_id;
            if matches!(shared.dir.check(&key), Ok(Ok(_))) {
                shared.emit(SyncEvent::Seen {
                    device: shared.device_name(&key),
                    key: key.to_string(),
                });
            }
        }
    }
}
