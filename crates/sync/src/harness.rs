//! Two sessions talking through encoded frames in memory, deterministically: the harness the
//! tests (and the benchmarks) use to sync devices without a network.

use crate::wire::FrameReader;
use crate::{Result, Session, SyncError};

/// What crossed the in-memory wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub messages: u64,
    pub bytes: u64,
}

/// Runs `a` and `b` until both are done, delivering every message as an encoded frame.
/// Fails if either side rejects a message, or after `max_messages` without finishing.
pub fn exchange(a: &mut Session, b: &mut Session, max_messages: u64) -> Result<Traffic> {
    let mut traffic = Traffic::default();
    let (mut to_a, mut to_b) = (FrameReader::default(), FrameReader::default());
    while !(a.is_done() && b.is_done()) {
        let moved_ab = deliver(a, &mut to_b, b, &mut traffic)?;
        let moved_ba = deliver(b, &mut to_a, a, &mut traffic)?;
        if !(moved_ab || moved_ba) || traffic.messages > max_messages {
            if a.is_done() && b.is_done() {
                break;
            }
            return Err(SyncError::Stalled(traffic.messages));
        }
    }
    Ok(traffic)
}

/// Sends everything `from` has to say through `wire` to `to`, which handles it. True if
/// anything was sent.
fn deliver(
    from: &mut Session,
    wire: &mut FrameReader,
    to: &mut Session,
    traffic: &mut Traffic,
) -> Result<bool> {
    let mut moved = false;
    while let Some(m) = from.next_outgoing()? {
        let frame = m.encode()?;
        traffic.messages += 1;
        traffic.bytes += frame.len() as u64;
        wire.push(&frame);
        moved = true;
    }
    while let Some(m) = wire.next_message()? {
        to.receive(m)?;
    }
    to.flush()?;
    Ok(moved)
}
