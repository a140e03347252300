//! What the app runs behind its screens: sync with the vault's other devices, and reminders
//! (a meeting in the hour, a thank-you due). Both report through one event stream that the
//! Tauri shell turns into window events and notifications, and `rapport serve` into a stream
//! the browser reads.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rapport_model::{Body, MeetingStatus, Record, RecordId, Timestamp};
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::sync::PAIRING_TTL;
use crate::{ApiError, ErrorCode, Node, NodeConfig, Rapport, RelayChoice, Route, SyncEvent};

/// How often reminders are looked for.
const REMINDER_EVERY: Duration = Duration::from_secs(60);
/// A meeting this close is announced, with its prep brief.
const MEETING_SOON_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// A thank-you later than this is left to Today: a reminder is for what is due now.
const THANK_YOU_LATE_MS: i64 = 2 * DAY_MS;

/// Something the app reports while it runs.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppEvent {
    /// What the sync node reported (connected, synced, refused…).
    Sync(SyncEvent),
    /// A reminder to show (and, in the app, to notify).
    Reminder(Reminder),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// A meeting starts within the hour: time for the prep brief.
    MeetingSoon,
    /// A meeting was held and the thank-you is not sent yet.
    ThankYouDue,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The meeting it is about.
    pub record_id: RecordId,
    pub title: String,
    pub body: String,
    pub at: Timestamp,
}

/// One paired device, as this one last heard of it.
#[derive(Clone, Debug, Default, Serialize, TS)]
pub struct PeerStatus {
    pub device: String,
    pub key: String,
    pub seen: bool,
    pub connected: bool,
    pub last_synced: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Documents still to move in the session under way (none when idle).
    pub pending: Option<u64>,
    /// How the last session reached the device: directly or through a relay.
    pub route: Option<Route>,
    /// How long the last session took, in milliseconds.
    pub last_took_ms: Option<u64>,
}

/// Sync at a glance, for the devices screen.
#[derive(Clone, Debug, Default, Serialize, TS)]
pub struct SyncStatus {
    /// Whether this app runs sync at all (off in tests, or when it could not start).
    pub running: bool,
    pub key: Option<String>,
    pub addresses: Vec<String>,
    /// By device key.
    pub peers: BTreeMap<String, PeerStatus>,
    /// Why sync is not running, or the last failure not tied to a device.
    pub error: Option<String>,
}

impl SyncStatus {
    fn apply(&mut self, e: &SyncEvent) {
        fn peer<'a>(
            peers: &'a mut BTreeMap<String, PeerStatus>,
            key: &str,
            device: &str,
        ) -> &'a mut PeerStatus {
            let p = peers.entry(key.to_string()).or_default();
            p.key = key.to_string();
            p.device = device.to_string();
            p
        }
        let peers = &mut self.peers;
        match e {
            SyncEvent::Listening { key, addresses } => {
                self.key = Some(key.clone());
                self.addresses = addresses.clone();
            }
            SyncEvent::Seen { device, key } => peer(peers, key, device).seen = true,
            SyncEvent::Connected { device, key } | SyncEvent::Paired { device, key } => {
                let p = peer(peers, key, device);
                p.connected = true;
                p.last_error = None;
            }
            SyncEvent::Progress {
                device,
                key,
                pending,
                ..
            } => peer(peers, key, device).pending = Some(*pending).filter(|n| *n > 0),
            SyncEvent::Synced {
                device,
                key,
                at,
                route,
                took_ms,
                ..
            } => {
                let p = peer(peers, key, device);
                p.last_synced = Some(*at);
                p.route = Some(*route);
                p.last_took_ms = Some(*took_ms);
                p.last_error = None;
                p.pending = None;
            }
            SyncEvent::Disconnected { device, key } => peer(peers, key, device).connected = false,
            SyncEvent::Error {
                device: Some(d),
                reason,
            } => {
                for p in peers.values_mut().filter(|p| &p.device == d) {
                    p.last_error = Some(reason.clone());
                }
            }
            SyncEvent::Error {
                device: None,
                reason,
            }
            | SyncEvent::Refused { reason, .. } => self.error = Some(reason.clone()),
        }
    }
}

/// The parts of the app that run in the background; one per `Rapport`, shared by its clones.
#[derive(Default)]
pub(crate) struct Background {
    node: Mutex<Option<Arc<Node>>>,
    status: Arc<Mutex<SyncStatus>>,
    events: Mutex<Option<broadcast::Sender<AppEvent>>>,
    reminded: Mutex<HashSet<(RecordId, bool)>>,
}

/// How syncing with one device went (see [`Rapport::sync_now`]).
#[derive(Clone, Debug, Serialize, TS)]
pub struct SyncOutcome {
    pub device: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stats: Option<rapport_sync::SessionStats>,
    /// How the connection reached the device (after a sync that went through).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub route: Option<rapport_sync::Route>,
    /// How long the sync took, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub took_ms: Option<u64>,
}

/// A pairing code for another device: as text, and as a QR code to scan.
#[derive(Clone, Debug, Serialize, TS)]
pub struct PairingCode {
    pub ticket: String,
    pub qr_svg: String,
    pub expires_at: Timestamp,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The sync settings from the environment, as the `rapport` command reads them:
/// `RAPPORT_DEVICE_NAME`, `RAPPORT_BIND` (ip:port, comma-separated), `RAPPORT_RELAY`
/// (off, default, auto, or relay URLs; unset: auto, the vault's relays if the user set some),
/// `RAPPORT_MDNS` (on/off).
pub fn node_config_from_env() -> Result<NodeConfig, ApiError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let bind = match var("RAPPORT_BIND") {
        Some(list) => list
            .split(',')
            .map(|a| {
                a.trim().parse().map_err(|_| {
                    ApiError::validation("RAPPORT_BIND", format!("'{a}' is not an ip:port"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let relay = match var("RAPPORT_RELAY") {
        Some(r) => r
            .parse::<RelayChoice>()
            .map_err(|e| ApiError::validation("RAPPORT_RELAY", e))?,
        None => RelayChoice::Auto,
    };
    let mdns = match var("RAPPORT_MDNS").as_deref().map(str::trim) {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => {
            return Err(ApiError::validation(
                "RAPPORT_MDNS",
                format!("'{other}' is neither on nor off"),
            ));
        }
    };
    Ok(NodeConfig {
        name: var("RAPPORT_DEVICE_NAME"),
        bind,
        relay,
        mdns,
    })
}

impl Rapport {
    /// The app's events (sync, reminders) from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<AppEvent> {
        let mut events = locked(&self.background().events);
        events
            .get_or_insert_with(|| broadcast::channel(256).0)
            .subscribe()
    }

    fn emit(&self, e: AppEvent) {
        if let Some(tx) = locked(&self.background().events).as_ref() {
            let _ = tx.send(e);
        }
    }

    /// Starts syncing in the background: this device listens, keeps every paired device in
    /// sync while they are reachable, and reports through [`Rapport::subscribe`]. A failure to
    /// start is kept in the status (the app works the same without sync).
    pub async fn start_sync(&self, config: NodeConfig) -> Result<(), ApiError> {
        if locked(&self.background().node).is_some() {
            return Ok(());
        }
        let node = match self.start_node(config).await {
            Ok(n) => Arc::new(n),
            Err(e) => {
                let mut status = locked(&self.background().status);
                status.running = false;
                status.error = Some(e.message.clone());
                return Err(e);
            }
        };
        {
            let mut status = locked(&self.background().status);
            status.running = true;
            status.error = None;
            status.key = Some(node.key().to_string());
            status.addresses = node.addresses().iter().map(|a| a.to_string()).collect();
        }
        let mut events = node.events();
        let app = self.clone();
        tokio::spawn(async move {
            while let Ok(e) = events.recv().await {
                locked(&app.background().status).apply(&e);
                app.emit(AppEvent::Sync(e));
            }
        });
        let watcher = node.clone();
        tokio::spawn(async move {
            if let Err(e) = watcher.watch(std::future::pending()).await {
                tracing::warn!(error = %e, "background sync stopped");
            }
        });
        *locked(&self.background().node) = Some(node);
        Ok(())
    }

    /// Where sync stands.
    pub fn sync_status(&self) -> SyncStatus {
        let mut status = locked(&self.background().status).clone();
        if !status.running && status.error.is_none() {
            status.error = Some("sync is turned off in this window".into());
        }
        status
    }

    fn running_node(&self) -> Result<Arc<Node>, ApiError> {
        locked(&self.background().node).clone().ok_or_else(|| {
            let why = locked(&self.background().status)
                .error
                .clone()
                .unwrap_or_else(|| "it is turned off here".into());
            ApiError::new(
                ErrorCode::Network,
                format!("sync is not running ({why}): restart the app with sync on"),
            )
        })
    }

    /// A pairing code for another device (valid once, for 5 minutes).
    pub async fn pairing_code(&self) -> Result<PairingCode, ApiError> {
        let node = self.running_node()?;
        let ticket = node.invite(PAIRING_TTL).await?;
        Ok(PairingCode {
            ticket: ticket.encode(),
            qr_svg: ticket.qr_svg()?,
            expires_at: ticket.expires_at,
        })
    }

    /// Joins the device that showed `ticket`: both add each other, then they sync.
    pub async fn pair_with(&self, ticket: &str) -> Result<rapport_model::Record, ApiError> {
        let ticket = self.ticket_to_join(ticket)?;
        let node = self.running_node()?;
        let device = node.join(&ticket).await?;
        Ok(device)
    }

    /// Syncs with every paired device now; says, per device, how it went.
    pub async fn sync_now(&self) -> Result<Vec<SyncOutcome>, ApiError> {
        let node = self.running_node()?;
        Ok(node
            .sync_all()
            .await?
            .into_iter()
            .map(|(device, r)| match r {
                Ok(report) => SyncOutcome {
                    device,
                    ok: true,
                    error: None,
                    stats: Some(report.stats),
                    route: Some(report.route),
                    took_ms: Some(report.took_ms),
                },
                Err(e) => SyncOutcome {
                    device,
                    ok: false,
                    error: Some(e.to_string()),
                    stats: None,
                    route: None,
                    took_ms: None,
                },
            })
            .collect())
    }

    /// The reminders due at the clock's now: meetings starting within the hour, then the
    /// thank-yous of meetings that ended in the last three days (due 24 hours after, so on
    /// time or at most two days late); older ones wait on Today, not in a reminder. Read from
    /// the agenda index: what it costs follows what is due, not the size of the vault.
    pub async fn reminders(&self) -> Result<Vec<Reminder>, ApiError> {
        let store = self.store().clone();
        let now = self.clock().now();
        crate::api::blocking(move || due_now(&store, now)).await
    }

    /// Announces each reminder once, as it becomes due, for as long as the app runs.
    pub fn start_reminders(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REMINDER_EVERY);
            loop {
                every.tick().await;
                match app.reminders().await {
                    Ok(list) => {
                        app.announce(list);
                    }
                    Err(e) => {
                        tracing::warn!(code = ?e.code, "reminders: could not read the vault");
                    }
                }
            }
        });
    }

    /// Emits the reminders not announced yet; returns how many were new.
    pub fn announce(&self, reminders: Vec<Reminder>) -> usize {
        let mut new = 0;
        for r in reminders {
            let key = (r.record_id, r.kind == ReminderKind::ThankYouDue);
            if locked(&self.background().reminded).insert(key) {
                new += 1;
                self.emit(AppEvent::Reminder(r));
            }
        }
        new
    }
}

/// [`Rapport::reminders`], on the store.
fn due_now(store: &rapport_store::Store, now: Timestamp) -> Result<Vec<Reminder>, ApiError> {
    use rapport_model::workflow::agenda::Due as What;
    let later = |ms: i64| Timestamp::from_millis(now.as_millis() + ms);
    let read = |id: RecordId| -> Result<Option<Record>, ApiError> {
        Ok(store.get(id)?.filter(|r| !r.is_deleted()))
    };
    let mut out = Vec::new();
    for (_, id) in store.agenda(What::Meeting, Some(now), later(MEETING_SOON_MS), false)? {
        out.extend(read(id)?.and_then(|r| meeting_soon(&r, now)));
    }
    let thank_yous = store.agenda(
        What::ThankYou,
        Some(later(-THANK_YOU_LATE_MS)),
        // Due 24 hours after the meeting ends: every thank-you not sent yet is due by then.
        later(DAY_MS + 1),
        false,
    )?;
    for (due, id) in thank_yous {
        let Some(r) = read(id)? else { continue };
        let Body::Meeting(m) = &r.body else { continue };
        let name = match m.person_id.map(read).transpose()?.flatten() {
            Some(p) => p.body.display_name().to_string(),
            None => "them".to_string(),
        };
        out.push(Reminder {
            kind: ReminderKind::ThankYouDue,
            record_id: id,
            title: format!("Thank {name}"),
            body: if due < now {
                "The thank-you is overdue: a short, personal note still counts.".into()
            } else {
                "Send a short thank-you within 24 hours of the meeting.".into()
            },
            at: due,
        });
    }
    Ok(out)
}

/// The reminder for a meeting that starts within the hour and has not started, been held or
/// been cancelled.
fn meeting_soon(r: &Record, now: Timestamp) -> Option<Reminder> {
    let Body::Meeting(m) = &r.body else {
        return None;
    };
    let start = m.start?;
    let until = start.as_millis() - now.as_millis();
    let open = m.started_at.is_none()
        && !matches!(
            m.status,
            Some(MeetingStatus::Cancelled | MeetingStatus::Held)
        );
    (open && (0..=MEETING_SOON_MS).contains(&until)).then(|| Reminder {
        kind: ReminderKind::MeetingSoon,
        record_id: r.id(),
        title: format!("{} in {} min", m.title, until / 60_000),
        body: "Open the prep brief: agenda, your story, your questions.".into(),
        at: start,
    })
}
