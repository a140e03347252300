//! `rapport pair`, `rapport devices` and `rapport sync`: this vault on the user's other devices.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use rapport_core::model::{Body, Record};
use rapport_core::sync::PAIRING_TTL;
use rapport_core::{ApiError, ErrorCode, Node, NodeConfig, Rapport, RelayChoice, SyncEvent};

use crate::output::print_json;

#[derive(Args, Debug)]
pub struct NetArgs {
    /// This device's name in the other devices' lists [default: the host name]
    #[arg(long, env = "RAPPORT_DEVICE_NAME")]
    name: Option<String>,
    /// Where to listen (ip:port; several separated by commas) [default: every interface, a free port]
    #[arg(long, env = "RAPPORT_BIND", value_delimiter = ',')]
    bind: Vec<SocketAddr>,
    /// Relays for devices on different networks: auto (the vault's relays if you set some with
    /// `profile set --relay`, else iroh's public ones), off, default (iroh's public relays,
    /// which see only encrypted traffic) or the URLs of your own iroh-relay servers.
    #[arg(long, env = "RAPPORT_RELAY", default_value = "auto")]
    relay: String,
    /// Find the vault's devices on the local network by multicast DNS: on or off.
    #[arg(long, env = "RAPPORT_MDNS", default_value = "on")]
    mdns: String,
}

impl NetArgs {
    pub(crate) fn config(&self) -> Result<NodeConfig, ApiError> {
        let relay = self
            .relay
            .parse::<RelayChoice>()
            .map_err(|e| ApiError::validation("relay", e))?;
        if self.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            return Err(ApiError::validation(
                "name",
                "a device name cannot be empty",
            ));
        }
        Ok(NodeConfig {
            name: self.name.clone(),
            bind: self.bind.clone(),
            relay,
            mdns: match self.mdns.trim() {
                "on" | "yes" | "true" | "1" => true,
                "off" | "no" | "false" | "0" => false,
                other => {
                    return Err(ApiError::validation(
                        "mdns",
                        format!("'{other}' is neither on nor off"),
                    ));
                }
            },
        })
    }
}

#[derive(Args, Debug)]
pub struct PairArgs {
    /// Join the device that printed this ticket (otherwise: print a ticket for another device).
    #[arg(long, value_name = "TICKET")]
    join: Option<String>,
    /// Also write the ticket's QR code as an SVG file.
    #[arg(long, value_name = "PATH")]
    qr_svg: Option<PathBuf>,
    #[command(flatten)]
    net: NetArgs,
}

#[derive(Subcommand, Debug)]
pub enum DevicesCommand {
    /// Remove a device (by id or name): every device of the vault refuses it from then on.
    Remove { device: String },
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Keep running: stay connected and push every change as it happens (Ctrl-C stops).
    #[arg(long)]
    watch: bool,
    #[command(flatten)]
    net: NetArgs,
}

pub async fn pair(app: Rapport, a: PairArgs, json: bool) -> Result<(), ApiError> {
    let config = a.net.config()?;
    match a.join {
        Some(text) => join(app, &text, config, json).await,
        None => invite(app, config, a.qr_svg, json).await,
    }
}

async fn invite(
    app: Rapport,
    config: NodeConfig,
    qr_svg: Option<PathBuf>,
    json: bool,
) -> Result<(), ApiError> {
    let node = app.start_node(config).await?;
    let mut events = node.events();
    let ticket = node.invite(PAIRING_TTL).await?;
    let text = ticket.encode();
    if let Some(path) = &qr_svg {
        std::fs::write(path, ticket.qr_svg()?)
            .map_err(|e| ApiError::new(ErrorCode::Storage, format!("{}: {e}", path.display())))?;
    }
    if json {
        say!(
            "{}",
            serde_json::json!({"ticket": text, "expires_at": ticket.expires_at, "key": node.key().to_string()})
        );
    } else {
        say!("{}", ticket.qr_text()?);
        say!("On the other device, scan the code or run:");
        say!("  rapport pair --join {text}");
        say!(
            "The code works once, until {} (5 minutes). Waiting…",
            ticket.expires_at
        );
    }
    // Wait for the other device to join, then for its first sync (it starts one right away).
    let waited = tokio::time::timeout(PAIRING_TTL + Duration::from_secs(60), async {
        let mut joined: Option<(String, String)> = None;
        loop {
            match events.recv().await {
                Ok(SyncEvent::Paired { device, key }) => joined = Some((device, key)),
                Ok(SyncEvent::Synced { key, .. })
                    if joined.as_ref().is_some_and(|(_, k)| *k == key) =>
                {
                    return joined;
                }
                Ok(SyncEvent::Refused { reason, .. }) if !json => {
                    eprintln!("refused a device: {}", crate::printable(&reason));
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return joined,
                _ => {}
            }
        }
    })
    .await;
    node.close().await;
    match waited {
        Ok(Some((device, _))) => {
            if !json {
                say!("Paired with {device}, and synced.");
            }
            Ok(())
        }
        _ => Err(ApiError::new(
            ErrorCode::Refused,
            "no device joined before the code expired: run `rapport pair` again",
        )),
    }
}

async fn join(app: Rapport, text: &str, config: NodeConfig, json: bool) -> Result<(), ApiError> {
    let ticket = app.ticket_to_join(text)?;
    let node = app.start_node(config).await?;
    let outcome = async {
        let other = node.join(&ticket).await?;
        let session = node.sync_with(ticket.key).await?;
        Ok::<_, ApiError>((other, session))
    }
    .await;
    node.close().await;
    let (other, session) = outcome?;
    if json {
        print_json(&serde_json::json!({"paired_with": other, "sync": session}))
    } else {
        say!(
            "Paired with {}, and synced {} in {} ms: {} records changed here, {} sent.",
            other.body.display_name(),
            route_words(session.route),
            session.took_ms,
            session.stats.documents_changed,
            session.stats.documents_sent
        );
        Ok(())
    }
}

pub async fn devices(
    app: Rapport,
    cmd: Option<DevicesCommand>,
    json: bool,
) -> Result<(), ApiError> {
    match cmd {
        None => {
            let me = app.device_key().await?;
            let list = app.devices().await?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                say!(
                    "No devices yet. Run `rapport pair` here and `rapport pair --join TICKET` on the other device."
                );
            }
            for r in &list {
                say!("{}", device_line(r, me.as_deref()));
            }
            Ok(())
        }
        Some(DevicesCommand::Remove { device }) => {
            let list = app.devices().await?;
            let found: Vec<&Record> = list
                .iter()
                .filter(|r| {
                    r.id().to_string() == device
                        || r.body.display_name().eq_ignore_ascii_case(&device)
                })
                .collect();
            let target = match found.as_slice() {
                [one] => one.id(),
                [] => {
                    return Err(ApiError::new(
                        ErrorCode::NotFound,
                        format!("there is no device '{device}': `rapport devices` lists them"),
                    ));
                }
                _ => {
                    return Err(ApiError::validation(
                        "device",
                        format!("several devices are called '{device}': use the id"),
                    ));
                }
            };
            let r = app.remove_device(target).await?;
            if json {
                return print_json(&r);
            }
            say!(
                "Removed {}: every device of the vault refuses it once they have synced.",
                r.body.display_name()
            );
            Ok(())
        }
    }
}

fn device_line(r: &Record, me: Option<&str>) -> String {
    let Body::Device(d) = &r.body else {
        return String::new();
    };
    let status = match (d.revoked_at, me == Some(d.key.as_str())) {
        (Some(at), _) => format!("removed {at}"),
        (None, true) => "this device".into(),
        (None, false) => d
            .addresses
            .iter()
            .chain(&d.relays)
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
    };
    format!(
        "{}  {:<24} {}…  {status}",
        r.id(),
        d.name,
        &d.key[..d.key.len().min(12)]
    )
}

pub async fn sync(app: Rapport, a: SyncArgs, json: bool) -> Result<(), ApiError> {
    let node = app.start_node(a.net.config()?).await?;
    let result = if a.watch {
        watch(&node, json).await
    } else {
        once(&node, json).await
    };
    node.close().await;
    result
}

async fn once(node: &Node, json: bool) -> Result<(), ApiError> {
    let outcomes = node.sync_all().await?;
    if outcomes.is_empty() {
        if json {
            return print_json(&serde_json::json!([]));
        }
        say!("No other devices yet: pair one with `rapport pair`.");
        return Ok(());
    }
    let mut failed = Vec::new();
    let mut report = Vec::new();
    for (device, res) in outcomes {
        match res {
            Ok(session) => {
                let stats = &session.stats;
                if !json {
                    say!(
                        "{device}: synced {} in {} ms ({} records received, {} changed here, {} sent)",
                        route_words(session.route),
                        session.took_ms,
                        stats.documents_received,
                        stats.documents_changed,
                        stats.documents_sent
                    );
                }
                report.push(serde_json::json!({
                    "device": device,
                    "ok": true,
                    "route": session.route,
                    "took_ms": session.took_ms,
                    "stats": stats,
                }));
            }
            Err(e) => {
                if !json {
                    say!("{device}: not synced: {e}");
                }
                report.push(
                    serde_json::json!({"device": device, "ok": false, "error": e.to_string()}),
                );
                failed.push(format!("{device}: {e}"));
            }
        }
    }
    if json {
        print_json(&report)?;
    }
    if failed.len() == report.len() {
        return Err(ApiError::new(
            ErrorCode::Network,
            format!("no device could be synced ({})", failed.join("; ")),
        ));
    }
    Ok(())
}

async fn watch(node: &Node, json: bool) -> Result<(), ApiError> {
    let mut events = node.events();
    let printer = async {
        while let Ok(e) = events.recv().await {
            if json {
                say!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                say!("{}", describe(&e));
            }
        }
    };
    let listening = listening(node);
    if json {
        say!("{}", serde_json::to_string(&listening).unwrap_or_default());
    } else {
        say!(
            "Syncing with {} other device(s) as they are reachable; Ctrl-C stops.",
            node.peers()?.len()
        );
        say!("{}", describe(&listening));
    }
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    tokio::select! {
        r = node.watch(stop) => r?,
        _ = printer => {}
    }
    Ok(())
}

/// Where this device listens: the first line of a watching process, so a script knows when it
/// is ready (the node announced it before anyone could subscribe).
pub(crate) fn listening(node: &Node) -> SyncEvent {
    SyncEvent::Listening {
        key: node.key().to_string(),
        addresses: node.addresses().iter().map(|a| a.to_string()).collect(),
    }
}

fn route_words(r: rapport_core::Route) -> &'static str {
    match r {
        rapport_core::Route::Direct => "directly",
        rapport_core::Route::Relay => "through a relay",
    }
}

fn describe(e: &SyncEvent) -> String {
    match e {
        SyncEvent::Listening { addresses, .. } => format!("listening on {}", addresses.join(" ")),
        SyncEvent::Seen { device, .. } => format!("{device}: seen on the local network"),
        SyncEvent::Connected { device, .. } => format!("{device}: connected"),
        SyncEvent::Synced {
            device,
            at,
            stats,
            route,
            took_ms,
            ..
        } => format!(
            "{device}: synced at {at} {} in {took_ms} ms ({} received, {} changed here, {} sent)",
            route_words(*route),
            stats.documents_received,
            stats.documents_changed,
            stats.documents_sent
        ),
        SyncEvent::Progress {
            device,
            pending,
            done,
            ..
        } => format!("{device}: {done} documents synced, {pending} pending"),
        SyncEvent::Paired { device, .. } => format!("{device}: paired"),
        SyncEvent::Refused { key, reason } => {
            format!("refused {}…: {reason}", &key[..key.len().min(12)])
        }
        SyncEvent::Disconnected { device, .. } => format!("{device}: disconnected"),
        SyncEvent::Error { device, reason } => match device {
            Some(d) => format!("{d}: {reason}"),
            None => reason.clone(),
        },
    }
}
