//! `rapport dev ping-pong`: how soon an edit made on one device can be read on another while
//! both keep syncing, measured between processes (and network namespaces) rather than inside
//! one. One device pings: it writes `ping K` into a probe person's role and waits until the
//! other device's `pong K` arrives in the same person's location. The other answers every ping
//! it receives. Each side prints when it wrote and when it saw the other's edit, in microseconds
//! of the system clock: processes on one machine share that clock, so the caller works out each
//! direction's latency from the two sides' lines.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rapport_core::model::{Body, RecordId};
use rapport_core::{ApiError, ErrorCode, Rapport};
use serde_json::json;
use tokio::sync::mpsc;

use crate::devices::NetArgs;

/// How long one ping may take once the devices are connected; the first ping (which waits for
/// the connection) may take [`FIRST_PING`].
const PING: Duration = Duration::from_secs(10);
const FIRST_PING: Duration = Duration::from_secs(60);

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// The probe's role and location as they are in this vault now.
fn probe_fields(
    app: &Rapport,
    probe: RecordId,
) -> Result<(Option<String>, Option<String>), ApiError> {
    match app.store().get(probe).map_err(ApiError::from)? {
        Some(r) => match r.body {
            Body::Person(p) => Ok((p.role, p.location)),
            _ => Err(ApiError::validation("probe", "the probe is not a person")),
        },
        None => Ok((None, None)),
    }
}

/// The K of a `word K` field.
fn number_after(field: Option<&str>, word: &str) -> Option<u64> {
    field?.strip_prefix(word)?.strip_prefix(' ')?.parse().ok()
}

pub async fn ping_pong(
    app: Rapport,
    probe: RecordId,
    pings: Option<u64>,
    net: &NetArgs,
) -> Result<(), ApiError> {
    let (wrote, mut writes) = mpsc::unbounded_channel();
    app.store()
        .on_write(move |_| wrote.send(()).is_ok())
        .map_err(ApiError::from)?;
    let node = app.start_node(net.config()?).await?;
    say!(
        "{}",
        serde_json::to_string(&crate::devices::listening(&node)).unwrap_or_default()
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let work = async {
        let out = match pings {
            Some(n) => ping(&app, probe, n, &mut writes).await,
            None => answer(&app, probe, &mut writes).await,
        };
        let _ = stop.send(());
        out
    };
    let (out, watched) = tokio::join!(
        work,
        node.watch(async {
            let _ = stopped.await;
        })
    );
    node.close().await;
    watched?;
    out
}

/// Writes `ping 0..=n` one after another, each once the answer to the one before has arrived.
async fn ping(
    app: &Rapport,
    probe: RecordId,
    n: u64,
    writes: &mut mpsc::UnboundedReceiver<()>,
) -> Result<(), ApiError> {
    for k in 0..=n {
        let sent_us = now_us();
        app.update(probe, json!({ "role": format!("ping {k}") }))
            .await?;
        let limit = if k == 0 { FIRST_PING } else { PING };
        let wait = async {
            loop {
                let (_, location) = probe_fields(app, probe)?;
                if number_after(location.as_deref(), "pong") == Some(k) {
                    return Ok::<(), ApiError>(());
                }
                if writes.recv().await.is_none() {
                    return Err(ApiError::new(ErrorCode::Internal, "the vault closed"));
                }
            }
        };
        tokio::time::timeout(limit, wait).await.map_err(|_| {
            ApiError::new(
                ErrorCode::Network,
                format!(
                    "no answer to ping {k} within {} s: is the other device answering?",
                    limit.as_secs()
                ),
            )
        })??;
        say!(
            "{}",
            json!({ "ping": k, "sent_us": sent_us, "pong_seen_us": now_us() })
        );
    }
    Ok(())
}

/// Answers every new ping with a pong of the same number, written at once, until the process
/// is stopped.
async fn answer(
    app: &Rapport,
    probe: RecordId,
    writes: &mut mpsc::UnboundedReceiver<()>,
) -> Result<(), ApiError> {
    let mut answered = None;
    loop {
        let (role, _) = probe_fields(app, probe)?;
        if let Some(k) = number_after(role.as_deref(), "ping")
            && answered != Some(k)
        {
            let seen_us = now_us();
            app.update(probe, json!({ "location": format!("pong {k}") }))
                .await?;
            answered = Some(k);
            say!("{}", json!({ "answered": k, "ping_seen_us": seen_us }));
        }
        tokio::select! {
            w = writes.recv() => if w.is_none() { return Ok(()) },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
