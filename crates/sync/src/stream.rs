//! Runs a [`Session`] over one QUIC stream pair. The session works on the store, which blocks,
//! so it runs on a blocking thread; two small tasks move frames between it and the network.
//! Every frame is length-checked before its body is read, and a peer that goes quiet for
//! [`QUIET_LIMIT`] ends the session.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use iroh::endpoint::{RecvStream, SendStream};
use rapport_store::Store;
use tokio::sync::mpsc;

use crate::session::{Progress, Session, SessionStats};
use crate::wire::{Message, frame_len};
use crate::{Result, SyncError};

/// How long a session waits for the peer's next frame.
pub const QUIET_LIMIT: Duration = Duration::from_secs(60);

/// How often a session reports its progress at most (the first change is reported at once).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Reads one frame's body (none at a clean end of stream).
pub async fn read_frame(recv: &mut RecvStream, limit: usize) -> Result<Option<Vec<u8>>> {
    let mut prefix = [0u8; 4];
    match tokio::time::timeout(QUIET_LIMIT, recv.read_exact(&mut prefix)).await {
        Err(_) => {
            return Err(SyncError::Network(
                "the other device stopped answering".into(),
            ));
        }
        Ok(Err(iroh::endpoint::ReadExactError::FinishedEarly(0))) => return Ok(None),
        Ok(Err(e)) => {
            return Err(SyncError::Network(format!(
                "reading from the other device: {e}"
            )));
        }
        Ok(Ok(())) => {}
    }
    let len = frame_len(prefix)?;
    if len > limit {
        return Err(SyncError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    match tokio::time::timeout(QUIET_LIMIT, recv.read_exact(&mut body)).await {
        Err(_) => Err(SyncError::Network(
            "the other device stopped answering".into(),
        )),
        Ok(Err(e)) => Err(SyncError::Malformed(format!("a frame cut short: {e}"))),
        Ok(Ok(())) => Ok(Some(body)),
    }
}

/// Writes one message as a frame; returns the frame's length.
pub async fn write_message(send: &mut SendStream, m: &Message) -> Result<u64> {
    let frame = m.encode()?;
    send.write_all(&frame)
        .await
        .map_err(|e| SyncError::Network(format!("sending to the other device: {e}")))?;
    Ok(frame.len() as u64)
}

/// What becomes of the connection once a session ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterSession {
    /// It stays open (a watching device's connection, or one the other device opened): the
    /// session's last bytes go out on their own. Waiting for the other device to acknowledge
    /// them, which QUIC may hold back up to 25 ms, was most of an edit's time to show there
    /// (`bench-sync` edit p99 35 ms with the wait, 9 ms without).
    KeepOpen,
    /// It is closed right after, which drops whatever is still unsent: wait until the other
    /// device has every byte.
    Close,
}

/// Syncs the store with the peer at the other end of `send`/`recv` until both sides are done.
/// `on_progress` hears how far it has got: when documents first become pending, then at most
/// every [`PROGRESS_EVERY`], and once at the end if anything was ever pending.
pub async fn run_session(
    store: Arc<Store>,
    mut send: SendStream,
    mut recv: RecvStream,
    on_progress: impl Fn(Progress) + Send + 'static,
    after: AfterSession,
) -> Result<SessionStats> {
    let (in_tx, mut in_rx) = mpsc::channel::<Message>(64);
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(64);
    let bytes_in = Arc::new(AtomicU64::new(0));
    let bytes_out = Arc::new(AtomicU64::new(0));
    let (counted_in, counted_out) = (bytes_in.clone(), bytes_out.clone());

    let mut reader = tokio::spawn(async move {
        loop {
            match read_frame(&mut recv, crate::wire::MAX_FRAME).await? {
                None => return Ok::<(), SyncError>(()),
                Some(body) => {
                    counted_in.fetch_add(4 + body.len() as u64, Ordering::Relaxed);
                    if in_tx.send(Message::decode(&body)?).await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    });
    let writer = tokio::spawn(async move {
        while let Some(m) = out_rx.recv().await {
            let n = write_message(&mut send, &m).await?;
            counted_out.fetch_add(n, Ordering::Relaxed);
        }
        let _ = send.finish();
        if after == AfterSession::Close {
            // Wait until the peer has everything (or gave up) before the connection closes.
            let _ = tokio::time::timeout(QUIET_LIMIT, send.stopped()).await;
        }
        Ok::<(), SyncError>(())
    });

    let worker = tokio::task::spawn_blocking(move || -> Result<SessionStats> {
        let mut session = Session::new(store)?;
        let mut reported = Progress::default();
        let mut reported_at: Option<std::time::Instant> = None;
        let mut report = |p: Progress, last: bool| {
            let due = reported_at.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
            let worth = if last {
                reported_at.is_some() && p != reported
            } else {
                p.pending > 0 && p != reported && due
            };
            if worth {
                on_progress(p);
                reported = p;
                reported_at = Some(std::time::Instant::now());
            }
        };
        loop {
            while let Some(m) = session.next_outgoing()? {
                out_tx
                    .blocking_send(m)
                    .map_err(|_| SyncError::Network("the connection closed".into()))?;
                report(session.progress(), false);
            }
            if session.is_done() {
                report(session.progress(), true);
                return Ok(session.stats.clone());
            }
            report(session.progress(), false);
            let Some(m) = in_rx.blocking_recv() else {
                return Err(SyncError::Network(
                    "the other device ended the session before it was complete".into(),
                ));
            };
            session.receive(m)?;
            while let Ok(m) = in_rx.try_recv() {
                session.receive(m)?;
            }
        }
    });

    let outcome = worker
        .await
        .map_err(|e| SyncError::Network(format!("the session stopped: {e}")))?;
    match outcome {
        Ok(mut stats) => {
            // The worker is done, so the writer gets no more messages: let it finish sending.
            writer
                .await
                .map_err(|e| SyncError::Network(format!("the session stopped: {e}")))??;
            reader.abort();
            stats.bytes_sent = bytes_out.load(Ordering::Relaxed);
            stats.bytes_received = bytes_in.load(Ordering::Relaxed);
            Ok(stats)
        }
        Err(e) => {
            // The reader's error (a frame too large, garbage) is the real cause if it has one.
            writer.abort();
            match tokio::time::timeout(Duration::from_millis(100), &mut reader).await {
                Ok(Ok(Err(read_err))) => Err(read_err),
                _ => {
                    reader.abort();
                    Err(e)
                }
            }
        }
    }
}
